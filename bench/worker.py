"""A real Celery worker in its own process, started and stopped by the harness.

An in-process worker would share the runner's interpreter and database
connection; a subprocess with the prefork pool is what production runs.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench.report import progress

PROJECT_DIR = Path(__file__).resolve().parent.parent
CELERY = PROJECT_DIR / ".venv" / "bin" / "celery"
STOP_TIMEOUT = 60.0

COMMAND = [
    str(CELERY),
    "-A",
    "privacy_portal",
    "worker",
    "--pool",
    "prefork",
    "--concurrency",
    "2",
    "-Q",
    "celery",
    "--without-heartbeat",
    "--without-gossip",
    "--without-mingle",
    "-l",
    "WARNING",
]


@contextlib.contextmanager
def celery_worker(env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """Run a worker with ``env`` for the duration of the block."""
    process = subprocess.Popen(
        COMMAND,
        cwd=PROJECT_DIR,
        env=env,
        # Its log lines are progress, not figures.
        stdout=sys.stderr,
        stderr=sys.stderr,
        # Its own process group: Ctrl-C in the terminal reaches only the
        # runner, which then stops the worker in order, and the group lets
        # the runner kill pool children that outlive their parent.
        start_new_session=True,
    )
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen, timeout: float = STOP_TIMEOUT) -> None:
    """Warm shutdown (SIGTERM: finish running tasks), then SIGKILL after ``timeout``."""
    try:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout)
    except subprocess.TimeoutExpired:
        progress(f"celery worker {process.pid} still running {timeout:.0f} s after SIGTERM; killing it")
    finally:
        # Also when a second Ctrl-C cut the warm shutdown short: no worker
        # may outlive the runner and keep consuming from the bench queue.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        _wait_for_group_exit(process.pid)


def _wait_for_group_exit(pgid: int) -> None:
    # Wait for the group to disappear so that a database drop right after
    # does not race with a pool child still holding a connection.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
