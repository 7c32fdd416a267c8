"""The broker of a benchmark run: keys of the run's own on a Redis others may share."""

import os

import redis

BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
# Every key the run's Celery writes starts with this (CELERY_BROKER_KEY_PREFIX, read by the
# settings), so two runs on one machine never take each other's tasks, and cleaning up
# deletes only this run's keys.
KEY_PREFIX = f"bench-{os.getpid()}:"


def _client() -> redis.Redis:
    return redis.Redis.from_url(BROKER_URL)


def flush() -> None:
    """Delete the run's keys; never the database, which is not the run's to empty."""
    with _client() as client:
        keys = list(client.scan_iter(match=f"{KEY_PREFIX}*", count=1000))
        if keys:
            client.delete(*keys)


def undelivered(queue: str = "celery") -> int:
    """Messages still waiting in ``queue`` or taken by a worker but not yet acknowledged.

    With late acknowledgement a message stays in kombu's ``unacked`` hash
    until its task has run, so zero means no delivery is still to come.
    """
    with _client() as client:
        return client.llen(f"{KEY_PREFIX}{queue}") + client.hlen(f"{KEY_PREFIX}unacked")
