"""The second-factor step right after signing in.

allauth signs the person in with their password; someone who has turned
two-factor on is then only half signed in until django-otp has verified a
code in this session (``request.user.is_verified()``). Until then every
page sends them to the verification page, and the API answers 403.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from core.logging import security_log
from core.url_paths import url_paths

from .selectors import two_factor_enabled_cached

API_PREFIX = "/api/"


class SecondFactorStepMiddleware:
    """Send a signed-in but not yet verified person to the code page.

    Left open: the verification page itself, signing out, static files,
    the language switch and the health check. Runs after django-otp's
    ``OTPMiddleware``, which installs ``is_verified()``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not self._exempt(request.path_info)
            and two_factor_enabled_cached(user=user)
        ):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        # Resolved on first use (the URL configuration must not load while
        # this module is imported), then remembered (core.url_paths).
        if path.startswith(settings.STATIC_URL):
            return True
        return path in url_paths("accounts:two_factor_verify", "account_logout", "set_language", "healthz", "readyz")

    @staticmethod
    def _refuse(request):
        if request.path_info.startswith(API_PREFIX):
            security_log.warning("api refused before second factor: path=%s user_id=%s", request.path, request.user.pk)
            response = JsonResponse(
                {
                    "detail": _(
                        "Finish signing in first: enter the code from your second factor on the verification page, "
                        "then try again."
                    ),
                    "code": "second_factor_required",
                    "verify_url": request.build_absolute_uri(reverse("accounts:two_factor_verify")),
                    "request_id": getattr(request, "request_id", ""),
                },
                status=403,
            )
            add_never_cache_headers(response)
            return response
        next_url = request.get_full_path()
        return redirect(f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': next_url})}")
