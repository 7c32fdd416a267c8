"""The citizen's page: who received my information, when and why."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .selectors import disclosures_for

PER_PAGE = 20


@login_required
def disclosure_list(request):
    """Every disclosure of the signed-in person's data they may see, newest first."""
    page = Paginator(disclosures_for(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "consents/disclosures/list.html", {"page": page})
