"""The processes a fault test starts and kills: its own Redis, real Celery workers.

Each test gets a Redis of its own on a free port, so stopping it to play an
outage never touches the Redis other people's tests and workers share. The
workers are separate processes with the prefork pool, as in production, each
in its own process group so that one ``killpg(SIGKILL)`` takes the pool
children down with their parent, as a crash or an OOM kill of the whole
container would.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import redis

from bench.worker import COMMAND as WORKER_COMMAND
from bench.worker import stop as stop_worker_process

PROJECT_DIR = Path(__file__).resolve().parents[2]
POLL_INTERVAL = 0.05


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wait_until(
    condition: Callable[[], object], *, timeout: float, message: str, details: Callable[[], str] | None = None
) -> object:
    """Poll ``condition`` until it returns something truthy; fail with ``message`` after ``timeout`` s.

    ``details`` describes the state at the time of failure (counts, a worker's log).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            extra = f"\n{details()}" if details else ""
            raise AssertionError(f"{message} (waited {timeout:.0f} s){extra}")
        time.sleep(POLL_INTERVAL)


class RedisServer:
    """A throw-away redis-server: no persistence, so a restart comes back empty, as after a crash."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        log = (self.directory / "redis.log").open("ab")
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_until(self._answers, timeout=10, message=f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        """Kill it (an outage, not a shutdown); the port is free for ``start()`` again."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait()
        self.process = None

    def _answers(self) -> bool:
        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.ConnectionError:
            return False

    def undelivered(self) -> tuple[int, int]:
        """Messages waiting in the default queue, and messages taken by a worker but not acknowledged."""
        with self.client() as client:
            return client.llen("celery"), client.hlen("unacked")


class Worker:
    """``celery worker --pool prefork --concurrency 2`` in its own process group."""

    def __init__(self, env: dict[str, str], log_path: Path, extra_args: tuple[str, ...] = ()):
        self.log_path = log_path
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*WORKER_COMMAND, *extra_args],
                cwd=PROJECT_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the parent and every pool child at once: nothing gets to clean up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        # Reaps the parent and waits until no process of the group is left.
        stop_worker_process(self.process)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


# Worker connections carry this name, so the tests can tell them from the
# other sessions a whole-suite run keeps open (live servers, in-process workers).
WORKER_APPLICATION_NAME = "fault-test-worker"


def database_url(settings_dict: dict) -> str:
    """A URL for the database pytest-django created, for the worker processes (TEST_DATABASE_URL)."""
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    name = settings_dict["NAME"]
    return f"postgres://{credentials}@{host}:{port}/{name}?application_name={WORKER_APPLICATION_NAME}"


def other_sessions(connection, *, waiting_on_a_lock: bool = False) -> int:
    """The worker processes' sessions on this test database (optionally: only those blocked on a lock)."""
    sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s"
    if waiting_on_a_lock:
        sql += " AND wait_event_type = 'Lock'"
    with connection.cursor() as cursor:
        cursor.execute(sql, [WORKER_APPLICATION_NAME])
        return cursor.fetchone()[0]
