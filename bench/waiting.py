"""Waiting for a real worker to deliver emails to the sink, shared by the email benchmarks."""

import time

from bench import broker
from bench.registry import BenchmarkFailed
from bench.report import progress

POLL_INTERVAL = 0.05
PROGRESS_INTERVAL = 10.0


def wait_for_all(sink, worker, *, count: int, started_at: float, timeout: float) -> float:
    """Return the time the last of ``count`` distinct rows reached the sink.

    Fails the benchmark when the worker dies or ``timeout`` seconds after
    ``started_at`` pass first.
    """
    deadline = started_at + timeout
    next_report = time.monotonic() + PROGRESS_INTERVAL
    while True:
        _received, distinct, last_at = sink.snapshot()
        if distinct >= count:
            return last_at
        now = time.monotonic()
        if worker.poll() is not None:
            raise BenchmarkFailed(f"celery worker exited with {worker.returncode} after {distinct} of {count} emails")
        if now > deadline:
            raise BenchmarkFailed(f"only {distinct} of {count} emails reached the sink in {timeout:.0f} s")
        if now > next_report:
            progress(f"  {distinct}/{count} emails after {now - started_at:.0f} s")
            next_report += PROGRESS_INTERVAL
        time.sleep(POLL_INTERVAL)


def wait_for_empty_queue(worker) -> None:
    # A redelivered task could still send a duplicate after the last distinct
    # email arrived; once nothing is queued or unacknowledged, none can.
    deadline = time.monotonic() + 60
    while broker.undelivered() and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(POLL_INTERVAL)
