"""The citizen's delivery pages: their deliveries (shown in full to them), a request, a cancellation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import DeliveryStatus

from . import selectors, services
from .forms import DeliveryRequestForm


@login_required
def delivery_list(request, status: int = 200):
    return render(
        request,
        "accounts/delivery/list.html",
        {
            "deliveries": list(selectors.deliveries_for(user=request.user)),
            "requested": DeliveryStatus.REQUESTED,
            "retention_days": selectors.delivery_retention_days(),
        },
        status=status,
    )


@login_required
def delivery_new(request):
    form = DeliveryRequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.delivery_request(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your delivery was requested."))
            return redirect("accounts:deliveries")
    return render(
        request,
        "accounts/delivery/new.html",
        {"form": form, "retention_days": selectors.delivery_retention_days()},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def delivery_cancel(request, delivery_id: int):
    delivery = selectors.access_delivery(user=request.user, delivery_id=delivery_id)
    try:
        services.delivery_cancel(delivery=delivery, actor=request.user)
    except services.DeliveryTransitionNotAllowed as refused:
        # Already dispatched (perhaps by staff a moment ago): say so, with the list as it stands now.
        messages.error(request, refused.message)
        return delivery_list(request, status=409)
    messages.success(request, _("The delivery was cancelled."))
    return redirect("accounts:deliveries")
