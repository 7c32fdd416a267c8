"""Reaching identity level 3: face verification, a bank-card check, or a check at a service counter.

Face verification needs the person's separate consent, both to the purpose
and to sharing with the face-recognition partner; it is never the only way.
Each check leaves a ``StrongVerification`` (outcome, time, the provider's
reference; never an image) and an audit event in one transaction. A pass
raises the level from 2 (identity verified) to 3; below level 2 no check
starts, because level 3 confirms an identity already checked.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.identity.selectors import identity_profile_for, verification_level_for
from accounts.models import IdentityProfile, VerificationLevel
from accounts.validators import clean_bank_card
from audit.services import audit_record
from consents.models import ConsentChannel, PolicyDisplay, PolicyVersion, StrongVerification
from consents.services import consent_grant, consent_withdraw, policy_display_record

from . import conf, selectors
from .providers import CheckResult, Outcome, ProviderUnavailable, get_bank_card_provider, get_face_provider

logger = logging.getLogger(__name__)

Method = StrongVerification.Method


class StrongVerificationError(Exception):
    """The check cannot start; the message says why, in the person's language."""


class StrongVerificationThrottled(StrongVerificationError):
    pass


# -- Consent to face verification -------------------------------------------


def face_consent_give(
    *, user, channel: str = ConsentChannel.WEB, actor=None, shown_version: PolicyVersion | None = None
) -> None:
    """Consent to face verification and to sharing with the partner, together (``ConsentError`` if refused).

    ``shown_version`` is the policy version the consent screen showed; its
    display is recorded with the two consents that name it. Without it they
    name the version in effect.
    """
    purpose, partner = selectors.face_purpose(), selectors.face_partner()
    with transaction.atomic():
        if shown_version is not None:
            policy_display_record(
                subject=actor or user,
                version=shown_version,
                purpose=purpose,
                context=PolicyDisplay.Context.CONSENT_REQUEST,
            )
        for shared_with in (None, partner):
            consent_grant(
                subject=user,
                purpose=purpose,
                partner=shared_with,
                channel=channel,
                actor=actor,
                policy_version=shown_version,
            )


def face_consent_withdraw(*, user, channel: str = ConsentChannel.WEB, actor=None) -> None:
    """Withdraw it; the sharing with the partner goes with the purpose."""
    consent_withdraw(subject=user, purpose=selectors.face_purpose(), channel=channel, actor=actor)


# -- Checks -----------------------------------------------------------------


def _ready(*, user) -> IdentityProfile:
    profile = identity_profile_for(user=user)
    level = verification_level_for(user=user, profile=profile)
    if level >= VerificationLevel.FACE_VERIFIED:
        raise StrongVerificationError(_("Your identity is already verified at level 3."))
    if level < VerificationLevel.IDENTITY_VERIFIED:
        raise StrongVerificationError(
            _("First verify your identity with your legal name and resident ID number (level 2).")
        )
    return profile


def _throttle(*, user) -> None:
    if selectors.strong_checks_since(user=user, hours=24) >= conf.daily_limit():
        raise StrongVerificationThrottled(_("You have tried too many times today. Please try again tomorrow."))


def _ask(provider, ask, **kwargs) -> CheckResult:
    """The provider's answer; an outage or a broken provider reads as "unavailable", never a 500."""
    try:
        result = ask(**kwargs)
    except (ProviderUnavailable, TimeoutError, ConnectionError) as exc:
        logger.warning("strong verification provider %s unavailable: %s", provider.name, type(exc).__name__)
        return CheckResult(Outcome.UNAVAILABLE)
    except Exception:  # a broken provider must read as an outage to the citizen
        logger.exception("strong verification provider %s failed", provider.name)
        return CheckResult(Outcome.UNAVAILABLE)
    if result.outcome not in Outcome.values:
        logger.error("strong verification provider %s gave an unknown outcome", provider.name)
        return CheckResult(Outcome.UNAVAILABLE, result.reference)
    return result


def _record(*, user, method: str, outcome: str, reference: str = "", partner=None, actor=None) -> StrongVerification:
    """Store the outcome and, for a pass at level 2, raise the level to 3; one transaction with the audit."""
    with transaction.atomic():
        profile = IdentityProfile.objects.select_for_update().get_or_create(user=user)[0]
        check = StrongVerification.objects.create(
            user=user, method=method, outcome=outcome, reference=reference[:100], partner=partner, recorded_by=actor
        )
        raised = outcome == Outcome.PASSED and profile.verification_level == VerificationLevel.IDENTITY_VERIFIED
        if raised:
            profile.verification_level = VerificationLevel.FACE_VERIFIED
            profile.save(update_fields=["verification_level", "updated_at"])
        audit_record(
            actor=actor or user,
            action="identity.strong_verification",
            target=("accounts.user", user.pk),
            details={
                "method": method,
                "outcome": outcome,
                "verification_id": check.pk,
                "level": int(profile.verification_level),
                "level_raised": raised,
            },
        )
    return check


def face_check(*, user) -> StrongVerification:
    """Hand the person to the face-recognition partner and record its answer.

    Raises ``StrongVerificationError`` when the check cannot start (level,
    missing consent, daily limit). An unavailable partner is recorded as
    such and changes nothing else: the person tries again later.
    """
    profile = _ready(user=user)
    partner = selectors.face_partner()
    if not selectors.face_consent_given(user=user, partner=partner):
        if not partner.agreement_in_force():
            raise StrongVerificationError(
                _("Face verification is not offered at the moment. Please use another way to reach level 3.")
            )
        raise StrongVerificationError(
            _("Face verification needs your consent first, to the check and to the face-recognition partner.")
        )
    _throttle(user=user)
    provider = get_face_provider()
    # Outside any transaction: a slow partner must not hold row locks.
    result = _ask(provider, provider.check_face, legal_name=profile.legal_name, id_number=profile.id_number)
    return _record(user=user, method=Method.FACE, outcome=result.outcome, reference=result.reference, partner=partner)


def bank_card_check(*, user) -> StrongVerification:
    """Check the bank card on the person's identity profile against their identity, through the provider."""
    profile = _ready(user=user)
    try:
        bank_card = clean_bank_card(profile.bank_card) if profile.bank_card else ""
    except ValidationError:
        bank_card = ""
    if not bank_card:
        raise StrongVerificationError(
            _("Add a valid bank card number in your own name to your identity profile first.")
        )
    _throttle(user=user)
    provider = get_bank_card_provider()
    result = _ask(
        provider,
        provider.check_bank_card,
        legal_name=profile.legal_name,
        id_number=profile.id_number,
        bank_card=bank_card,
    )
    return _record(user=user, method=Method.BANK_CARD, outcome=result.outcome, reference=result.reference)


def counter_check_record(*, user, staff) -> StrongVerification:
    """Staff at a service counter checked the person and their ID card in person: level 3.

    Raises ``StrongVerificationError`` if the person is not at level 2.
    """
    _ready(user=user)
    return _record(user=user, method=Method.COUNTER, outcome=Outcome.PASSED, actor=staff)
