"""The material-policy interstitial: accept the new policy before anything else.

Once a material policy version is in effect, a signed-in person who has not
accepted it is sent to the acceptance page from every page, and the API
answers 403 with the code ``policy_acceptance_required``. Left open: the
acceptance page and its API endpoint, the policy pages (to read the text
and the changes), signing out, the second-factor page, the language switch,
static files, the health check, the API schema and admin (staff accept on
the citizen-facing pages like everyone else).

Cost per request of a signed-in person: one query on the small
policy-version table, shared with the policy banner. Whether they accepted
is remembered in the session, so the ledger is read once per session and
version.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from core.navigation import return_path
from core.url_paths import url_paths

from .selectors import policy_acceptance_due, policy_notices_for_request

API_PREFIX = "/api/"
# The version the person was last found to have accepted (its pk).
SESSION_KEY = "consents_policy_accepted"


def _exempt_prefixes() -> tuple[str, ...]:
    # Resolved on first use (the URL configuration must not load while this
    # module is imported), then remembered (core.url_paths).
    paths = url_paths(
        "policy", "admin:index", "consents:policy_accept", "api-consents-policy-accept", "api-schema", "api-docs"
    )
    return (settings.STATIC_URL, *(path for path in paths if path))


def _exempt_paths() -> set[str]:
    paths = url_paths(
        "account_logout",
        "set_language",
        "healthz",
        "readyz",
        "accounts:two_factor_verify",
        # Someone cancelling their account can always reverse it first.
        "privacy_requests:cancellation:reverse",
    )
    return {path for path in paths if path}


class MaterialPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or self._exempt(request.path_info):
            return self.get_response(request)
        required = policy_notices_for_request(request).required
        if required is None or request.session.get(SESSION_KEY) == required.pk:
            return self.get_response(request)
        if policy_acceptance_due(user=user, version=required):
            return self._refuse(request, required)
        request.session[SESSION_KEY] = required.pk
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        return path in _exempt_paths() or path.startswith(_exempt_prefixes())

    @staticmethod
    def _refuse(request, version):
        page = reverse("consents:policy_accept")
        if request.path_info.startswith(API_PREFIX):
            response = JsonResponse(
                {
                    "detail": _(
                        "The privacy policy has changed (version %(version)s). Read the changes and accept "
                        "the new policy first, then try again."
                    )
                    % {"version": version.version},
                    "code": "policy_acceptance_required",
                    "policy_version": version.version,
                    "changes_url": request.build_absolute_uri(reverse("policy_changes", args=[version.version])),
                    "accept_url": request.build_absolute_uri(reverse("api-consents-policy-accept")),
                    "request_id": getattr(request, "request_id", ""),
                },
                status=403,
            )
            add_never_cache_headers(response)
            return response
        next_path = return_path(request)
        return redirect(f"{page}?{urlencode({'next': next_path})}" if next_path else page)
