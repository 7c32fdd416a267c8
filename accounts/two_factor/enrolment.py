"""Staff get their first admin second factor only through a link someone else issued.

Self-enrolment is right for citizens and wrong for staff: with it, a leaked
staff password was enough to set up an authenticator and open admin. So a
staff account without an admin-capable factor cannot set one up until a
superuser or privacy officer issues a single-use link (valid 24 hours,
emailed through the outbox), or an operator runs ``manage.py staff_enrol``
on the server. Opening the link while signed in as that staff member lets
this one session set up an authenticator for the next 30 minutes.
Issuing, using and resetting are all in the audit log.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import StaffEnrolment, User
from accounts.notification_kinds import STAFF_ENROLMENT
from audit.services import audit_record
from core.logging import security_log
from core.site import site_url
from notifications.services import notification_send

from .selectors import admin_device_confirmed

LINK_VALID = timedelta(hours=24)
SETUP_WINDOW = timedelta(minutes=30)
SESSION_KEY = "staff_enrolment"
PERMISSION = "accounts.manage_staff_second_factor"


class EnrolmentRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _may_manage(actor: User | None, staff_member: User) -> None:
    """Someone else with the permission; ``None`` is the server operator (management command)."""
    if actor is None:
        return
    if actor.pk == staff_member.pk:
        raise PermissionDenied(_("Nobody can issue or reset their own second factor."))
    if not (actor.is_active and (actor.is_superuser or actor.has_perm(PERMISSION))):
        raise PermissionDenied(_("Only a superuser or a privacy officer can do this."))


def _revoke_open_links(*, staff_member: User, now) -> int:
    return StaffEnrolment.objects.filter(
        user=staff_member, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)


def staff_enrolment_issue(*, staff_member: User, issued_by: User | None) -> str:
    """A new enrolment link for ``staff_member`` (earlier unused ones stop working); returns the link.

    Issued in admin, the link is emailed to the staff member through the
    outbox; issued on the server (``issued_by=None``), the caller prints it.
    """
    _may_manage(issued_by, staff_member)
    if not (staff_member.is_active and staff_member.is_staff):
        raise EnrolmentRefused(_("Enrolment links are for active staff accounts."))
    if issued_by is not None and not staff_member.email:
        raise EnrolmentRefused(_("This staff account has no email address to send the link to."))
    token = secrets.token_urlsafe(32)
    link = site_url(reverse("accounts:two_factor_staff_enrol", args=[token]))
    now = timezone.now()
    with transaction.atomic():
        replaced = _revoke_open_links(staff_member=staff_member, now=now)
        enrolment = StaffEnrolment.objects.create(
            user=staff_member, token_hash=_token_hash(token), issued_by=issued_by, expires_at=now + LINK_VALID
        )
        audit_record(
            actor=issued_by,
            action="staff_enrolment.issued",
            target=staff_member,
            details={
                "enrolment": enrolment.pk,
                "delivery": "email" if issued_by is not None else "server",
                "replaced": replaced,
            },
        )
        if issued_by is not None:
            notification_send(
                recipient=staff_member,
                kind=STAFF_ENROLMENT,
                context={"link": link, "valid_hours": int(LINK_VALID.total_seconds() // 3600)},
            )
    return link


def staff_enrolment_redeem(*, request, token: str) -> StaffEnrolment:
    """Use the link: this session may now set up an authenticator, for a short while."""
    user = request.user
    now = timezone.now()
    with transaction.atomic():
        enrolment = StaffEnrolment.objects.select_for_update().filter(token_hash=_token_hash(token), user=user).first()
        if enrolment is None or enrolment.used_at or enrolment.revoked_at or enrolment.expires_at <= now:
            security_log.warning("staff enrolment link refused: user_id=%s", user.pk)
            raise EnrolmentRefused(
                _(
                    "This enrolment link cannot be used: it has expired, was already used, was replaced by a newer "
                    "one, or belongs to another account. Ask a privacy officer for a new link."
                )
            )
        enrolment.used_at = now
        enrolment.save(update_fields=["used_at"])
        audit_record(actor=user, action="staff_enrolment.used", target=user, details={"enrolment": enrolment.pk})
    request.session[SESSION_KEY] = {"id": enrolment.pk, "until": (now + SETUP_WINDOW).isoformat()}
    return enrolment


def staff_may_set_up_authenticator(*, request) -> bool:
    """Citizens always; staff only with an admin-capable factor already, or a link used in this session."""
    user = request.user
    if not user.is_staff or admin_device_confirmed(user=user):
        return True
    granted = request.session.get(SESSION_KEY) or {}
    try:
        until = datetime.fromisoformat(granted["until"])
    except (KeyError, TypeError, ValueError):
        return False
    return (
        until > timezone.now()
        and StaffEnrolment.objects.filter(pk=granted.get("id"), user=user, used_at__isnull=False).exists()
    )


def staff_enrolment_finish(*, request) -> None:
    """The authenticator is set up: the link's permission ends with it."""
    request.session.pop(SESSION_KEY, None)


def staff_second_factor_reset(*, staff_member: User, actor: User) -> None:
    """Remove every second factor of ``staff_member`` (a lost phone); someone else does it, audited.

    The person then needs a new enrolment link to reach admin again.
    """
    _may_manage(actor, staff_member)
    if actor is None:
        raise PermissionDenied(_("Only a superuser or a privacy officer can do this."))
    with transaction.atomic():
        removed = {}
        for label, model in (("authenticators", TOTPDevice), ("recovery", StaticDevice), ("email", EmailDevice)):
            devices = model.objects.filter(user=staff_member)
            removed[label] = devices.count()
            devices.delete()
        revoked = _revoke_open_links(staff_member=staff_member, now=timezone.now())
        audit_record(
            actor=actor,
            action="two_factor.reset_by_staff",
            target=staff_member,
            details={**removed, "links_revoked": revoked},
        )
