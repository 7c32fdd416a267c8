"""DRF authentication for service clients: ``Authorization: Bearer <access token>``.

A service call is not a person's: ``request.user`` stays anonymous (so no
citizen endpoint, all of which require a signed-in person, answers a service)
and ``request.auth`` is the ``ServiceToken``. Views for services require a
scope with ``HasServiceScope``.
"""

import time

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .principal import TokenRefused, service_token_resolve
from .throttling import COUNTED_ATTRIBUTE, ServiceClientRateThrottle, window_counter

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
            principal, counted = service_token_resolve(token, counter_for=_throttle_counter(request))
        except TokenRefused as refused:
            raise AuthenticationFailed(REFUSALS[refused.reason]) from None
        if counted is not None:
            setattr(request, COUNTED_ATTRIBUTE, counted)
        return AnonymousUser(), principal

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def _throttle_counter(request):
    """For a view limited per client: the client's counter, to count the call in the principal's round trip.

    The view's throttle would otherwise make a second round trip to Redis a
    call; ``ServiceClientRateThrottle`` takes the count made here.
    """
    view = (getattr(request, "parser_context", None) or {}).get("view")
    if view is None or ServiceClientRateThrottle not in getattr(view, "throttle_classes", ()):
        return None
    scope = view.throttle_scope

    def counter_for(application_id: int) -> tuple[str, int]:
        key, _limit, duration, _window = window_counter(scope=scope, application_id=application_id, now=time.time())
        return key, duration + 1

    return counter_for
