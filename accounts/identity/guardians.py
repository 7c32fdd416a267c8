"""Guardianship of minors' accounts: request, confirm with a code, end.

A guardian starts a link from their own identity-verified account; the
minor's account receives a six-digit code and confirms with it. Codes are
stored hashed, expire after ``GUARDIAN_CODE_VALID_MINUTES`` and allow
``GUARDIAN_CODE_MAX_ATTEMPTS`` tries. Reads (``guardian_of``,
``can_act_for``) live in ``selectors``.
"""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import GuardianLink, IdentityProfile, User
from accounts.models import VerificationLevel as Level
from accounts.notification_kinds import GUARDIAN_LINK_CONFIRMED, GUARDIAN_LINK_ENDED, GUARDIAN_LINK_REQUESTED
from accounts.validators import clean_id_number
from audit.services import audit_record
from core.encryption import blind_index
from notifications.services import notification_send

from . import selectors

RESEND_AFTER = timedelta(minutes=1)


class GuardianNotEligible(Exception):
    """Only an adult with a verified identity may become a guardian."""


def _details(link: GuardianLink) -> dict:
    return {"link_id": link.pk, "guardian_id": link.guardian_id, "minor_id": link.minor_id}


def guardian_eligible(*, user: User, profile: IdentityProfile | None = None) -> bool:
    profile = profile or selectors.identity_profile_for(user=user)
    return selectors.verification_level_for(
        user=user, profile=profile
    ) >= Level.IDENTITY_VERIFIED and not selectors.user_is_minor(user=user, profile=profile)


def _find_minor(identifier: str) -> User | None:
    """The account named by email or resident ID number, if it is an active minor's; None for anything else."""
    identifier = (identifier or "").strip()
    if "@" in identifier:
        address = EmailAddress.objects.filter(email__iexact=identifier, verified=True).select_related("user").first()
        candidates = [address.user] if address else []
    else:
        try:
            id_number = clean_id_number(identifier)
        except ValidationError as error:
            raise ValidationError({"identifier": [error]}) from None
        profiles = IdentityProfile.objects.filter(id_number_hash=blind_index(id_number)).select_related("user")
        # An unverified profile could carry someone else's number: prefer the
        # verified holder, and give up if the number is claimed ambiguously.
        verified = [p.user for p in profiles if p.verification_level >= Level.IDENTITY_VERIFIED]
        candidates = verified or [p.user for p in profiles]
        if len(candidates) > 1:
            return None
    if not candidates:
        return None
    minor = candidates[0]
    if not minor.is_active or not selectors.user_is_minor(user=minor):
        return None
    return minor


def _recently_sent(link: GuardianLink) -> bool:
    if link.code_expires_at is None:
        return False
    sent_at = link.code_expires_at - timedelta(minutes=settings.GUARDIAN_CODE_VALID_MINUTES)
    return timezone.now() < sent_at + RESEND_AFTER


def _send_code(link: GuardianLink) -> None:
    code = f"{secrets.randbelow(10**6):06d}"
    link.code_hash = make_password(code)
    link.code_expires_at = timezone.now() + timedelta(minutes=settings.GUARDIAN_CODE_VALID_MINUTES)
    link.code_attempts = 0
    link.save(update_fields=["code_hash", "code_expires_at", "code_attempts"])
    guardian_identity = selectors.identity_profile_for(user=link.guardian)
    notification_send(
        recipient=link.minor,
        kind=GUARDIAN_LINK_REQUESTED,
        context={
            "code": code,
            "guardian_name": guardian_identity.legal_name or link.guardian.get_username(),
            "valid_minutes": settings.GUARDIAN_CODE_VALID_MINUTES,
        },
    )


def guardian_link_request(*, guardian: User, identifier: str) -> GuardianLink | None:
    """Start (or renew the code of) a link from ``guardian`` to the minor's account named by ``identifier``.

    ``identifier`` is the minor's account email or resident ID number.
    Returns the pending or confirmed link, or None when the account is
    unknown or not a minor's: callers show one neutral message for both, so
    the form cannot be used to find out who has an account.
    """
    if not guardian_eligible(user=guardian):
        raise GuardianNotEligible
    minor = _find_minor(identifier)
    if minor is None or minor.pk == guardian.pk:
        return None
    with transaction.atomic():
        link = (
            GuardianLink.objects.select_for_update()
            .filter(
                guardian=guardian, minor=minor, state__in=[GuardianLink.State.PENDING, GuardianLink.State.CONFIRMED]
            )
            .first()
        )
        if link is not None and link.state == GuardianLink.State.CONFIRMED:
            return link
        if link is None:
            link = GuardianLink.objects.create(guardian=guardian, minor=minor)
            audit_record(actor=guardian, action="guardian.link_requested", target=link, details=_details(link))
        elif _recently_sent(link):
            # Asking twice in a row must not flood the minor's mailbox.
            return link
        _send_code(link)
    return link


def guardian_link_code_resend(*, guardian: User, link: GuardianLink) -> None:
    """Send a fresh code for a pending link; the old one stops working."""
    with transaction.atomic():
        link = GuardianLink.objects.select_for_update().get(pk=link.pk, guardian=guardian)
        if link.state != GuardianLink.State.PENDING:
            raise ValidationError(_("This link is no longer waiting for confirmation."), code="not_pending")
        if _recently_sent(link):
            raise ValidationError(_("A code was sent less than a minute ago. Please wait a moment."), code="too_soon")
        _send_code(link)
        audit_record(actor=guardian, action="guardian.code_resent", target=link, details=_details(link))


def guardian_link_confirm(*, minor: User, link: GuardianLink, code: str) -> GuardianLink:
    """The minor's side confirms a pending link with the code it received.

    A wrong code counts against the code's attempts (and that count is kept
    even though the call fails); an expired or used-up code needs a new one
    from the guardian.
    """
    failure = None
    with transaction.atomic():
        link = GuardianLink.objects.select_for_update().select_related("guardian").get(pk=link.pk, minor=minor)
        if link.state != GuardianLink.State.PENDING:
            raise ValidationError({"code": [_("This link is no longer waiting for confirmation.")]}, code="not_pending")
        if link.code_attempts >= settings.GUARDIAN_CODE_MAX_ATTEMPTS:
            failure = ValidationError(
                _("This code was tried too many times. Ask your guardian to send a new code."), code="attempts"
            )
        elif link.code_expires_at is None or link.code_expires_at <= timezone.now():
            failure = ValidationError(_("This code has expired. Ask your guardian to send a new code."), code="expired")
        elif not check_password((code or "").strip(), link.code_hash):
            link.code_attempts += 1
            link.save(update_fields=["code_attempts"])
            audit_record(
                actor=minor,
                action="guardian.code_failed",
                target=link,
                details={**_details(link), "attempts": link.code_attempts},
            )
            left = settings.GUARDIAN_CODE_MAX_ATTEMPTS - link.code_attempts
            failure = ValidationError(
                _("The code is not correct. Tries left: %(left)d.") % {"left": left}, code="wrong_code"
            )
        else:
            link.state = GuardianLink.State.CONFIRMED
            link.confirmed_at = timezone.now()
            link.code_hash = ""
            link.code_expires_at = None
            link.save(update_fields=["state", "confirmed_at", "code_hash", "code_expires_at"])
            audit_record(actor=minor, action="guardian.link_confirmed", target=link, details=_details(link))
            notification_send(recipient=link.guardian, kind=GUARDIAN_LINK_CONFIRMED)
    # Raised after the block so the counted attempt is committed, not rolled back.
    if failure is not None:
        raise ValidationError({"code": [failure]})
    return link


def guardian_link_end(*, actor: User, link: GuardianLink) -> None:
    """Either side ends a pending or confirmed link; the other side is told."""
    with transaction.atomic():
        link = GuardianLink.objects.select_for_update().select_related("guardian", "minor").get(pk=link.pk)
        if actor.pk not in (link.guardian_id, link.minor_id):
            raise PermissionError("only the guardian or the minor may end a guardian link")
        if link.state == GuardianLink.State.REVOKED:
            return
        was_confirmed = link.state == GuardianLink.State.CONFIRMED
        link.state = GuardianLink.State.REVOKED
        link.ended_at = timezone.now()
        link.code_hash = ""
        link.code_expires_at = None
        link.save(update_fields=["state", "ended_at", "code_hash", "code_expires_at"])
        audit_record(actor=actor, action="guardian.link_ended", target=link, details=_details(link))
        if was_confirmed:
            other = link.minor if actor.pk == link.guardian_id else link.guardian
            notification_send(recipient=other, kind=GUARDIAN_LINK_ENDED)
