"""The transactional outbox, from the web process's commit to the SMTP server.

Two figures matter for a mass mailing: how many outbox rows the web process
can commit (each notify() in its own transaction, publishing to Redis on
commit) and how fast a two-process worker drains them over real SMTP.
"""

import time

from django.contrib.auth import get_user_model
from django.db import transaction

from bench import broker
from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, progress
from notifications.models import OutboxEmail
from notifications.services import notify

FULL_COUNT = 10_000
USERS = 100
SEND_TIMEOUT = 15 * 60
POLL_INTERVAL = 0.05
PROGRESS_INTERVAL = 10.0


@benchmark("outbox")
def outbox(session) -> None:
    """notify() 10,000 welcome emails, one transaction each, then send them with a real worker."""
    count = session.scaled(FULL_COUNT)
    users = _create_users(min(USERS, count))

    progress(f"writing {count} outbox rows for {len(users)} users")
    started = time.perf_counter()
    for n in range(count):
        with transaction.atomic():
            notify(users[n % len(users)], "welcome")
    figure("outbox_write_rate", count / (time.perf_counter() - started), "rows/s")

    queued = broker.undelivered()
    if queued != count:
        # dispatch_on_commit logs and swallows broker errors, so a short
        # queue would otherwise show up only as a send timeout.
        raise BenchmarkFailed(f"{queued} of {count} tasks reached the broker")

    with session.celery_worker() as worker:
        started_at = time.monotonic()
        last_at = _wait_for_all(session.sink, worker, count, started_at)
        _wait_for_empty_queue(worker)
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


def _wait_for_all(sink, worker, count: int, started_at: float) -> float:
    """Return the time the last of ``count`` distinct rows reached the sink."""
    deadline = started_at + SEND_TIMEOUT
    next_report = started_at + PROGRESS_INTERVAL
    while True:
        received, distinct, last_at = sink.snapshot()
        if distinct >= count:
            return last_at
        now = time.monotonic()
        if worker.poll() is not None:
            raise BenchmarkFailed(f"celery worker exited with {worker.returncode} after {distinct} of {count} emails")
        if now > deadline:
            raise BenchmarkFailed(f"only {distinct} of {count} emails reached the sink in {SEND_TIMEOUT} s")
        if now > next_report:
            progress(f"  {distinct}/{count} emails after {now - started_at:.0f} s")
            next_report += PROGRESS_INTERVAL
        time.sleep(POLL_INTERVAL)


def _wait_for_empty_queue(worker) -> None:
    # A redelivered task could still send a duplicate after the last distinct
    # email arrived; once nothing is queued or unacknowledged, none can.
    deadline = time.monotonic() + 60
    while broker.undelivered() and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(POLL_INTERVAL)


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
