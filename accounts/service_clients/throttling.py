"""Rate limits per service client, counted in the shared cache across every process.

DRF's own throttles keep a list of timestamps per key, read and rewritten on
every request: at 120,000 calls a minute that list is the bottleneck. This one
counts in fixed one-window buckets with the cache's atomic increment
(``core.cache.window_count``: Redis SET NX and INCR in one round trip in
production), so every gunicorn worker and every host shares one count per
client. A fixed window can let through up to twice the rate across a
window boundary; the limits in docs/api.md are sized with that in mind.
"""

import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from core.cache import window_count

from .principal import ServiceToken

DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"120000/min"`` -> ``(120000, 60)``."""
    count, period = rate.split("/")
    return int(count), DURATIONS[period[0]]


# Where the authentication leaves a count it already made (``(counter key, count)``), see allow_request.
COUNTED_ATTRIBUTE = "_service_throttle_counted"


def window_counter(*, scope: str, application_id: int, now: float) -> tuple[str, int, int, int]:
    """``(counter key, limit, duration, window)`` of ``scope``'s rate for one client at ``now``."""
    limit, duration = parse_rate(api_settings.DEFAULT_THROTTLE_RATES[scope])
    window = int(now // duration)
    return f"throttle:service:{scope}:{application_id}:{window}", limit, duration, window


class ServiceClientRateThrottle(BaseThrottle):
    """Use with ``throttle_scope`` naming a rate in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``.

    Only service calls are counted here; a view that people call as well keeps
    the citizens' throttles beside this one. A client the process has seen
    before is counted by the authentication, in the round trip that reads its
    token's principal (``ServiceClientAuthentication``); the count is then only
    compared here. A call refused by the permission check after that is
    counted too, as any limiter in front of the view would.
    """

    def allow_request(self, request, view):
        principal = request.auth
        if not isinstance(principal, ServiceToken):
            return True
        now = time.time()
        key, limit, duration, window = window_counter(
            scope=view.throttle_scope, application_id=principal.application_id, now=now
        )
        counted = getattr(request, COUNTED_ATTRIBUTE, None)
        if counted is not None and counted[0] == key:
            count = counted[1]
            setattr(request, COUNTED_ATTRIBUTE, None)  # one call, one count
        else:
            count = window_count(cache, key, duration + 1)
        if count <= limit:
            return True
        self._wait = (window + 1) * duration - now
        return False

    def wait(self):
        return getattr(self, "_wait", None)
