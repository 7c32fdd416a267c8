"""Exactly one beat: the scheduler runs only while it holds a lock in Redis.

Two beat processes (a second node started by mistake, a deploy that overlaps
the old one) would each publish every periodic task. The tasks are
idempotent, but the nightly sweep twice, or every checkpoint twice, is load
and noise nobody asked for. So beat schedules nothing until it holds one Redis
lock (redis-py's ``Lock``: SET NX with an expiry and a token), renews it on
every tick, and lets it go on shutdown. A second beat logs that it is waiting
and polls; if the holder dies, its lock expires after ``beat_lock_ttl``
seconds and the waiting beat takes over.

The lock lives in the broker's Redis under the broker's key prefix, so two
deployments sharing one Redis each have their own beat.
"""

import logging

import redis
from celery.beat import PersistentScheduler
from redis.exceptions import LockError, RedisError

logger = logging.getLogger(__name__)

LOCK_NAME = "privacy-portal:beat-lock"
DEFAULT_TTL = 60.0


class SingleBeatScheduler(PersistentScheduler):
    """Celery's file-backed scheduler, active only while it holds the beat lock."""

    def __init__(self, *args, **kwargs):
        self._lock: redis.lock.Lock | None = None
        self._holding = False
        self._told_waiting = False
        super().__init__(*args, **kwargs)

    # -- the lock

    @property
    def lock_ttl(self) -> float:
        return float(self.app.conf.get("beat_lock_ttl") or DEFAULT_TTL)

    @property
    def lock(self) -> "redis.lock.Lock":
        if self._lock is None:
            url = self.app.conf.get("beat_lock_url") or self.app.conf.broker_url
            if not url or not url.startswith(("redis://", "rediss://", "unix://")):
                raise RuntimeError(f"the beat lock needs a Redis broker (or beat_lock_url), not {url!r}")
            prefix = (self.app.conf.broker_transport_options or {}).get("global_keyprefix", "")
            client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
            # thread_local=False: beat's ticks and its shutdown may run on different threads.
            self._lock = client.lock(prefix + LOCK_NAME, timeout=self.lock_ttl, thread_local=False)
        return self._lock

    def _hold_lock(self) -> bool:
        """True when this process holds the lock now (renewed), acquiring it if it is free."""
        try:
            if self._holding:
                try:
                    self.lock.reacquire()
                except LockError:
                    # Expired while we were stalled longer than the TTL: another beat may run now.
                    logger.error("beat: lost the beat lock; scheduling stops until it is ours again")
                    self._holding = False
            if not self._holding and self.lock.acquire(blocking=False):
                self._holding = True
                self._told_waiting = False
                logger.info("beat: holding the beat lock; this process schedules the periodic tasks")
        except RedisError as exc:
            # Without Redis nothing can be published anyway; the lock's state is unknown, so wait.
            logger.warning("beat: cannot reach Redis for the beat lock (%s); waiting", type(exc).__name__)
            return False
        if not self._holding and not self._told_waiting:
            logger.warning("beat: another beat holds the beat lock; this one schedules nothing and waits")
            self._told_waiting = True
        return self._holding

    # -- the scheduler

    def tick(self, *args, **kwargs) -> float:
        # Renewed at least three times per TTL, so a live holder never loses it.
        renew_every = self.lock_ttl / 3
        if not self._hold_lock():
            return renew_every
        return min(super().tick(*args, **kwargs), renew_every)

    def close(self) -> None:
        super().close()
        if self._holding:
            try:
                self.lock.release()
            except (LockError, RedisError):
                # Expired or unreachable: it frees itself after the TTL.
                logger.warning("beat: the beat lock could not be released; it expires by itself")
            self._holding = False
