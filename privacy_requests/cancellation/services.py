"""Account cancellation: filing it, the cooling-off window, reversing it, anonymising the account.

Clause 8.5: a citizen cancels online (or customer service files it for them
after checking their identity by phone), with no other conditions. Every
session ends at once. During a cooling-off window (7 days by default,
always ending before the due date) signing in offers only "reverse the
cancellation" (``middleware.CancellationPendingMiddleware``). Afterwards
staff complete the request within the 15 working days: the fulfilment
handler (``fulfilment/cancellation.py``) erases the personal data except
what a hold keeps and anonymises the account here, so it can no longer
be used and its email address and mobile number can register again.
"""

from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.activity.services import user_sessions_end_all
from accounts.models import User
from audit.services import audit_record
from core.site import site_url
from notifications.services import notification_send
from privacy_requests.models import PrivacyRequest, RequestChannel, RequestKind
from privacy_requests.notification_kinds import ACCOUNT_CANCELLATION_FILED
from privacy_requests.working_days import is_working_day

from .selectors import cancellation_in_cooling_off

DEFAULT_COOLING_OFF_DAYS = 7
# The registry's categories (accounts/personal_data.py) the account itself depends on.
PROFILE_CATEGORY = "profile"
SOCIAL_ACCOUNTS_CATEGORY = "social_accounts"
SESSIONS_CATEGORY = "sessions"
IDENTITY_NOTE_MAX_LENGTH = int(PrivacyRequest._meta.get_field("identity_check_note").max_length or 0)


def cooling_off_days() -> int:
    return int(getattr(settings, "PRIVACY_CANCELLATION_COOLING_OFF_DAYS", DEFAULT_COOLING_OFF_DAYS))


def _last_working_day_before(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def cancellation_cooling_off_end(*, start: datetime, due_date: date | None) -> datetime:
    """When the cooling-off window that opens at ``start`` closes.

    ``cooling_off_days()`` calendar days, but always before the due date:
    if that would reach the due date, the window closes at the start of the
    last working day before it, so staff keep at least that day and the due
    date itself to complete the cancellation in time.
    """
    end = start + timedelta(days=cooling_off_days())
    if due_date is None or timezone.localdate(end) < due_date:
        return end
    latest = timezone.make_aware(datetime.combine(_last_working_day_before(due_date), time.min))
    return max(min(end, latest), start)


def _file(*, user: User, create_kwargs: dict, actor: User) -> PrivacyRequest:
    from privacy_requests.services import privacy_request_create

    with transaction.atomic():
        request = privacy_request_create(requester=user, kind=RequestKind.CANCELLATION, details={}, **create_kwargs)
        if request.due_date is None:
            # Not verified (cannot happen through this module): no clock, no window.
            return request
        request.cooling_off_until = cancellation_cooling_off_end(start=timezone.now(), due_date=request.due_date)
        request.save(update_fields=["cooling_off_until"])
        # Every session, at once; the view also signs out the browser it answers.
        ended = user_sessions_end_all(user=user, reason="account_cancellation")
        audit_record(
            actor=actor,
            action="privacy_request.cancellation_cooling_off",
            target=request,
            details={"cooling_off_until": request.cooling_off_until.isoformat(), "sessions_ended": ended},
        )
        notification_send(
            recipient=user,
            kind=ACCOUNT_CANCELLATION_FILED,
            context={
                "reference": request.reference,
                "cooling_off_until": request.cooling_off_until,
                "due_date": request.due_date,
                "on_behalf": request.filed_by_id is not None,
                "sign_in_url": site_url("/accounts/login/"),
            },
        )
    return request


def cancellation_request(*, user: User, identity_check) -> PrivacyRequest:
    """The citizen cancels their account online, right after a step-up check (``identity_check``).

    Raises ``DuplicateRequest`` if a cancellation is already open. Ends all
    of the person's sessions; the caller signs out the current one.
    """
    if identity_check is None:
        raise ValueError("an online cancellation needs the step-up check it relied on")
    return _file(
        user=user,
        create_kwargs={"channel": RequestChannel.WEB, "identity_check": identity_check},
        actor=user,
    )


def cancellation_file_on_behalf(*, citizen: User, staff: User, identity_check_note: str) -> PrivacyRequest:
    """Customer service files a cancellation for ``citizen`` after checking their identity by phone.

    ``identity_check_note`` says how identity was checked (e.g. "called back
    on the registered number, confirmed ID number's last 4 and date of
    birth"); it is kept on the request, which is recorded as entered by
    ``staff`` on the phone channel. The same cooling-off applies, and the
    citizen is told by email and inbox, so a cancellation they did not ask
    for can be reversed by signing in.
    """
    from privacy_requests.services import TransitionNotAllowed

    if staff is None or not staff.is_staff:
        raise TransitionNotAllowed(_("Only a staff member can do this."))
    if not citizen.is_active:
        raise TransitionNotAllowed(_("This account is already closed."))
    if citizen.pk == staff.pk:
        raise TransitionNotAllowed(_("Staff cancel their own account through the portal, like everyone else."))
    note = " ".join((identity_check_note or "").split())
    if not note:
        raise TransitionNotAllowed(_("Say how the citizen's identity was checked on the phone."))
    if len(note) > IDENTITY_NOTE_MAX_LENGTH:
        raise TransitionNotAllowed(
            _("Describe the identity check in at most %(limit)d characters.") % {"limit": IDENTITY_NOTE_MAX_LENGTH}
        )
    return _file(
        user=citizen,
        create_kwargs={"channel": RequestChannel.PHONE, "identity_check_note": note, "filed_by": staff},
        actor=staff,
    )


def cancellation_reverse(*, request: PrivacyRequest, actor: User) -> PrivacyRequest:
    """The citizen reverses their cancellation during the cooling-off window: the account is theirs again."""
    from privacy_requests.services import TransitionNotAllowed, privacy_request_withdraw

    if request.kind != RequestKind.CANCELLATION:
        raise ValueError("not an account cancellation")
    if not cancellation_in_cooling_off(request=request):
        raise TransitionNotAllowed(
            _("The cooling-off period has ended: the cancellation can no longer be reversed online.")
        )
    with transaction.atomic():
        privacy_request_withdraw(request=request, actor=actor)
        audit_record(
            actor=actor, action="privacy_request.cancellation_reversed", target=request, details={"kind": request.kind}
        )
    return request


def cancellation_account_close(*, user: User, actor, request: PrivacyRequest, kept: frozenset = frozenset()) -> None:
    """Make the account unusable and free its identifiers for a new registration.

    Runs after the registry's erasers (``kept``: the category codes a hold
    kept). Always: inactive, an unusable password. Unless the account's
    profile is held: names blanked, email address and mobile number cleared
    (with allauth's address rows), so both can register again. Linked
    accounts and sessions go too, unless held. The row itself stays,
    anonymous, so that what the law keeps and the request's own record
    still have an owner.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        fields = ["is_active", "password"]
        locked.is_active = False
        locked.set_unusable_password()
        if PROFILE_CATEGORY not in kept:
            EmailAddress.objects.filter(user=locked).delete()
            locked.username = f"cancelled-{locked.pk}"
            locked.email = locked.first_name = locked.last_name = ""
            locked.phone = locked.phone_hash = ""
            locked.phone_verified = False
            fields += ["username", "email", "first_name", "last_name", "phone", "phone_hash", "phone_verified"]
        if SOCIAL_ACCOUNTS_CATEGORY not in kept:
            SocialAccount.objects.filter(user=locked).delete()
        ended = 0
        if SESSIONS_CATEGORY not in kept:
            sessions = list(UserSession.objects.filter(user=locked))
            for session in sessions:
                session.end()
            ended = len(sessions)
        locked.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="account.closed",
            target=locked,
            details={
                "request": request.reference,
                "identifiers_cleared": PROFILE_CATEGORY not in kept,
                "sessions_ended": ended,
            },
        )
    # The caller's object (often ``request.requester``) must not carry the old values on.
    for name in fields:
        setattr(user, name, getattr(locked, name))
