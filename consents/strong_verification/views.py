"""The identity level 3 pages: the ways to reach it, face consent, the checks. Rules live in services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.two_factor.decorators import STEP_UP_MINUTES, require_recent_verification
from consents.models import StrongVerification
from consents.policy_shown import policy_shown_token, policy_shown_version
from consents.selectors import policy_current
from consents.services import ConsentError

from . import selectors, services

Outcome = StrongVerification.Outcome

FACE_MESSAGES = {
    Outcome.PASSED: gettext_lazy("Face verification passed: your account is now verified at level 3."),
    Outcome.FAILED: gettext_lazy("The face check did not succeed. You can try again, or use another way below."),
    Outcome.UNAVAILABLE: gettext_lazy(
        "The face-recognition service is not available right now. Nothing was lost: please try again later, "
        "or use another way below."
    ),
}
BANK_CARD_MESSAGES = {
    Outcome.PASSED: gettext_lazy("The bank-card check passed: your account is now verified at level 3."),
    Outcome.FAILED: gettext_lazy(
        "The bank did not confirm that this card belongs to you. Check the card number in your identity "
        "profile, or use another way below."
    ),
    Outcome.UNAVAILABLE: gettext_lazy(
        "The bank-card check is not available right now. Nothing was lost: please try again later, "
        "or use another way below."
    ),
}


def _tell(request, check, texts) -> None:
    level = messages.SUCCESS if check.outcome == Outcome.PASSED else messages.WARNING
    messages.add_message(request, level, texts[check.outcome])


@login_required
def verification(request):
    return render(
        request,
        "consents/strong_verification/verification.html",
        {"overview": selectors.verification_overview_for(user=request.user)},
    )


@login_required
@require_recent_verification(minutes=STEP_UP_MINUTES)
def face_consent(request):
    """The separate confirmation screen for face verification and its partner.

    Showing it writes nothing: the form carries a signed token of the policy
    version on screen, recorded as shown with the consents on POST.
    """
    user = request.user
    purpose, partner = selectors.face_purpose(), selectors.face_partner()
    if request.method == "POST":
        try:
            services.face_consent_give(
                user=user,
                shown_version=policy_shown_version(viewer=user, purpose=purpose, token=request.POST.get("shown")),
            )
        except ConsentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Thank you. You can now start the face check."))
            return redirect("consents:verification")
    return render(
        request,
        "consents/strong_verification/face_consent.html",
        {
            "purpose": purpose,
            "partner": partner,
            "partner_categories": list(partner.data_categories.all()),
            "agreement_in_force": partner.agreement_in_force(),
            "shown": policy_shown_token(viewer=user, purpose=purpose, version=policy_current()),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def face_consent_withdraw(request):
    try:
        services.face_consent_withdraw(user=request.user)
    except ConsentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("You withdrew your consent to face verification. Nothing is shared with the partner any more.")
        )
    return redirect("consents:verification")


@login_required
@require_POST
def face_start(request):
    try:
        check = services.face_check(user=request.user)
    except services.StrongVerificationError as error:
        messages.error(request, str(error))
    else:
        _tell(request, check, FACE_MESSAGES)
    return redirect("consents:verification")


@login_required
@require_POST
def bank_card_start(request):
    try:
        check = services.bank_card_check(user=request.user)
    except services.StrongVerificationError as error:
        messages.error(request, str(error))
    else:
        _tell(request, check, BANK_CARD_MESSAGES)
    return redirect("consents:verification")
