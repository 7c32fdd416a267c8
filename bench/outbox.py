"""The transactional outbox, from the web process's commit to the SMTP server.

Two figures matter for a mass mailing: how many outbox rows the web process
can commit (each notification_send() in its own transaction, publishing to Redis on
commit) and how fast a two-process worker drains them over real SMTP.
"""

import time

from django.contrib.auth import get_user_model
from django.db import transaction

from bench import broker
from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, progress
from bench.waiting import wait_for_all, wait_for_empty_queue
from notifications.models import OutboxEmail
from notifications.services import notification_send

FULL_COUNT = 10_000
USERS = 100
SEND_TIMEOUT = 15 * 60


@benchmark("outbox")
def outbox(session) -> None:
    """notification_send() 10,000 welcome emails, one transaction each, then send them with a real worker."""
    count = session.scaled(FULL_COUNT)
    users = _create_users(min(USERS, count))

    progress(f"writing {count} outbox rows for {len(users)} users")
    started = time.perf_counter()
    for n in range(count):
        with transaction.atomic():
            notification_send(recipient=users[n % len(users)], kind="welcome")
    figure("outbox_write_rate", count / (time.perf_counter() - started), "rows/s")

    queued = broker.undelivered()
    if queued != count:
        # dispatch_on_commit logs and swallows broker errors, so a short
        # queue would otherwise show up only as a send timeout.
        raise BenchmarkFailed(f"{queued} of {count} tasks reached the broker")

    with session.celery_worker() as worker:
        started_at = time.monotonic()
        last_at = wait_for_all(session.sink, worker, count=count, started_at=started_at, timeout=SEND_TIMEOUT)
        wait_for_empty_queue(worker)
    figure("outbox_send_rate", count / (last_at - started_at), "messages/s")

    received, distinct, _ = session.sink.snapshot()
    figure("outbox_duplicates", received - distinct, "messages")
    _check(count=count, received=received, distinct=distinct)


def _create_users(n: int) -> list:
    user_model = get_user_model()
    users = []
    for i in range(n):
        user = user_model(
            username=f"bench{i}",
            email=f"user{i}@bench.example.cn",
            language="zh-hans" if i % 2 == 0 else "en",
        )
        user.set_unusable_password()
        users.append(user)
    return user_model.objects.bulk_create(users)


def _check(*, count: int, received: int, distinct: int) -> None:
    rows = OutboxEmail.objects.count()
    sent = OutboxEmail.objects.filter(state=OutboxEmail.State.SENT).count()
    progress(f"  outbox rows {rows}, sent {sent}; sink received {received} ({distinct} distinct)")
    problems = []
    if rows != count or sent != count:
        problems.append(f"{sent} of {rows} outbox rows are sent, expected {count}")
    if received != count:
        problems.append(f"the sink received {received} emails, expected {count}")
    if problems:
        raise BenchmarkFailed("; ".join(problems))
