"""allauth's account signals, turned into activity records and ended sessions.

Connected from ``AccountsConfig.ready()`` (the app is listed after
``allauth.usersessions``, so allauth's own receivers, which open the session
record at sign-in, run before these).
"""

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.signals import password_changed, password_reset, password_set, user_logged_in
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from . import services
from .middleware import activity_mark_seen


def _client_ip(request) -> str:
    try:
        # allauth's adapter knows how many proxies to trust for X-Forwarded-For.
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return ""


@receiver(user_logged_in, dispatch_uid="accounts.activity.record_login")
def record_login(sender, request, user, **kwargs):
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is not None:
        method = f"{services.LoginMethod.LINKED_ACCOUNT}:{sociallogin.account.provider}"
    else:
        method = services.login_method_from(records=get_authentication_records(request, user))
    services.login_activity_record(
        user=user,
        ip=_client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        method=method,
    )
    # allauth's own receiver has just opened the session record: the next
    # pages need not write it again before the activity interval has passed.
    activity_mark_seen(request=request)


@receiver(password_changed, dispatch_uid="accounts.activity.end_sessions_on_password_change")
@receiver(password_set, dispatch_uid="accounts.activity.end_sessions_on_password_set")
def end_other_sessions(sender, request, user, **kwargs):
    # Whoever changed the password keeps the session they did it in; a thief
    # holding another session is signed out there and then.
    services.user_sessions_end_others(
        user=user, keep_session_key=request.session.session_key, reason="password_changed"
    )


@receiver(password_reset, dispatch_uid="accounts.activity.end_sessions_on_password_reset")
def end_all_sessions(sender, request, user, **kwargs):
    # A reset comes from someone who could not sign in: no session of the
    # account is known to be theirs, so all of them end.
    services.user_sessions_end_all(user=user, reason="password_reset")
