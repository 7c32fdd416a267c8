"""DRF authentication for service clients: ``Authorization: Bearer <access token>``.

A service call is not a person's: ``request.user`` stays anonymous (so no
citizen endpoint, all of which require a signed-in person, answers a service)
and ``request.auth`` is the ``ServiceToken``. Views for services require a
scope with ``HasServiceScope``.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .principal import TokenRefused, service_token_resolve

REFUSALS = {
    "unknown": _("The access token is not valid: it is unknown or has been revoked. Request a new one at /o/token/."),
    "expired": _("The access token has expired. Request a new one at /o/token/."),
    "inactive": _("This service client has been deactivated."),
}


class ServiceClientAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword.lower().encode():
            # DRF Tokens ("Token <key>") are gone; say so rather than answer as if nothing was sent.
            raise AuthenticationFailed(
                _("Unsupported Authorization header: send 'Authorization: Bearer <access token>'.")
            )
        if len(header) != 2:
            raise AuthenticationFailed(
                _("Malformed Authorization header: send 'Authorization: Bearer <access token>'.")
            )
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Malformed access token.")) from None
        try:
            principal = service_token_resolve(token)
        except TokenRefused as refused:
            raise AuthenticationFailed(REFUSALS[refused.reason]) from None
        return AnonymousUser(), principal

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
