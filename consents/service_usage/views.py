"""The citizen's page: which platform services asked about me, and who received my data, day by day."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .selectors import SHOWN_DAYS, services_used_for

PER_PAGE = 30


@login_required
def services_used(request):
    page = Paginator(services_used_for(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "consents/service_usage.html",
        {"page": page, "rows": page.object_list, "shown_days": SHOWN_DAYS},
    )
