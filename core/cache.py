"""The shared cache on Redis, which keeps answering from process memory while Redis does not.

Rate limits (allauth, DRF throttles) and a few counters read and write the
cache on nearly every request. Django's Redis backend raises when Redis is
down, so every throttled page and the consent check would answer 500 — the
portal is meant to keep serving without Redis (tasks wait as rows, pages
work). While Redis does not answer, this backend uses a per-process memory
cache instead: rate limits still hold, per process rather than across the
deployment, and Redis is tried again after ``RETRY_AFTER`` seconds.
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER = 30.0
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# Short socket timeouts, so a Redis that hangs costs a request one second, not minutes.
DEFAULT_OPTIONS = {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}

_state_lock = threading.Lock()
# Per server list, shared by the threads of a process (Django makes one backend object a thread).
_down_until: dict[str, float] = {}

OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "decr",
    "set_many",
    "delete_many",
    "clear",
)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._state_key = ",".join(self._servers)
        fallback_params = {key: params[key] for key in ("TIMEOUT", "KEY_PREFIX", "VERSION") if key in params}
        # LocMemCache shares its storage between instances of the same name: one per process.
        self._fallback = LocMemCache(f"redis-fallback:{self._state_key}", fallback_params)

    def _redis_down(self) -> bool:
        return time.monotonic() < _down_until.get(self._state_key, 0.0)

    def _mark_down(self, error: Exception) -> None:
        with _state_lock:
            was_down = self._redis_down()
            _down_until[self._state_key] = time.monotonic() + RETRY_AFTER
        if not was_down:
            logger.warning(
                "cache: Redis does not answer (%s); using this process's memory for %d s",
                type(error).__name__,
                RETRY_AFTER,
            )


def _guarded(name: str):
    redis_operation = getattr(RedisCache, name)

    def operation(self, *args, **kwargs):
        if not self._redis_down():
            try:
                return redis_operation(self, *args, **kwargs)
            except UNAVAILABLE as error:
                self._mark_down(error)
        return getattr(self._fallback, name)(*args, **kwargs)

    operation.__name__ = name
    operation.__doc__ = redis_operation.__doc__
    return operation


for _name in OPERATIONS:
    setattr(ResilientRedisCache, _name, _guarded(_name))
