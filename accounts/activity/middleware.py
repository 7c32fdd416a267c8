"""Session activity ("last seen") at most once per interval, instead of on every request.

allauth's ``UserSessionsMiddleware`` reads and rewrites the person's session
record on every request, so a signed-in page view always wrote to the
database. Here the session itself remembers when its record was last touched
and from which client (a digest of the address and browser, never the
values); the record is written again only when that is older than
``SESSION_ACTIVITY_INTERVAL`` seconds or the client changed. The sessions
page shows last activity to within the interval, and a change of network or
browser is still noticed at once (allauth's ``session_client_changed``
signal fires as before).
"""

import hashlib
import time

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.exceptions import PermissionDenied

from . import services

# In the session: [unix time of the last write, client digest].
SESSION_KEY = "accounts_activity_seen"


def _client_digest(request) -> str:
    try:
        # allauth's adapter knows how many proxies to trust for X-Forwarded-For.
        ip = get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        ip = ""
    agent = request.META.get("HTTP_USER_AGENT", "")
    return hashlib.sha256(f"{ip}\0{agent}".encode()).hexdigest()[:16]


def activity_due(*, seen, digest: str, now: float, interval: float) -> bool:
    """Must the session record be written? Never seen, seen too long ago, or from another client."""
    if not isinstance(seen, list) or len(seen) != 2:
        return True
    at, seen_digest = seen
    return seen_digest != digest or not isinstance(at, int | float) or now - at >= interval


def activity_mark_seen(*, request, now: float | None = None) -> None:
    """Note in the session that its record was just written, e.g. by allauth at sign-in."""
    request.session[SESSION_KEY] = [int(time.time() if now is None else now), _client_digest(request)]


class SessionActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._track(request)
        return self.get_response(request)

    @staticmethod
    def _track(request) -> None:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or session is None or not user.is_authenticated or not session.session_key:
            return
        now = time.time()
        digest = _client_digest(request)
        if not activity_due(
            seen=session.get(SESSION_KEY), digest=digest, now=now, interval=settings.SESSION_ACTIVITY_INTERVAL
        ):
            return
        services.user_session_touch(request=request, user=user, session=session)
        activity_mark_seen(request=request, now=now)
