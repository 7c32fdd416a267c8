"""The policy-change banner, shown on every page from a version's publication until it takes effect."""

from django.utils.functional import SimpleLazyObject

from .selectors import policy_notices_for_request
from .services import policy_banner_record

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
