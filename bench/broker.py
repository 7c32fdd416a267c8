"""The Redis database reserved for benchmarks, used as the Celery broker."""

import os

import redis

# Index 13 is kept free of development and test queues, so flushing it
# cannot lose anybody's tasks.
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")


def flush() -> None:
    with redis.Redis.from_url(BROKER_URL) as client:
        client.flushdb()


def key_count() -> int:
    with redis.Redis.from_url(BROKER_URL) as client:
        return client.dbsize()


def undelivered(queue: str = "celery") -> int:
    """Messages still waiting in ``queue`` or taken by a worker but not yet acknowledged.

    With late acknowledgement a message stays in kombu's ``unacked`` hash
    until its task has run, so zero means no delivery is still to come.
    """
    with redis.Redis.from_url(BROKER_URL) as client:
        return client.llen(queue) + client.hlen("unacked")
