"""Reading a person's way to identity level 3."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.identity.selectors import identity_profile_and_contact_for, verification_level_for
from accounts.models import IdentityProfile, VerificationLevel
from accounts.validators import clean_bank_card
from consents.models import Partner, Purpose, StrongVerification
from consents.selectors import consent_check, partner_by_code, purpose_by_code
from core.encryption import blind_index
from core.masking import mask_bank_card

FACE_PURPOSE = "face_verification"
FACE_PARTNER = "face_provider"


def face_purpose() -> Purpose:
    return purpose_by_code(FACE_PURPOSE)


def face_partner() -> Partner:
    return partner_by_code(FACE_PARTNER)


def face_consent_given(*, user, partner: Partner | None = None) -> bool:
    """Consent to face verification AND to sharing with the face-recognition partner, both current."""
    return consent_check(subject=user, purpose=face_purpose(), partner=partner or face_partner()).allowed


@dataclass(frozen=True)
class VerificationOverview:
    level: int
    level_label: str
    face_consent: bool
    face_partner: Partner
    bank_card_masked: str
    bank_card_valid: bool
    history: list[StrongVerification]

    @property
    def eligible(self) -> bool:
        """At level 2 exactly: identity verified, level 3 not yet reached."""
        return self.level == VerificationLevel.IDENTITY_VERIFIED

    @property
    def reached(self) -> bool:
        return self.level >= VerificationLevel.FACE_VERIFIED

    @property
    def needs_identity(self) -> bool:
        return self.level < VerificationLevel.IDENTITY_VERIFIED


HISTORY_LENGTH = 20


def verification_overview_for(
    *, user, identity: tuple[IdentityProfile, bool] | None = None, read_history: bool = True
) -> VerificationOverview:
    """Everything the verification page and panel show, in a constant number of queries.

    ``identity``: the profile and contact check when the caller read them already;
    ``read_history=False``: the caller knows there were no checks (no query for them).
    """
    profile, contact = identity or identity_profile_and_contact_for(user=user)
    level = verification_level_for(user=user, profile=profile, contact_is_verified=contact)
    try:
        card_valid = bool(profile.bank_card) and bool(clean_bank_card(profile.bank_card))
    except ValidationError:
        card_valid = False
    history = (
        list(
            StrongVerification.objects.filter(user=user)
            .select_related("partner")
            .order_by("-created_at", "-id")[:HISTORY_LENGTH]
        )
        if read_history
        else []
    )
    partner = face_partner()
    return VerificationOverview(
        level=level,
        level_label=str(VerificationLevel(level).label),
        face_consent=face_consent_given(user=user, partner=partner),
        face_partner=partner,
        bank_card_masked=mask_bank_card(profile.bank_card),
        bank_card_valid=card_valid,
        history=history,
    )


def strong_checks_since(*, user, hours: int) -> int:
    """Face and bank-card checks that got an answer (outages do not count against the person)."""
    since = timezone.now() - timedelta(hours=hours)
    return (
        StrongVerification.objects.filter(
            user=user,
            created_at__gte=since,
            method__in=[StrongVerification.Method.FACE, StrongVerification.Method.BANK_CARD],
        )
        .exclude(outcome=StrongVerification.Outcome.UNAVAILABLE)
        .count()
    )


def profile_by_verified_id_number(*, id_number: str) -> IdentityProfile | None:
    """The identity-verified profile holding this (normalised) ID number, found by its keyed hash."""
    return (
        IdentityProfile.objects.filter(
            id_number_hash=blind_index(id_number), verification_level__gte=VerificationLevel.IDENTITY_VERIFIED
        )
        .select_related("user")
        .first()
    )
