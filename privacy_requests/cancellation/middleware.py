"""While an account cancellation is open, signing in offers only "reverse the cancellation".

For a signed-in person with an open cancellation (filed through
``cancellation.services``), every page sends them to the reverse page and
the API answers 403 with the code ``account_cancellation_pending``. Left
open: the reverse page itself, signing out, the second-factor step (so the
sign-in can finish), the policy pages and their acceptance (so another
interstitial can never loop with this one), the language switch, static
files and the health check. During the cooling-off window the reverse
page offers the reversal; after it, it says the cancellation is being
completed.

Cost: one indexed query when the person signs in (``receivers``) or, for a
session opened before, on its first page; a session found clear remembers
it, so its pages cost nothing. That is safe because filing a
cancellation ends every session of the person (``cancellation.services``):
no session that saw "clear" outlives a cancellation. A person with a
pending cancellation is asked on every page.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from core.url_paths import url_paths

from .receivers import SESSION_KEY
from .selectors import cancellation_open_for

API_PREFIX = "/api/"
REVERSE_VIEW = "privacy_requests:cancellation:reverse"


def _exempt_paths() -> set[str]:
    # Resolved on first use (the URL configuration must not load while this
    # module is imported), then remembered; a URL another app has not wired
    # (yet) is simply not exempt.
    names = (
        REVERSE_VIEW,
        "account_logout",
        "set_language",
        "healthz",
        "readyz",
        "accounts:two_factor_verify",
        "consents:policy_accept",
        "api-consents-policy-accept",
    )
    return {path for path in url_paths(*names) if path}


def _exempt_prefixes() -> tuple[str, ...]:
    prefixes = [settings.STATIC_URL]
    (policy,) = url_paths("policy")
    if policy:
        prefixes.append(policy)
    return tuple(prefixes)


class CancellationPendingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or self._exempt(request.path_info):
            return self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) == user.pk:
            return self.get_response(request)
        pending = cancellation_open_for(user=user)
        if pending is None:
            if session is not None:
                session[SESSION_KEY] = user.pk
            return self.get_response(request)
        return self._refuse(request, pending)

    @staticmethod
    def _exempt(path: str) -> bool:
        return path in _exempt_paths() or path.startswith(_exempt_prefixes())

    @staticmethod
    def _refuse(request, pending):
        page = reverse(REVERSE_VIEW)
        if request.path_info.startswith(API_PREFIX):
            response = JsonResponse(
                {
                    "detail": _(
                        "Your account is being cancelled (%(reference)s). Until the cancellation is reversed, "
                        "the account can only be used to reverse it, on the portal."
                    )
                    % {"reference": pending.reference},
                    "code": "account_cancellation_pending",
                    "reverse_url": request.build_absolute_uri(page),
                    "request_id": getattr(request, "request_id", ""),
                },
                status=403,
            )
            add_never_cache_headers(response)
            return response
        return redirect(page)
