"""Audited writes per second, and how they scale with concurrent writers.

Every service that changes something records it with
``audit.services.audit_record`` inside its own transaction, and the record
locks the head row of its partition's chain (``SELECT … FOR UPDATE``) until
the commit. Events about different targets mostly fall in different
partitions (``AUDIT_CHAIN_PARTITIONS``), so writers rarely wait for each
other; this benchmark says how close that comes to the same inserts with no
chain at all.

Each writer is a process of its own (forked, so no writer shares a database
connection or the interpreter lock with another) writing for a fixed time,
one ``transaction.atomic()`` per record, as a service does:

- ``audit_writes_rate_{1,4,8}``: a transaction holding only the record;
- ``audit_write_rate_8``: 8 writers, each transaction the record and then
  2 ms of work (``pg_sleep``, standing for the service's own statements),
  during which the head stays locked: the case the issue measured, and the
  worst one for the chain;
- ``audit_write_rate_unchained_8``: the same, with the row inserted into a
  copy of the table (same columns and indexes, no triggers) with its HMAC
  computed but no head locked or moved: the floor;
- ``audit_write_scaling`` = chained ÷ unchained at 8 writers (target ≥ 0.7).

Afterwards the log must hold exactly the records the writers counted, and
every partition's chain must verify (in full; the progress output says how
long that took with 1 and with 4 verifier threads).
"""

import json
import multiprocessing
import time

from django.db import connection, connections, transaction
from django.utils import timezone

from audit.hashing import GENESIS_HASH, linked_content
from audit.models import AuditEvent
from audit.selectors import audit_log_verify
from audit.services import audit_record
from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, progress
from core.hash_chain import chain_signing_key_id, link_hash

WRITERS = (1, 4, 8)
DURATION = 10
# The writers start together, this long after they are forked, so their start-up is not timed.
START_DELAY = 1.0
ACTION = "bench.audit_write"
# The measurement: 2 ms of the service's own work inside each transaction.
WORK_SECONDS = 0.002
UNCHAINED_TABLE = "bench_audit_unchained"
# Unchained rows take partitions no chain uses, one per writer, so (partition, seq) stays unique.
UNCHAINED_PARTITION_BASE = 1000


@benchmark("audit_writes")
def audit_writes(session) -> None:
    """audit_record() in its own transaction: writes/s with 1, 4 and 8 writers, and chained vs unchained at 8."""
    duration = max(2, session.scaled(DURATION))
    total = 0
    rates = {}
    for writers in WRITERS:
        progress(f"{writers} writer(s) for {duration} s")
        counts, elapsed = _run("chained", writers, duration)
        total += sum(counts)
        rate = sum(counts) / elapsed
        rates[writers] = rate
        progress(f"  {sum(counts)} writes; per writer {min(counts)}..{max(counts)}")
        figure(f"audit_writes_rate_{writers}", rate, "writes/s")
    figure("audit_writes_scaling_8_to_1", rates[8] / rates[1], "")

    with connection.cursor() as cursor:
        # LIKE … INCLUDING ALL: the same columns, defaults, identity and indexes; triggers are not copied.
        cursor.execute(f"CREATE TABLE {UNCHAINED_TABLE} (LIKE audit_auditevent INCLUDING ALL)")
    try:
        progress(f"8 writers, {WORK_SECONDS * 1000:.0f} ms of work in each transaction, unchained, for {duration} s")
        counts, elapsed = _run("unchained", 8, duration)
        unchained = sum(counts) / elapsed
        progress(f"  {sum(counts)} writes; per writer {min(counts)}..{max(counts)}")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {UNCHAINED_TABLE}")
    progress(f"8 writers, {WORK_SECONDS * 1000:.0f} ms of work in each transaction, chained, for {duration} s")
    counts, elapsed = _run("chained_work", 8, duration)
    total += sum(counts)
    chained = sum(counts) / elapsed
    progress(f"  {sum(counts)} writes; per writer {min(counts)}..{max(counts)}")
    figure("audit_write_rate_unchained_8", unchained, "writes/s")
    figure("audit_write_rate_8", chained, "writes/s")
    figure("audit_write_scaling", chained / unchained, "")

    rows = AuditEvent.objects.filter(action=ACTION).count()
    if rows != total:
        raise BenchmarkFailed(f"the log holds {rows} benchmark records, the writers counted {total}")
    for workers in (1, 4):
        started = time.perf_counter()
        report = audit_log_verify(full=True, workers=workers)
        if not report.ok:
            raise BenchmarkFailed(f"the audit chain does not verify after the run: {report}")
        progress(
            f"  every partition verifies ({report.checked} records in {len(report.partitions)} partitions, "
            f"{time.perf_counter() - started:.2f} s with {workers} verifier thread(s))"
        )


def _run(mode: str, writers: int, duration: int) -> tuple[list[int], float]:
    # Forked children must not inherit the parent's open connection.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + START_DELAY
    processes = [
        context.Process(target=_writer, args=(mode, n, start_at, duration, results), daemon=True)
        for n in range(writers)
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


def _writer(mode: str, number: int, start_at: float, duration: int, results) -> None:
    write = {"chained": _chained, "chained_work": _chained_with_work, "unchained": _unchained_with_work}[mode]
    try:
        count = 0
        # Connect before the start, as a long-running process already is.
        connections["default"].ensure_connection()
        time.sleep(max(0.0, start_at - time.time()))
        stop_at = start_at + duration
        while time.time() < stop_at:
            with transaction.atomic():
                write(number, count)
            count += 1
        results.put((count, time.time()))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the run
        results.put(f"writer {number}: {exc!r}")
    finally:
        connections.close_all()


def _record(number: int, count: int) -> None:
    # A target of its own per record, as services write about many different objects.
    audit_record(
        actor=None, action=ACTION, target=("bench.item", f"{number}-{count}"), details={"writer": number, "n": count}
    )


def _work() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [WORK_SECONDS])


def _chained(number: int, count: int) -> None:
    _record(number, count)


def _chained_with_work(number: int, count: int) -> None:
    _record(number, count)
    _work()


def _unchained_with_work(number: int, count: int) -> None:
    """The row ``audit_record`` would write, hashed the same way, without reading or moving a head."""
    details = {"writer": number, "n": count}
    created_at = timezone.now()
    content = linked_content(
        partition=UNCHAINED_PARTITION_BASE + number,
        created_at=created_at,
        actor_id=None,
        action=ACTION,
        target_type="bench.item",
        target_id=f"{number}-{count}",
        details=details,
    )
    key_id = chain_signing_key_id()
    digest = link_hash({**content, "seq": count + 1, "prev_hash": GENESIS_HASH}, key_id=key_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {UNCHAINED_TABLE} (partition, seq, created_at, actor_id, action, target_type, target_id,"
            " details, prev_hash, hash, key_id) VALUES (%s, %s, %s, NULL, %s, %s, %s, %s, %s, %s, %s)",
            [UNCHAINED_PARTITION_BASE + number, count + 1, created_at, ACTION, "bench.item", f"{number}-{count}",
             json.dumps(details), GENESIS_HASH, digest, key_id],
        )  # fmt: skip
    _work()
