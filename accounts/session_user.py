"""The person a browser's session is signed in as, loaded by one prepared statement.

Django's ``auth.get_user`` asks the session's backend to load the person,
and ``ModelBackend.get_user`` has the ORM build and compile ``get(pk=…)`` on
every request: on the signed-in home that was a tenth of the page's CPU, more
than the database takes to answer. Here, when the session's backend loads
people the way ``ModelBackend`` does (both backends in settings do), the row
is read by a :class:`core.compiled_query.CompiledQuery` instead, and the
session is verified as Django verifies it: the stored hash must match the
person's current one (a password change ends other sessions), a hash made with
a retired ``SECRET_KEY`` is accepted once and the session cycled, anything
else signs the session out. Any other backend goes through Django's own path.

The same statement brings what every signed-in page shows in its header:
the identity profile (the verified name), whether the email address is
confirmed, and the unread count, so the header and the home page's next
steps ask nothing more.

Sessions keep the path of the backend that signed them in, so nothing about
signing in changes and no session is lost when this is deployed.
"""

from functools import cache, partial

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from accounts.identity.selectors import email_verified_of
from core.compiled_query import CompiledQuery
from notifications.inbox_epoch import inbox_epoch
from notifications.selectors import inbox_unread_of


def _person_query(pk):
    # What every signed-in page's header shows comes with the person: the
    # profile (the verified name), whether the email is confirmed (home's next
    # step) and the unread count (``notifications.selectors.inbox_unread_count``).
    return (
        get_user_model()
        ._default_manager.filter(pk=pk)
        .select_related("identity")
        .annotate(
            session_email_verified=email_verified_of(OuterRef("pk")),
            session_inbox_unread=inbox_unread_of(OuterRef("pk")),
        )
    )


_person = CompiledQuery(_person_query)


@cache
def _loads_like_model_backend(path: str) -> bool:
    return getattr(type(load_backend(path)), "get_user", None) is ModelBackend.get_user


def _session_hash_verified(request, user) -> bool:
    """Django's check of the session against the person's password hash, secret fallbacks included."""
    session_hash = request.session.get(HASH_SESSION_KEY)
    if not session_hash:
        return False
    current = user.get_session_auth_hash()
    if constant_time_compare(session_hash, current):
        return True
    if any(constant_time_compare(session_hash, old) for old in user.get_session_auth_fallback_hash()):
        # Signed with a retired secret: keep the person signed in under a new key and the current hash.
        request.session.cycle_key()
        request.session[HASH_SESSION_KEY] = current
        return True
    return False


def session_user(request):
    """The signed-in person of ``request``'s session, or ``AnonymousUser``."""
    backend_path = request.session.get(BACKEND_SESSION_KEY)
    if backend_path not in settings.AUTHENTICATION_BACKENDS or not _loads_like_model_backend(backend_path):
        return auth.get_user(request)
    try:
        user_id = auth._get_user_session_key(request)
    except KeyError:
        return AnonymousUser()
    found = _person(user_id)
    user = found[0] if found else None
    # What ModelBackend.get_user refuses: a person who may not sign in (deactivated).
    if user is None or not ModelBackend().user_can_authenticate(user):
        return AnonymousUser()
    if not _session_hash_verified(request, user):
        request.session.flush()
        return AnonymousUser()
    user.session_inbox_epoch = inbox_epoch()
    return user


def _request_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = session_user(request)
    return request._cached_user


class SessionUserMiddleware(AuthenticationMiddleware):
    """Django's authentication middleware, loading the person through :func:`session_user`."""

    def process_request(self, request):
        super().process_request(request)
        # ``request.auser`` stays Django's (async views load the person Django's way).
        request.user = SimpleLazyObject(partial(_request_user, request))
