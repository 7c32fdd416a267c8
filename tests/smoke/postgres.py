"""The smoke run's own PostgreSQL cluster: initdb into the run's directory, one port, trust on loopback.

The machine's PostgreSQL on 5432 serves other people's test runs at the same
time, so the smoke test never touches it: restarting the database mid-run is
done to this cluster only. initdb refuses to run as root, so as root the
cluster belongs to the ``postgres`` user (Debian's packages create it).
"""

import glob
import os
import pwd
import signal
import subprocess
import time
from pathlib import Path

import psycopg

START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(Path(path).parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL's server programs are missing (/usr/lib/postgresql/*/bin/initdb)")
    return Path(found[-1]).parent


class PostgresCluster:
    def __init__(self, directory: Path, port: int):
        self.directory = directory
        self.data = directory / "data"
        self.socket_dir = directory / "socket"
        self.log_path = directory / "postgresql.log"
        self.port = port
        self.bin = _bin_dir()
        self.process: subprocess.Popen | None = None
        # As root, the cluster is the postgres user's; otherwise the caller's own.
        self.user = "postgres" if os.geteuid() == 0 else None

    def _owned(self, path: Path) -> None:
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run_as_owner(self) -> dict:
        return {"user": self.user} if self.user else {}

    def init(self) -> None:
        for path in (self.directory, self.socket_dir):
            path.mkdir(parents=True, exist_ok=True)
            self._owned(path)
        subprocess.run(
            [
                str(self.bin / "initdb"),
                "--pgdata",
                str(self.data),
                "--username",
                "postgres",
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C.UTF-8",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.directory,
            **self._run_as_owner(),
        )

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(self.bin / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                str(self.socket_dir),
                # A throw-away cluster: durability costs time and buys nothing here.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=100",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.directory,
            start_new_session=True,
            **self._run_as_owner(),
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while not self.answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.process.returncode} at start")
            if time.monotonic() > deadline:
                raise RuntimeError(f"postgres did not answer on port {self.port} within {START_TIMEOUT:.0f} s")
            time.sleep(0.1)

    def stop(self) -> None:
        """Fast shutdown: sessions are cut, as in a failover or a restart for an upgrade."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, *, user: str, database: str, application_name: str = "") -> str:
        query = f"?application_name={application_name}" if application_name else ""
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}{query}"

    def answers(self) -> bool:
        try:
            with psycopg.connect(self.admin_url, connect_timeout=2) as connection:
                connection.execute("SELECT 1")
        except psycopg.OperationalError:
            return False
        return True

    def connect(self, database: str, **kwargs) -> psycopg.Connection:
        return psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/{database}", **kwargs)
