"""Sign-in records and sessions: every write goes through a function here.

Clause 3.1: a citizen sees their own sign-ins (time, network, device, how)
and their open sessions, and can end any of them. Ending a session removes
its server-side session data, so the browser holding it is signed out on
its next request.
"""

from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import LoginActivity, User
from audit.services import audit_record

from .network import truncate_ip

USER_AGENT_MAX_LENGTH = LoginActivity._meta.get_field("user_agent").max_length
METHOD_MAX_LENGTH = LoginActivity._meta.get_field("method").max_length


class LoginMethod(models.TextChoices):
    EMAIL_PASSWORD = "email_password", _("Email address and password")
    PHONE_PASSWORD = "phone_password", _("Mobile number and password")
    SIGN_UP = "signup", _("Right after signing up")
    CODE = "code", _("Sign-in code")
    PASSWORD_RESET = "password_reset", _("Password reset")
    LINKED_ACCOUNT = "social", _("Linked account")
    OTHER = "other", _("Other")


def login_method_from(*, records: list[dict]) -> str:
    """Name how a sign-in was made, from allauth's record of the session's authentication steps.

    A linked account is stored as ``social:<provider>`` so the list can say
    which one. A sign-in with no password step is the one allauth makes right
    after sign-up, once the email code is confirmed.
    """
    if not records:
        return LoginMethod.SIGN_UP
    last = records[-1]
    method = last.get("method")
    if method == "password":
        # allauth notes the email address (or username) a password sign-in
        # used; a sign-in by mobile number leaves neither.
        if last.get("email"):
            return LoginMethod.EMAIL_PASSWORD
        if last.get("username"):
            return LoginMethod.OTHER
        return LoginMethod.PHONE_PASSWORD
    if method == "socialaccount":
        return f"{LoginMethod.LINKED_ACCOUNT}:{last.get('provider', '')}"[:METHOD_MAX_LENGTH]
    if method in (LoginMethod.CODE, LoginMethod.PASSWORD_RESET):
        return method
    return LoginMethod.OTHER


def login_activity_record(*, user: User, ip: str, user_agent: str, method: str) -> LoginActivity:
    """Keep one successful sign-in. The IP address is cut to its network before it is stored."""
    return LoginActivity.objects.create(
        user=user,
        ip_prefix=truncate_ip(ip),
        user_agent=(user_agent or "")[:USER_AGENT_MAX_LENGTH],
        method=(method or "")[:METHOD_MAX_LENGTH],
    )


def _end(*, actor: User | None, user: User, sessions: list[UserSession], reason: str) -> int:
    if not sessions:
        return 0
    with transaction.atomic():
        ids = [session.pk for session in sessions]
        get_usersessions_adapter().end_sessions(sessions)
        audit_record(
            actor=actor, action="account.sessions_ended", target=user, details={"session_ids": ids, "reason": reason}
        )
    return len(ids)


def user_session_end(*, user: User, session: UserSession) -> None:
    """End one of ``user``'s sessions, chosen by them (the caller checked it is theirs)."""
    _end(actor=user, user=user, sessions=[session], reason="signed_out_by_person")


def user_sessions_end_others(*, user: User, keep_session_key: str | None, reason: str) -> int:
    """End every session of ``user`` but the one with ``keep_session_key``; return how many."""
    sessions = [s for s in UserSession.objects.filter(user=user) if s.session_key != keep_session_key]
    return _end(actor=user, user=user, sessions=sessions, reason=reason)


def user_sessions_end_all(*, user: User, reason: str) -> int:
    """End every session of ``user``, e.g. after a password reset from a link."""
    return _end(actor=user, user=user, sessions=list(UserSession.objects.filter(user=user)), reason=reason)


def user_session_touch(*, request, user: User, session) -> None:
    """Open or refresh ``session``'s record: last seen now, from this request's network and browser.

    allauth's own update, so a change of client still sends its
    ``session_client_changed`` signal. Called at most once per
    ``SESSION_ACTIVITY_INTERVAL`` per session (``activity.middleware``).
    """
    UserSession.objects.create_from_request(request, user=user, session=session)
