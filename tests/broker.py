"""The shared Redis broker as a test run sees it: only the keys under the run's own prefix."""

import redis


def broker_keys_delete(app) -> int:
    """Delete this run's broker keys (queues, unacked messages, bindings); return how many.

    Never ``FLUSHDB``: other runs on this machine keep their queues in the
    same Redis database under prefixes of their own.
    """
    prefix = app.conf.broker_transport_options.get("global_keyprefix", "")
    if not prefix:
        raise RuntimeError("no broker key prefix: refusing to delete keys this run may not own")
    client = redis.Redis.from_url(app.conf.broker_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        return len(keys)
    finally:
        client.close()
