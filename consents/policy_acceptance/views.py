"""The interstitial: read what changed in the material policy version, then accept it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from consents.models import PolicyDisplay
from consents.services import ConsentError, policy_display_record
from core.navigation import safe_next

from . import selectors, services
from .middleware import SESSION_KEY


@login_required
def policy_accept(request):
    user = request.user
    next_url = safe_next(request)
    pending = selectors.policy_pending_for(user=user)
    if pending is None:
        return redirect(next_url or "home")
    status = 200
    if request.method == "POST":
        if request.POST.get("version") == pending.version:
            try:
                services.policy_accept(user=user, version=pending)
            except ConsentError as error:
                messages.error(request, str(error))
            else:
                request.session[SESSION_KEY] = pending.pk
                messages.success(
                    request,
                    _("Thank you. You accepted version %(version)s of the privacy policy.")
                    % {"version": pending.version},
                )
                return redirect(next_url or "home")
        else:
            # The form showed another version (a newer one took effect meanwhile):
            # accepting must follow reading the text now in force.
            messages.error(request, _("The policy changed again while this page was open. Please read this version."))
            status = 400
    policy_display_record(subject=user, version=pending, context=PolicyDisplay.Context.INTERSTITIAL)
    return render(
        request,
        "consents/policy_acceptance/accept.html",
        {"version": pending, "next": next_url, "is_minor": user.is_minor},
        status=status,
    )
