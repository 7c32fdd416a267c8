"""Reads for the activity pages and API: sign-in records and open sessions."""

from dataclasses import dataclass
from datetime import datetime

from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.socialaccount.providers import registry
from allauth.usersessions.models import UserSession
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.models import LoginActivity, User

from .devices import device_name
from .network import truncate_ip
from .services import LoginMethod


def login_activity_for(*, user: User) -> QuerySet[LoginActivity]:
    """The person's sign-ins, newest first."""
    return LoginActivity.objects.filter(user=user).order_by("-created_at", "-id")


def login_method_label(method: str) -> str:
    """What the person reads for a stored sign-in method, e.g. "Linked account (weixin)"."""
    kind, _, provider = (method or "").partition(":")
    if kind not in LoginMethod.values:
        return str(LoginMethod.OTHER.label)
    label = str(LoginMethod(kind).label)
    return f"{label} ({provider})" if provider else label


@dataclass(frozen=True)
class SessionRow:
    """One open session as the person sees it: the network, never the full address."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    ip: str
    user_agent: str
    # What the person reads: "Chrome 131 on Windows".
    device: str
    current: bool


def sessions_for(*, user: User, current_session_key: str | None) -> list[SessionRow]:
    """The person's open sessions, the current one first, then most recently used.

    allauth's ``purge_and_list`` drops records of sessions that have expired
    or been signed out in the meantime, so the list shows only live ones.
    """
    rows = [
        SessionRow(
            id=session.pk,
            created_at=session.created_at,
            last_seen_at=session.last_seen_at,
            ip=truncate_ip(session.ip),
            user_agent=session.user_agent,
            device=device_name(session.user_agent),
            current=bool(current_session_key) and session.session_key == current_session_key,
        )
        for session in UserSession.objects.purge_and_list(user)
    ]
    return sorted(rows, key=lambda row: (not row.current, -row.last_seen_at.timestamp()))


def access_user_session(*, user: User, session_id: int) -> UserSession:
    """The session if it is ``user``'s; 404 otherwise, never 403."""
    try:
        return UserSession.objects.get(pk=session_id, user=user)
    except UserSession.DoesNotExist:
        raise Http404 from None


# -- Linked accounts (allauth social accounts) -----------------------------------------

# The names citizens know the services by.
SERVICE_NAMES = {"weixin": _("WeChat")}


def linked_service_names() -> dict[str, object]:
    """Provider id -> the name of its service, for every sign-in provider installed (ours in our words)."""
    return {provider.id: SERVICE_NAMES.get(provider.id, provider.name) for provider in registry.get_class_list()}


@dataclass(frozen=True)
class LinkedAccountRow:
    id: int
    service: str
    name: str
    linked_at: datetime


def social_account_provider(*, account: SocialAccount, request=None):
    """The account's provider, even when the service has since been switched off.

    allauth looks the provider up through its configured app; with WeChat's
    credentials removed there is none, and listing or unlinking the account
    would fail. A stand-in app (never saved) keeps both working.
    """
    try:
        return account.get_provider(request)
    except (SocialApp.DoesNotExist, ImproperlyConfigured):
        provider_class = registry.get_class(account.provider)
        if provider_class is None:
            return None
        account._provider = provider_class(request, app=SocialApp(provider=account.provider, name=account.provider))
        return account._provider


def linked_accounts_for(*, user: User, request=None) -> list[LinkedAccountRow]:
    rows = []
    for account in SocialAccount.objects.filter(user=user).order_by("date_joined", "id"):
        provider = social_account_provider(account=account, request=request)
        service = str(SERVICE_NAMES.get(account.provider, provider.name if provider else account.provider))
        name = provider.wrap_account(account).to_str() if provider else account.uid
        rows.append(LinkedAccountRow(id=account.pk, service=service, name=name, linked_at=account.date_joined))
    return rows
