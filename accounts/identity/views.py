"""The identity pages: profile, real-name verification, guardians. Thin: rules live in services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import AccountKind, GuardianLink, VerificationLevel
from core.masking import mask_email

from . import guardians, selectors, services
from .forms import (
    FIELD_LABELS,
    GuardianCodeForm,
    GuardianLinkRequestForm,
    IdentityProfileForm,
    IdentityVerificationForm,
)
from .providers import Outcome

# The same words for an unknown account and an adult's, so the form cannot
# tell anyone whether an email or ID number has an account here.
NEUTRAL_GUARDIAN_MESSAGE = gettext_lazy(
    "No confirmation code was sent. Only the account of a child under 14 can be linked: check the email "
    "address or ID number, and that the child's account holds the child's ID number."
)


def _current_values(user, profile) -> dict[str, str]:
    return {name: (user.phone if name == "phone" else getattr(profile, name)) for name in FIELD_LABELS}


@login_required
def identity_profile(request):
    user = request.user
    profile = selectors.identity_profile_for(user=user)
    editable = selectors.editable_fields_for(user=user, profile=profile)
    values = _current_values(user, profile)
    if request.method == "POST":
        form = IdentityProfileForm(request.POST, editable=editable)
        if form.is_valid():
            try:
                changed = services.identity_profile_update(user=user, data=form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if changed:
                    messages.success(request, _("Your identity profile was saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("accounts:identity")
    else:
        form = IdentityProfileForm(initial={name: values[name] for name in editable}, editable=editable)
    level = selectors.verification_level_for(user=user, profile=profile)
    rows = [
        {"name": name, "label": FIELD_LABELS[name], "value": values[name], "verified": profile.is_verified_field(name)}
        for name in selectors.profile_fields_for(user=user)
    ]
    return render(
        request,
        "accounts/identity/profile.html",
        {
            "form": form,
            "rows": rows,
            "level": level,
            "level_label": VerificationLevel(level).label,
            "identity_verified": level >= VerificationLevel.IDENTITY_VERIFIED,
            "has_verified_fields": bool(profile.verified_fields),
            "is_business": user.kind == AccountKind.BUSINESS,
            "is_minor": selectors.user_is_minor(user=user, profile=profile),
        },
        status=400 if form.errors else 200,
    )


@login_required
def identity_verify(request):
    user = request.user
    profile = selectors.identity_profile_for(user=user)
    level = selectors.verification_level_for(user=user, profile=profile)
    if level >= VerificationLevel.IDENTITY_VERIFIED:
        return render(request, "accounts/identity/verify.html", {"already_verified": True, "level": level})
    outcome = None
    if request.method == "POST":
        form = IdentityVerificationForm(request.POST)
        if form.is_valid():
            try:
                result = services.identity_verify(
                    user=user, legal_name=form.cleaned_data["legal_name"], id_number=form.cleaned_data["id_number"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            except services.VerificationThrottled:
                form.add_error(None, _("You have tried too many times today. Please try again tomorrow."))
            else:
                if result.matched:
                    messages.success(request, services.verification_message(result.outcome))
                    return redirect("accounts:identity")
                outcome = result.outcome
                form.add_error(None, services.verification_message(result.outcome))
    else:
        # Values kept from an earlier try (say, during an outage) fill the form again.
        form = IdentityVerificationForm(initial={"legal_name": profile.legal_name, "id_number": profile.id_number})
    return render(
        request,
        "accounts/identity/verify.html",
        {"form": form, "level": level, "outcome": outcome, "unavailable": outcome == Outcome.UNAVAILABLE},
        status=200 if request.method == "GET" or outcome else 400,
    )


def _render_guardians(request, *, request_form=None, bound_code_form=None, bound_link_id=None, status=200):
    user = request.user
    profile = selectors.identity_profile_for(user=user)
    as_minor = list(selectors.guardian_links_as_minor(user=user))
    for link in as_minor:
        is_bound = bound_code_form is not None and link.pk == bound_link_id
        link.code_form = bound_code_form if is_bound else GuardianCodeForm(prefix=f"link{link.pk}")
        # The guardian's verified legal name: the child's side should know who asks.
        identity = getattr(link.guardian, "identity", None)
        link.guardian_label = (identity.legal_name if identity else "") or link.guardian.get_username()
    as_guardian = list(selectors.guardian_links_as_guardian(user=user))
    for link in as_guardian:
        # Until the child's side confirms, the guardian may have typed only an
        # ID number: the child's email address is not theirs to see yet.
        email = link.minor.email or link.minor.get_username()
        link.minor_label = email if link.state == GuardianLink.State.CONFIRMED else mask_email(email)
    return render(
        request,
        "accounts/identity/guardians.html",
        {
            "eligible": guardians.guardian_eligible(user=user, profile=profile),
            "is_minor": selectors.user_is_minor(user=user, profile=profile),
            "as_guardian": as_guardian,
            "as_minor": as_minor,
            "request_form": request_form or GuardianLinkRequestForm(),
        },
        status=status,
    )


@login_required
def guardian_links(request):
    return _render_guardians(request)


@login_required
@require_POST
def guardian_link_request(request):
    form = GuardianLinkRequestForm(request.POST)
    if not form.is_valid():
        return _render_guardians(request, request_form=form, status=400)
    try:
        link = guardians.guardian_link_request(guardian=request.user, identifier=form.cleaned_data["identifier"])
    except guardians.GuardianNotEligible:
        messages.error(request, _("Verify your own identity first: only an identity-verified adult can be a guardian."))
        return redirect("accounts:identity_guardians")
    except ValidationError as error:
        form.add_error(None, error)
        return _render_guardians(request, request_form=form, status=400)
    if link is None:
        messages.info(request, NEUTRAL_GUARDIAN_MESSAGE)
    elif link.state == link.State.CONFIRMED:
        messages.info(request, _("You are already the confirmed guardian of this account."))
    else:
        messages.success(
            request, _("A confirmation code was sent to the child's account. Sign in there and enter it on this page.")
        )
    return redirect("accounts:identity_guardians")


@login_required
@require_POST
def guardian_link_confirm(request, link_id: int):
    link = selectors.access_guardian_link(user=request.user, link_id=link_id, side="minor")
    form = GuardianCodeForm(request.POST, prefix=f"link{link.pk}")
    if form.is_valid():
        try:
            guardians.guardian_link_confirm(minor=request.user, link=link, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The guardian link is confirmed."))
            return redirect("accounts:identity_guardians")
    return _render_guardians(request, bound_code_form=form, bound_link_id=link.pk, status=400)


@login_required
@require_POST
def guardian_link_resend(request, link_id: int):
    link = selectors.access_guardian_link(user=request.user, link_id=link_id, side="guardian")
    try:
        guardians.guardian_link_code_resend(guardian=request.user, link=link)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("A new confirmation code was sent to the child's account."))
    return redirect("accounts:identity_guardians")


@login_required
@require_POST
def guardian_link_end(request, link_id: int):
    link = selectors.access_guardian_link(user=request.user, link_id=link_id)
    guardians.guardian_link_end(actor=request.user, link=link)
    messages.success(request, _("The guardian link was ended."))
    return redirect("accounts:identity_guardians")
