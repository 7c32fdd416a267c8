"""The interstitial: read what changed in the material policy version, then accept it or not.

Both answers are real: accepting lets the person turn on the optional uses
the new terms cover; declining keeps everything else exactly as it was.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from consents.models import PolicyDisplay
from consents.services import ConsentError, policy_display_record
from core.navigation import safe_next

from . import selectors, services
from .middleware import gated_path
from .selectors import ACCEPTED, DECLINED
from .standing import policy_standing, policy_standing_remember

DECLINE = "decline"


@login_required
def policy_accept(request):
    user = request.user
    next_url = safe_next(request)
    pending = selectors.policy_pending_for(user=user)
    if pending is None:
        required = selectors.policy_notices_for_request(request).required
        if required is not None:
            # Answered elsewhere (another session, the API): this session's banner goes too.
            policy_standing_remember(request, version=required, standing=ACCEPTED)
        return redirect(next_url or "home")
    status = 200
    if request.method == "POST":
        if request.POST.get("version") != pending.version:
            # The form showed another version (a newer one took effect meanwhile):
            # an answer must follow reading the text now in force.
            messages.error(request, _("The policy changed again while this page was open. Please read this version."))
            status = 400
        elif request.POST.get("decision") == DECLINE:
            return _decline(request, pending, next_url)
        else:
            try:
                services.policy_accept(user=user, version=pending)
            except ConsentError as error:
                messages.error(request, str(error))
            else:
                policy_standing_remember(request, version=pending, standing=ACCEPTED)
                messages.success(
                    request,
                    _("Thank you. You accepted version %(version)s of the privacy policy.")
                    % {"version": pending.version},
                )
                return redirect(next_url or "home")
    policy_display_record(subject=user, version=pending, context=PolicyDisplay.Context.INTERSTITIAL)
    return render(
        request,
        "consents/policy_acceptance/accept.html",
        {
            "version": pending,
            "next": next_url,
            "is_minor": user.is_minor,
            "declined": policy_standing(request, version=pending) == DECLINED,
        },
        status=status,
    )


def _decline(request, version, next_url: str):
    try:
        services.policy_decline(user=request.user, version=version)
    except ConsentError as error:
        messages.error(request, str(error))
        return redirect("consents:policy_accept")
    policy_standing_remember(request, version=version, standing=DECLINED)
    messages.info(
        request,
        _(
            "You did not accept version %(version)s of the privacy policy. New optional uses stay off; everything "
            "else stays as it was, and every right you have, from requests to cancelling your account, is still "
            "yours. You can accept later if you change your mind."
        )
        % {"version": version.version},
    )
    # A page that waits for acceptance would only send them back here.
    return redirect(next_url if next_url and not gated_path(next_url) else "home")
