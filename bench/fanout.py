"""Telling 100,000 people about a security incident: queueing, then sending.

Three numbers, from one run:

- ``fanout_queue_seconds``: notifying the incident's people, as the worker
  does it (``incident_notify`` then ``incident_fan_out_run``): every inbox
  message, outbox email and per-person record written, and every send task
  published to Redis. Nothing is being sent meanwhile.
- ``fanout_send_rate``: a real prefork worker (two processes) then sends
  the queued emails to the loopback SMTP sink; counted from the first
  message the sink receives to the last.
- ``fanout_floor_rate``: the sink's own ceiling, a bare ``smtplib`` loop in
  a process of its own sending the very same rendered messages over one
  connection. ``fanout_floor_ratio`` is send / floor.

The run fails when not every email arrives, or any arrives twice.
"""

import math
import os
import struct
import subprocess
import sys
import tempfile
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.utils import timezone

from bench import broker
from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, progress
from bench.waiting import wait_for_all, wait_for_empty_queue
from incidents import services
from incidents.models import Audience, Incident
from incidents.notification_kinds import SECURITY_INCIDENT
from incidents.tests.factories import notice_complete, notice_fields
from notifications import fanout
from notifications.models import OutboxEmail

FULL_COUNT = 100_000
SEED_CHUNK = 5_000
RENDER_CHUNK = 2_000
SEND_TIMEOUT = 20 * 60
FIRST_POLL_INTERVAL = 0.002
# Four bytes of length before each message in the floor's input file.
_LENGTH = struct.Struct(">I")

# The floor's client: its own interpreter, so it does not share a GIL with the
# sink's thread in this process. Reads every message first, then times only
# the SMTP loop over one connection.
_FLOOR_CLIENT = """
import smtplib, struct, sys, time
host, port, path, sender = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
length = struct.Struct(">I")
messages = []
with open(path, "rb") as source:
    while header := source.read(length.size):
        (to_size,) = length.unpack(header)
        to = source.read(to_size).decode()
        (size,) = length.unpack(source.read(length.size))
        messages.append((to, source.read(size)))
with smtplib.SMTP(host, port) as smtp:
    started = time.perf_counter()
    for to, data in messages:
        smtp.sendmail(sender, [to], data)
    print(time.perf_counter() - started)
"""


@benchmark("fanout")
def fanout_benchmark(session) -> None:
    """Notify 100,000 people of an incident: queue time, then the workers' send rate against the sink's ceiling."""
    count = session.scaled(FULL_COUNT)
    progress(f"seeding {count} citizens")
    _seed_people(count)
    incident = Incident.objects.create(
        title_zh="测试事件",
        title_en="Benchmark incident",
        description_zh="A benchmark run.",
        **notice_fields(),
        discovered_at=timezone.now(),
        advice_zh="请修改密码。",
        advice_en="Please change your password.",
        audience=Audience.ALL,
    )
    notice_complete(incident)

    progress(f"queueing {count} notices in batches of {fanout.BATCH_SIZE}")
    started = time.perf_counter()
    incident = services.incident_notify(incident=incident, actor=None)
    told = services.incident_fan_out_run(incident=incident)
    figure("fanout_queue_seconds", time.perf_counter() - started, "s")
    if told != count:
        raise BenchmarkFailed(f"{told} of {count} people were queued")
    expected_tasks = _send_tasks(count) + 1  # and the incident_fan_out task incident_notify queues
    queued = broker.undelivered()
    if queued != expected_tasks:
        # dispatch_on_commit logs and swallows broker errors: catch a short queue here.
        raise BenchmarkFailed(f"{queued} of {expected_tasks} tasks reached the broker")

    worker_started = time.monotonic()
    with session.celery_worker() as worker:
        first_at = _wait_for_first(session.sink, worker)
        progress(f"  the first email arrived {first_at - worker_started:.1f} s after the worker started")
        last_at = wait_for_all(session.sink, worker, count=count, started_at=first_at, timeout=SEND_TIMEOUT)
        wait_for_empty_queue(worker)
    progress(f"  all {count} emails arrived {last_at - first_at:.1f} s after the first")
    send_rate = count / max(last_at - first_at, 1e-6)
    figure("fanout_send_rate", send_rate, "messages/s")
    received, distinct, _ = session.sink.snapshot()
    figure("fanout_duplicates", received - distinct, "messages")
    _check(count=count, received=received, distinct=distinct)

    floor_rate = _floor_rate(session.sink, count)
    figure("fanout_floor_rate", floor_rate, "messages/s")
    progress(f"  send / floor = {send_rate:.1f} / {floor_rate:.1f} = {send_rate / floor_rate:.3f}")
    figure("fanout_floor_ratio", send_rate / floor_rate, "")


def _seed_people(count: int) -> None:
    """Active citizens in both languages, bulk-inserted in chunks (no factories, no signals)."""
    user_model = get_user_model()
    joined = timezone.now()
    for start in range(0, count, SEED_CHUNK):
        user_model.objects.bulk_create(
            [
                user_model(
                    username=f"citizen{n}",
                    email=f"citizen{n}@bench.example.cn",
                    # "!" marks an unusable password, as set_unusable_password does.
                    password="!bench",  # noqa: S106
                    language="en" if n % 2 else "zh-hans",
                    date_joined=joined,
                )
                for n in range(start, min(start + SEED_CHUNK, count))
            ]
        )


def _send_tasks(count: int) -> int:
    """How many send tasks the fan-out publishes for ``count`` people who all have an address."""
    return sum(
        math.ceil(min(fanout.BATCH_SIZE, count - start) / fanout.SEND_CHUNK)
        for start in range(0, count, fanout.BATCH_SIZE)
    )


def _wait_for_first(sink, worker) -> float:
    deadline = time.monotonic() + 120
    while True:
        received, _distinct, last_at = sink.snapshot()
        if received:
            # Polled every 2 ms: the first message's time is the only one seen yet.
            return last_at
        if worker.poll() is not None:
            raise BenchmarkFailed(f"celery worker exited with {worker.returncode} before sending anything")
        if time.monotonic() > deadline:
            raise BenchmarkFailed("no email reached the sink within 120 s of starting the worker")
        time.sleep(FIRST_POLL_INTERVAL)


def _check(*, count: int, received: int, distinct: int) -> None:
    rows = OutboxEmail.objects.filter(kind=SECURITY_INCIDENT).count()
    sent = OutboxEmail.objects.filter(kind=SECURITY_INCIDENT, state=OutboxEmail.State.SENT).count()
    progress(f"  outbox rows {rows}, sent {sent}; sink received {received} ({distinct} distinct)")
    problems = []
    if rows != count or sent != count:
        problems.append(f"{sent} of {rows} outbox rows are sent, expected {count}")
    if received != count or distinct != count:
        problems.append(f"the sink received {received} emails ({distinct} distinct), expected {count} once each")
    if problems:
        raise BenchmarkFailed("; ".join(problems))


def _floor_rate(sink, count: int) -> float:
    """Send the same messages, rendered as the worker renders them, from a bare smtplib loop."""
    progress(f"floor: rendering {count} messages")
    sender = "privacy@gov.example.cn"
    with tempfile.NamedTemporaryFile(prefix="fanout-floor-", suffix=".bin", delete=False) as spool:
        path = spool.name
        rows = OutboxEmail.objects.filter(kind=SECURITY_INCIDENT).order_by("pk")
        for row in rows.values("pk", "to_address", "subject", "body").iterator(chunk_size=RENDER_CHUNK):
            data = _rendered(row)
            to = row["to_address"].encode()
            spool.write(_LENGTH.pack(len(to)) + to + _LENGTH.pack(len(data)) + data)
    try:
        sink.reset()
        progress("floor: sending them over one connection")
        answer = subprocess.run(
            [sys.executable, "-c", _FLOOR_CLIENT, sink.host, str(sink.port), path, sender],
            check=True,
            capture_output=True,
            text=True,
            timeout=SEND_TIMEOUT,
        )
        seconds = float(answer.stdout.strip())
        received, _distinct, _last = sink.snapshot()
        if received != count:
            raise BenchmarkFailed(f"the floor loop delivered {received} of {count} messages")
    finally:
        os.unlink(path)
        sink.reset()
    return count / max(seconds, 1e-6)


def _rendered(row: dict) -> bytes:
    # The same message outbox_send builds, byte for byte apart from the Date header.
    message = EmailMessage(
        subject=row["subject"],
        body=row["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row["to_address"]],
        headers={"Message-ID": f"<outbox-{row['pk']}@{settings.OUTBOX_MESSAGE_ID_DOMAIN}>"},
    )
    return message.message().as_bytes(linesep="\r\n")
