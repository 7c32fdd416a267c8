"""The policy banners: a version announced before it takes effect, and one still to be answered after."""

from django.utils.functional import SimpleLazyObject

from .selectors import PENDING, policy_notices_for_request
from .services import policy_banner_record
from .standing import policy_standing

# Versions whose banner this session has already recorded as shown.
SESSION_KEY = "consents_policy_banner_seen"


def _banner(request):
    # Cached on the request: one query however often a page asks, and none
    # at all for a signed-in person (the middleware has already asked).
    if not hasattr(request, "_policy_banner"):
        version = policy_notices_for_request(request).upcoming
        request._policy_banner = version
        user = getattr(request, "user", None)
        if version is not None and user is not None and user.is_authenticated:
            seen = request.session.get(SESSION_KEY, [])
            if version.pk not in seen:
                policy_banner_record(user=user, version=version)
                request.session[SESSION_KEY] = [*seen, version.pk]
    return request._policy_banner


def policy_banner(request):
    """``policy_banner``: the upcoming version, looked up only if a template shows it."""
    return {"policy_banner": SimpleLazyObject(lambda: _banner(request))}


def _pending(request):
    # No query while no material version is in effect (the process's copy of
    # the version table) or once the session knows the person's answer.
    if not hasattr(request, "_policy_pending"):
        request._policy_pending = None
        user = getattr(request, "user", None)
        # The question is the citizens' (the middleware never sends staff to it either).
        if user is not None and user.is_authenticated and not user.is_staff:
            required = policy_notices_for_request(request).required
            if required is not None and policy_standing(request, version=required) == PENDING:
                request._policy_pending = required
    return request._policy_pending


def policy_pending(request):
    """``policy_pending``: the material version this person has neither accepted nor declined, or None."""
    return {"policy_pending": SimpleLazyObject(lambda: _pending(request))}
