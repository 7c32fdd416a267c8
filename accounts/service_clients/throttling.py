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


class ServiceClientRateThrottle(BaseThrottle):
    """Use with ``throttle_scope`` naming a rate in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``.

    Only service calls are counted here; a view that people call as well keeps
    the citizens' throttles beside this one.
    """

    def allow_request(self, request, view):
        principal = request.auth
        if not isinstance(principal, ServiceToken):
            return True
        scope = view.throttle_scope
        limit, duration = parse_rate(api_settings.DEFAULT_THROTTLE_RATES[scope])
        now = time.time()
        window = int(now // duration)
        key = f"throttle:service:{scope}:{principal.application_id}:{window}"
        count = window_count(cache, key, duration + 1)
        if count <= limit:
            return True
        self._wait = (window + 1) * duration - now
        return False

    def wait(self):
        return getattr(self, "_wait", None)
