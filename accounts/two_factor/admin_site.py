"""Django admin behind the same sign-in as everyone else, plus the authenticator step.

Staff sign in through allauth's login (so its rate limits cover them too)
and then pass django-otp's code step. Admin has no login form of its own:
a second, password-only form would be a weaker door beside the front one.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_email.models import EmailDevice

from core.logging import security_log
from core.navigation import safe_next

from .selectors import admin_device_confirmed


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class PortalAdminSite(OTPAdminSite):
    """``OTPAdminSite`` whose login sends people through the portal's own sign-in.

    Installed as ``admin.site`` through ``AdminConfig.default_site``
    (``privacy_portal.apps.PortalAdminConfig``), so every app's
    ``@admin.register`` lands here unchanged.
    """

    # The index links the deployment's status page (privacy_portal.admin_status).
    index_template = "admin/portal_index.html"

    def __init__(self, name="admin"):
        # OTPAdminSite names itself "otpadmin"; this site is the admin, under its usual name.
        super().__init__(name=name)

    def has_permission(self, request):
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and user.is_verified()
            # An email code verifies a citizen's session but is not enough for admin.
            and not isinstance(user.otp_device, EmailDevice)
        )

    def _next_url(self, request) -> str:
        index = reverse("admin:index", current_app=self.name)
        candidate = safe_next(request)
        if candidate.startswith(index) and not candidate.startswith(reverse("admin:login", current_app=self.name)):
            return candidate
        return index

    def login(self, request, extra_context=None):
        """No form here: send the person where the next step is.

        Signed out: allauth's login. Signed in as staff without an
        authenticator: set one up. With one but not verified for admin: the
        code step. Signed in and not staff: refused.
        """
        next_url = self._next_url(request)
        user = request.user
        if not user.is_authenticated:
            return redirect(_with_next("account_login", next_url))
        if self.has_permission(request):
            return redirect(next_url)
        if not (user.is_active and user.is_staff):
            security_log.warning("admin refused to non-staff: user_id=%s", user.pk)
            raise PermissionDenied
        if not admin_device_confirmed(user=user):
            return redirect(_with_next("accounts:two_factor_totp_setup", next_url))
        return redirect(_with_next("accounts:two_factor_verify", next_url))
