"""Changes to a person's identity: the profile, verification levels, real-name checks.

Every change goes through a function here and records its audit event (field
names and ids, never values) in the same transaction.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import IdentityProfile, IdentityVerificationAttempt, SandboxIdentity, User
from accounts.models import VerificationLevel as Level
from accounts.notification_kinds import IDENTITY_VERIFIED
from accounts.validators import (
    clean_bank_card,
    clean_id_number,
    clean_mobile,
    clean_uscc,
    id_number_birth_date,
    is_minor,
)
from audit.services import audit_record
from core.encryption import blind_index
from core.validators import refuse_invisible_controls
from notifications.services import notification_send

from . import selectors
from .providers import Outcome, ProviderUnavailable, VerificationResult, get_provider

logger = logging.getLogger(__name__)

NAME_MAX_LENGTH = 100
ORGANISATION_MAX_LENGTH = 200
# Fields a provider confirms together; afterwards they change only through a correction request.
IDENTITY_FIELDS = ["legal_name", "id_number"]

VERIFIED_FIELD_ERROR = _("This field is identity-verified: it changes only through a correction request.")
OUTCOME_MESSAGES: dict[str, object] = {
    Outcome.MATCH: _("Your identity is verified."),
    Outcome.MISMATCH: _(
        "The name and the resident ID number do not match the records. Check both, exactly as on your ID card."
    ),
    Outcome.NOT_FOUND: _("No record was found for this resident ID number. Check the number and try again."),
    Outcome.UNAVAILABLE: _(
        "The verification service is not available right now. Your details were kept: please try again later."
    ),
}


class VerificationThrottled(Exception):
    """Too many real-name checks in a day; each one costs the provider a lookup."""


def verification_message(outcome: str) -> str:
    return str(OUTCOME_MESSAGES[outcome])


def _clean_text(max_length: int):
    def clean(value: str) -> str:
        value = refuse_invisible_controls(" ".join((value or "").split()))
        if len(value) > max_length:
            raise ValidationError(_("Use at most %(limit)d characters.") % {"limit": max_length}, code="too_long")
        return value

    return clean


FIELD_CLEANERS = {
    "legal_name": _clean_text(NAME_MAX_LENGTH),
    "id_number": clean_id_number,
    "phone": clean_mobile,
    "bank_card": clean_bank_card,
    "organisation_name": _clean_text(ORGANISATION_MAX_LENGTH),
    "uscc": clean_uscc,
    "legal_representative": _clean_text(NAME_MAX_LENGTH),
}


def _current(profile: IdentityProfile, user: User, name: str) -> str:
    return user.phone if name == "phone" else getattr(profile, name)


def _clean_changes(*, user: User, profile: IdentityProfile, data: dict) -> dict[str, str]:
    """Validate ``data`` whole; return the fields whose value changes, or raise with every field's error."""
    allowed = selectors.profile_fields_for(user=user)
    errors: dict[str, list] = {}
    changes: dict[str, str] = {}
    for name, raw in data.items():
        if name not in allowed:
            if name in selectors.BUSINESS_FIELDS:
                errors[name] = [ValidationError(_("Only business accounts hold this field."), code="not_business")]
            else:
                errors[name] = [ValidationError(_("This field cannot be changed here."), code="unknown_field")]
            continue
        raw = "" if raw is None else str(raw)
        try:
            value = FIELD_CLEANERS[name](raw) if raw.strip() else ""
        except ValidationError as error:
            value = None
            if not profile.is_verified_field(name):
                errors[name] = [error]
                continue
        if value == _current(profile, user, name):
            continue
        if value is None or profile.is_verified_field(name):
            # Sending a verified value back unchanged is fine (API clients echo
            # the whole profile); changing it is not. (Only a verified field's
            # unreadable value gets here as None.)
            errors[name] = [ValidationError(VERIFIED_FIELD_ERROR, code="verified")]
            continue
        changes[name] = value
    phone = changes.get("phone")
    if phone and User.objects.filter(phone_hash=blind_index(phone)).exclude(pk=user.pk).exists():
        errors["phone"] = [_phone_taken_error()]
    if errors:
        raise ValidationError(errors)
    return changes


def _phone_taken_error() -> ValidationError:
    return ValidationError(_("This mobile number is already used by another account."), code="phone_taken")


def identity_fields_write(*, user: User, profile: IdentityProfile, changes: dict[str, str]) -> list[str]:
    """Write validated ``changes`` and everything derived from them; the caller holds the transaction.

    Bypasses the verified-field lock on purpose: besides the profile form
    (which checks the lock first), an approved correction request writes
    through here.
    """
    user_fields: list[str] = []
    profile_fields: list[str] = []
    for name, value in changes.items():
        if name == "phone":
            user.phone = value
            user.phone_hash = blind_index(value) if value else ""
            # A new number has not been confirmed by a code yet.
            user.phone_verified = False
            user_fields += ["phone", "phone_hash", "phone_verified"]
        else:
            setattr(profile, name, value)
            profile_fields.append(name)
    if "id_number" in changes:
        id_number = changes["id_number"]
        profile.id_number_hash = blind_index(id_number) if id_number else ""
        profile.birth_date = id_number_birth_date(id_number) if id_number else None
        profile_fields += ["id_number_hash", "birth_date"]
        minor = profile.birth_date is not None and is_minor(profile.birth_date)
        if user.is_minor != minor:
            user.is_minor = minor
            user_fields.append("is_minor")
    if profile_fields:
        profile.save(update_fields=[*profile_fields, "updated_at"])
    if user_fields:
        try:
            with transaction.atomic():
                user.save(update_fields=user_fields)
        except IntegrityError:
            # Another account took the number between our check and the write.
            raise ValidationError({"phone": [_phone_taken_error()]}) from None
    return sorted(changes)


def _copy_back(locked: User, user: User) -> None:
    """Bring the caller's user object up to date with the row the service changed."""
    if locked is not user:
        for name in ("phone", "phone_hash", "phone_verified", "is_minor"):
            setattr(user, name, getattr(locked, name))


def identity_profile_update(*, user: User, data: dict, actor: User | None = None) -> list[str]:
    """Change the person's own identity fields that are not identity-verified.

    ``data`` maps field names (legal_name, id_number, phone, bank_card and,
    for business accounts, organisation_name, uscc, legal_representative) to
    entered values; an empty value clears the field. Every value is checked
    first and nothing is saved unless all are valid: a ``ValidationError``
    names each bad field. Returns the names of the fields that changed.
    ``actor`` is who made the change (the person themself unless given).
    """
    actor = user if actor is None else actor
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        profile = IdentityProfile.objects.select_for_update().get_or_create(user=locked)[0]
        changes = _clean_changes(user=locked, profile=profile, data=data)
        if not changes:
            return []
        changed = identity_fields_write(user=locked, profile=profile, changes=changes)
        identity_level_store(user=locked, profile=profile)
        audit_record(actor=actor, action="identity.profile_updated", target=profile, details={"fields": changed})
    _copy_back(locked, user)
    return changed


def identity_level_refresh(*, user: User) -> int:
    """Bring the stored verification level up to date and return it.

    Level 1 comes from a confirmed email address (or mobile number); levels 2
    and up only from a provider, so they are never lowered here.
    """
    with transaction.atomic():
        profile = IdentityProfile.objects.select_for_update().get_or_create(user=user)[0]
        return identity_level_store(user=user, profile=profile)


def identity_level_store(*, user: User, profile: IdentityProfile) -> int:
    level = selectors.verification_level_for(user=user, profile=profile)
    if level != profile.verification_level:
        profile.verification_level = level
        profile.save(update_fields=["verification_level", "updated_at"])
    return level


def _call_provider(provider, legal_name: str, id_number: str) -> VerificationResult:
    try:
        result = provider.verify_identity(legal_name, id_number)
    except (ProviderUnavailable, TimeoutError, ConnectionError) as exc:
        logger.warning("identity provider %s unavailable: %s", provider.name, type(exc).__name__)
        return VerificationResult(Outcome.UNAVAILABLE)
    except Exception:  # a broken provider must read as an outage to the citizen, never a 500
        logger.exception("identity provider %s failed", provider.name)
        return VerificationResult(Outcome.UNAVAILABLE)
    if result.outcome not in Outcome.values:
        logger.error("identity provider %s gave an unknown outcome", provider.name)
        return VerificationResult(Outcome.UNAVAILABLE, result.reference)
    return result


def identity_verify(*, user: User, legal_name: str, id_number: str) -> VerificationResult:
    """Ask the configured provider whether ``legal_name`` and ``id_number`` belong together.

    match: both are stored as verified, the account reaches level 2 and the
    person is told. mismatch / not found: nothing is stored. unavailable: the
    entered values are kept in the profile, unverified, for a later try.
    Each attempt leaves an ``IdentityVerificationAttempt`` (no name or number
    in it) and an audit event. Raises ``ValidationError`` for bad input or an
    already verified account, ``VerificationThrottled`` past the daily limit.
    """
    errors = {}
    legal_name = " ".join((legal_name or "").split())
    if not legal_name:
        errors["legal_name"] = [ValidationError(_("Enter your legal name."), code="required")]
    elif len(legal_name) > NAME_MAX_LENGTH:
        errors["legal_name"] = [
            ValidationError(_("Use at most %(limit)d characters.") % {"limit": NAME_MAX_LENGTH}, code="too_long")
        ]
    try:
        id_number = clean_id_number(id_number)
    except ValidationError as error:
        errors["id_number"] = [error]
    if errors:
        raise ValidationError(errors)

    profile = selectors.identity_profile_for(user=user)
    if profile.verification_level >= Level.IDENTITY_VERIFIED:
        raise ValidationError(_("Your identity is already verified."), code="already_verified")
    if selectors.verification_attempts_since(user=user, hours=24) >= settings.IDENTITY_VERIFICATION_DAILY_LIMIT:
        raise VerificationThrottled

    provider = get_provider()
    # The provider is called outside any transaction: a slow network must not hold row locks.
    result = _call_provider(provider, legal_name, id_number)

    caller_user = user
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        profile = IdentityProfile.objects.select_for_update().get_or_create(user=user)[0]
        attempt = IdentityVerificationAttempt.objects.create(
            user=user, provider=provider.name, outcome=result.outcome, reference=result.reference[:100]
        )
        details = {"provider": provider.name, "outcome": result.outcome, "attempt_id": attempt.pk}
        taken = (
            IdentityProfile.objects.filter(
                id_number_hash=blind_index(id_number), verification_level__gte=Level.IDENTITY_VERIFIED
            )
            .exclude(user=user)
            .exists()
        )
        if result.matched and taken:
            # One verified identity, one account: otherwise whoever knows a
            # person's name and ID number could verify a second account as them.
            audit_record(
                actor=user,
                action="identity.verification_attempted",
                target=profile,
                details={**details, "refused": "verified_elsewhere"},
            )
        else:
            audit_record(actor=user, action="identity.verification_attempted", target=profile, details=details)
        if result.matched and not taken:
            _mark_verified(user=user, profile=profile, legal_name=legal_name, id_number=id_number)
        elif result.outcome == Outcome.UNAVAILABLE:
            _keep_unverified(user=user, profile=profile, legal_name=legal_name, id_number=id_number)
    _copy_back(user, caller_user)
    if result.matched and taken:
        raise ValidationError(
            {
                "id_number": [
                    ValidationError(
                        _(
                            "This identity is already verified on another account. "
                            "Call the government service hotline 12345 for help."
                        ),
                        code="verified_elsewhere",
                    )
                ]
            }
        )
    return result


def _mark_verified(*, user: User, profile: IdentityProfile, legal_name: str, id_number: str) -> None:
    changes = {
        name: value
        for name, value in {"legal_name": legal_name, "id_number": id_number}.items()
        if getattr(profile, name) != value
    }
    identity_fields_write(user=user, profile=profile, changes=changes)
    profile.verified_fields = sorted(set(profile.verified_fields) | set(IDENTITY_FIELDS))
    profile.verification_level = max(profile.verification_level, Level.IDENTITY_VERIFIED)
    profile.identity_verified_at = timezone.now()
    profile.save(update_fields=["verified_fields", "verification_level", "identity_verified_at", "updated_at"])
    audit_record(
        actor=user,
        action="identity.verified",
        target=profile,
        details={"fields": IDENTITY_FIELDS, "level": int(profile.verification_level)},
    )
    notification_send(recipient=user, kind=IDENTITY_VERIFIED)


def _keep_unverified(*, user: User, profile: IdentityProfile, legal_name: str, id_number: str) -> None:
    """Keep what the person typed (unverified) so an outage does not make them type it again."""
    changes = {
        name: value
        for name, value in {"legal_name": legal_name, "id_number": id_number}.items()
        if not profile.is_verified_field(name) and getattr(profile, name) != value
    }
    if changes:
        changed = identity_fields_write(user=user, profile=profile, changes=changes)
        audit_record(actor=user, action="identity.profile_updated", target=profile, details={"fields": changed})


def sandbox_identity_ensure(
    *, legal_name: str, id_number: str, behaviour: str = SandboxIdentity.Behaviour.NORMAL, note: str = ""
) -> tuple[SandboxIdentity, bool]:
    """Add a test identity to the sandbox registry, or update the one with this ID number."""
    id_number = clean_id_number(id_number)
    identity, created = SandboxIdentity.objects.get_or_create(
        id_number_hash=blind_index(id_number),
        defaults={"legal_name": legal_name, "id_number": id_number, "behaviour": behaviour, "note": note},
    )
    if not created and (identity.legal_name, identity.behaviour, identity.note) != (legal_name, behaviour, note):
        identity.legal_name, identity.behaviour, identity.note = legal_name, behaviour, note
        identity.save(update_fields=["legal_name", "behaviour", "note"])
    return identity, created
