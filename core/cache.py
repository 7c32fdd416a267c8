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

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
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


class _ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool instead of one per operation.

    Django builds a new ``redis.Redis`` for every cache call; with redis-py 8 that
    costs more CPU than the round trip itself (a table of some 170 response
    callbacks, an event dispatcher, metrics hooks), several times per API call.
    A ``redis.Redis`` is safe to share between threads: it takes a connection
    from the pool for each command.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._class = _ReusedClientRedisCacheClient
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

    def shared_now(self) -> bool:
        """Whether what is written now reaches every process: Redis answers (as far as this process knows)."""
        return not self._redis_down()

    def window_count(self, key: str, timeout: int) -> int:
        """Count one more in the counter ``key``, started at 0 to live ``timeout`` s; the new count.

        One round trip (SET NX EX, then INCR, pipelined) where ``add`` then
        ``incr`` would cost three (Django's ``incr`` asks EXISTS first).
        """
        if not self._redis_down():
            try:
                redis_key = self.make_and_validate_key(key)
                pipeline = self._cache.get_client(redis_key, write=True).pipeline(transaction=False)
                pipeline.set(redis_key, 0, ex=timeout, nx=True)
                pipeline.incr(redis_key)
                return int(pipeline.execute()[1])
            except UNAVAILABLE as error:
                self._mark_down(error)
        return window_count(self._fallback, key, timeout)

    def get_many_and_count(self, keys: list[str], counter_key: str, timeout: int) -> tuple[dict, int]:
        """``get_many(keys)`` and ``window_count(counter_key, timeout)`` in one round trip (MGET, SET NX, INCR)."""
        if not self._redis_down():
            try:
                redis_keys = [self.make_and_validate_key(key) for key in keys]
                counter = self.make_and_validate_key(counter_key)
                pipeline = self._cache.get_client(counter, write=True).pipeline(transaction=False)
                pipeline.mget(redis_keys)
                pipeline.set(counter, 0, ex=timeout, nx=True)
                pipeline.incr(counter)
                found, _, count = pipeline.execute()
                loads = self._cache._serializer.loads
                values = {key: loads(value) for key, value in zip(keys, found, strict=True) if value is not None}
                return values, int(count)
            except UNAVAILABLE as error:
                self._mark_down(error)
        return get_many_and_count(self._fallback, keys, counter_key, timeout)


def get_many_and_count(cache: BaseCache, keys: list[str], counter_key: str, timeout: int) -> tuple[dict, int]:
    """``cache.get_many(keys)`` and one more in the window counter ``counter_key``: one round trip on Redis."""
    combined = getattr(cache, "get_many_and_count", None)
    if combined is not None:
        return combined(keys, counter_key, timeout)
    return cache.get_many(keys), window_count(cache, counter_key, timeout)


def cache_shared_now(cache: BaseCache) -> bool:
    """Whether ``cache`` is one store for every process of the deployment at this moment.

    Only the Redis cache is, and only while Redis answers: a process-memory
    cache (development, tests, Redis down) would hand each process its own copy.
    """
    shared_now = getattr(cache, "shared_now", None)
    return shared_now is not None and shared_now()


def window_count(cache: BaseCache, key: str, timeout: int) -> int:
    """Count one more in ``key`` (a counter that lives ``timeout`` s from its first count), in any cache."""
    counting = getattr(cache, "window_count", None)
    if counting is not None:
        return counting(key, timeout)
    # add() is a no-op when the counter exists; incr() is atomic in Redis and under LocMemCache's lock.
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the counter expired between the two calls
        cache.set(key, 1, timeout)
        return 1


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
