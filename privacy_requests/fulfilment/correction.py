"""Correction requests: a verified identity field changes only this way (clause 8.1).

The citizen names the field, the new value and why. The value is checked
with the identity validators when the request is filed
(``correction_validate``) and again when staff approve it, since the rules
or the person's account may have changed meanwhile. Approving (completing)
the request applies the change, writes the old and new values *masked* to
the audit log and, where the field had been confirmed by the real-name
provider, takes its verified status away: the person is asked to verify
again, because what the provider confirmed is no longer what is stored.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.identity import selectors as identity_selectors
from accounts.identity import services as identity_services
from accounts.identity.forms import FIELD_LABELS
from accounts.models import AccountKind, IdentityProfile, User
from accounts.models import VerificationLevel as Level
from audit.services import audit_record
from core.encryption import blind_index
from core.masking import mask_bank_card, mask_id_number, mask_name, mask_phone
from core.site import site_url
from notifications.services import notification_send
from privacy_requests.models import RequestOutcome
from privacy_requests.notification_kinds import IDENTITY_REVERIFICATION_NEEDED

CORRECTABLE_FIELDS = identity_selectors.PERSONAL_FIELDS + identity_selectors.BUSINESS_FIELDS
REASON_MAX_LENGTH = 1000
# The outcome row's category: the registry's code for the account and identity profile.
OUTCOME_CATEGORY = "profile"

_MASKS = {
    "legal_name": mask_name,
    "id_number": mask_id_number,
    "phone": mask_phone,
    "bank_card": mask_bank_card,
    "organisation_name": mask_name,
    # 18 characters like an ID number; the same four-and-four keeps the check readable.
    "uscc": mask_id_number,
    "legal_representative": mask_name,
}


def correction_field_choices(*, user: User | None = None) -> list[tuple[str, str]]:
    """The fields a person may ask to correct, as (code, label) for a form's choices."""
    fields = CORRECTABLE_FIELDS if user is None else identity_selectors.profile_fields_for(user=user)
    return [(name, FIELD_LABELS[name]) for name in fields]


def correction_validate(*, field: str, new_value: str, user: User | None = None) -> str:
    """Return ``new_value`` normalised for ``field``, or raise ``ValidationError``.

    The error is keyed by the form field it belongs to ("field" or
    "new_value") and its message names the identity field, in the active
    language. With ``user``, business fields are refused for individual
    accounts.
    """
    if field not in CORRECTABLE_FIELDS:
        raise ValidationError(
            {"field": ValidationError(_("Choose the detail you want corrected from the list."), code="unknown_field")}
        )
    if user is not None and field in identity_selectors.BUSINESS_FIELDS and user.kind != AccountKind.BUSINESS:
        raise ValidationError(
            {
                "field": ValidationError(
                    _("%(field)s: only business accounts hold this detail.") % {"field": FIELD_LABELS[field]},
                    code="not_business",
                )
            }
        )
    raw = "" if new_value is None else str(new_value)
    if not raw.strip():
        raise ValidationError(
            {
                "new_value": ValidationError(
                    _("%(field)s: enter the correct value.") % {"field": FIELD_LABELS[field]}, code="required"
                )
            }
        )
    try:
        return identity_services.FIELD_CLEANERS[field](raw)
    except ValidationError as error:
        messages = " ".join(str(message) for message in error.messages)
        raise ValidationError(
            {
                "new_value": ValidationError(
                    _("%(field)s: %(problem)s") % {"field": FIELD_LABELS[field], "problem": messages},
                    code=error.code or "invalid",
                )
            }
        ) from None


def correction_details_validate(*, details: dict, user: User | None = None) -> dict:
    """Check a whole correction request's details; return them cleaned, ready to store.

    For ``privacy_request_create``'s callers (form, API): every problem is
    reported at once, keyed by "field", "new_value" and "reason".
    """
    errors: dict[str, list] = {}
    field = str(details.get("field") or "")
    reason = " ".join(str(details.get("reason") or "").split())
    new_value = ""
    try:
        new_value = correction_validate(field=field, new_value=details.get("new_value"), user=user)
    except ValidationError as error:
        errors.update(error.error_dict)
    if not reason:
        errors["reason"] = [ValidationError(_("Say why the stored value is wrong."), code="required")]
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = [
            ValidationError(
                _("Use at most %(limit)d characters for the reason.") % {"limit": REASON_MAX_LENGTH}, code="too_long"
            )
        ]
    if errors:
        raise ValidationError(errors)
    return {"field": field, "new_value": new_value, "reason": reason}


def _current(*, user: User, profile: IdentityProfile, field: str) -> str:
    return user.phone if field == "phone" else getattr(profile, field)


def correction_fulfil(*, request, actor) -> None:
    """Apply an approved correction. Runs inside ``privacy_request_complete``'s transaction.

    A value that no longer passes (the rules changed, or another account
    took the mobile number meanwhile) stops the completion with
    ``TransitionNotAllowed`` and its reason, for the staff member to see:
    the request stays open, to be refused or discussed with the citizen.
    """
    from privacy_requests.services import TransitionNotAllowed, request_details

    try:
        _correction_apply(request=request, actor=actor, details=request_details(request))
    except ValidationError as error:
        raise TransitionNotAllowed(" ".join(str(message) for message in error.messages)) from None


def _correction_apply(*, request, actor, details: dict) -> None:
    field = details.get("field", "")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=request.requester_id)
        profile = IdentityProfile.objects.select_for_update().get_or_create(user=user)[0]
        value = correction_validate(field=field, new_value=details.get("new_value"), user=user)
        old = _current(user=user, profile=profile, field=field)
        if field == "phone" and User.objects.filter(phone_hash=blind_index(value)).exclude(pk=user.pk).exists():
            raise ValidationError(
                {"new_value": ValidationError(_("This mobile number is already used by another account."))}
            )
        if value != old:
            # The identity service's own writer: it keeps the blind indexes,
            # the birth date and the minor flag in step with the new value.
            identity_services.identity_fields_write(user=user, profile=profile, changes={field: value})
        # An unchanged value keeps what the provider confirmed.
        was_verified = value != old and profile.is_verified_field(field)
        if was_verified:
            _verification_withdraw(user=user, profile=profile, field=field)
        else:
            identity_services.identity_level_store(user=user, profile=profile)
        mask = _MASKS[field]
        audit_record(
            actor=actor,
            action="privacy_request.correction_applied",
            target=profile,
            details={
                "request": request.reference,
                "field": field,
                "old": mask(old),
                "new": mask(value),
                "was_verified": was_verified,
            },
        )
        RequestOutcome.objects.create(
            request=request, category=OUTCOME_CATEGORY, result=RequestOutcome.Result.CORRECTED
        )
        if was_verified:
            notification_send(
                recipient=user,
                kind=IDENTITY_REVERIFICATION_NEEDED,
                context={
                    # Lazy: the message is written in each language (the inbox shows the reader's).
                    "field_label": FIELD_LABELS[field],
                    "reference": request.reference,
                    "verify_url": site_url(reverse("accounts:identity_verify")),
                },
            )
    # The caller's copy of the person should show the change too.
    if request.requester is not None and request.requester is not user:
        for name in ("phone", "phone_hash", "phone_verified", "is_minor"):
            setattr(request.requester, name, getattr(user, name))


def _verification_withdraw(*, user: User, profile: IdentityProfile, field: str) -> None:
    """The provider confirmed the old value, not this one: the field is unverified until checked again."""
    profile.verified_fields = [name for name in profile.verified_fields if name != field]
    level = Level.CONTACT_VERIFIED if identity_selectors.contact_verified(user=user) else Level.REGISTERED
    profile.verification_level = min(profile.verification_level, level)
    profile.identity_verified_at = None
    profile.save(update_fields=["verified_fields", "verification_level", "identity_verified_at", "updated_at"])
