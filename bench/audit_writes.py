"""Audited writes per second with 1, 4 and 8 writers at once.

Every service that changes something records it with
``audit.services.audit_record`` inside its own transaction, and every record
extends one hash chain: the chain head is locked (``SELECT … FOR UPDATE``)
from the insert to the commit. So the log takes one write at a time however
many processes write, and this benchmark says how many that is.

Each writer is a process of its own (forked, so no writer shares a database
connection or the interpreter lock with another) writing for a fixed time,
one ``transaction.atomic()`` per record, as a service does. Afterwards the
log must hold exactly the records the writers counted, and the chain must
verify.
"""

import multiprocessing
import time

from django.db import connections, transaction

from audit.models import AuditEvent
from audit.selectors import audit_log_verify
from audit.services import audit_record
from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, progress

WRITERS = (1, 4, 8)
DURATION = 10
# The writers start together, this long after they are forked, so their start-up is not timed.
START_DELAY = 1.0


@benchmark("audit_writes")
def audit_writes(session) -> None:
    """audit_record() in its own transaction: writes/s with 1, 4 and 8 concurrent writer processes."""
    duration = max(2, session.scaled(DURATION))
    total = 0
    rates = {}
    for writers in WRITERS:
        progress(f"{writers} writer(s) for {duration} s")
        counts, elapsed = _run(writers, duration)
        total += sum(counts)
        rate = sum(counts) / elapsed
        rates[writers] = rate
        progress(f"  {sum(counts)} writes; per writer {min(counts)}..{max(counts)}")
        figure(f"audit_writes_rate_{writers}", rate, "writes/s")
    figure("audit_writes_scaling_8_to_1", rates[8] / rates[1], "")

    rows = AuditEvent.objects.filter(action="bench.audit_write").count()
    if rows != total:
        raise BenchmarkFailed(f"the log holds {rows} benchmark records, the writers counted {total}")
    report = audit_log_verify()
    if not report.ok:
        raise BenchmarkFailed(f"the audit chain does not verify after the run: {report}")
    progress(f"  the chain verifies ({rows} records)")


def _run(writers: int, duration: int) -> tuple[list[int], float]:
    # Forked children must not inherit the parent's open connection.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + START_DELAY
    processes = [
        context.Process(target=_writer, args=(n, start_at, duration, results), daemon=True) for n in range(writers)
    ]
    for process in processes:
        process.start()
    try:
        answers = [results.get(timeout=START_DELAY + duration + 120) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    failures = [answer for answer in answers if isinstance(answer, str)]
    if failures:
        raise BenchmarkFailed(f"a writer failed: {failures[0]}")
    counts = [count for count, _ in answers]
    # From the common start to the last writer's last commit.
    elapsed = max(finished for _, finished in answers) - start_at
    return counts, elapsed


def _writer(number: int, start_at: float, duration: int, results) -> None:
    try:
        count = 0
        # Connect before the start, as a long-running process already is.
        connections["default"].ensure_connection()
        time.sleep(max(0.0, start_at - time.time()))
        stop_at = start_at + duration
        while time.time() < stop_at:
            with transaction.atomic():
                audit_record(
                    actor=None,
                    action="bench.audit_write",
                    target=("bench.item", f"{number}-{count}"),
                    details={"writer": number, "n": count},
                )
            count += 1
        results.put((count, time.time()))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the run
        results.put(f"writer {number}: {exc!r}")
    finally:
        connections.close_all()
