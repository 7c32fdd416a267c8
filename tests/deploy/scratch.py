"""Scratch databases and roles of the deploy tests, made and removed by the tests themselves.

The deploy scripts (scripts/db-roles, scripts/backup, scripts/restore-drill)
act on whole databases and cluster-wide roles, so they never touch the
database pytest-django made: each test gets names of its own, derived from the
run id and a random part, and drops exactly those names when it ends.
"""

import os
import secrets
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

PROJECT_DIR = Path(__file__).resolve().parents[2]
PYTHON = PROJECT_DIR / ".venv" / "bin" / "python"
HOST = os.environ.get("PGHOST", "127.0.0.1")
PORT = os.environ.get("PGPORT", "5432")
ADMIN = os.environ.get("PGUSER", "postgres")


def unique_name(kind: str) -> str:
    run = "".join(c if c.isalnum() else "_" for c in os.environ.get("TEST_RUN_ID", str(os.getpid())))
    return f"test_{kind}_{run}_{secrets.token_hex(3)}".lower()[:63]


def url(*, role: str, database: str) -> str:
    return f"postgres://{role}@{HOST}:{PORT}/{database}"


def admin_connect(database: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(host=HOST, port=PORT, user=ADMIN, dbname=database, autocommit=True)


def run(command: list[str], *, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a script or manage.py as an operator would; fail with its output if it fails."""
    result = subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"{command} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def manage(
    *args: str, database_url: str, checkpoints: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """``manage.py`` under the test settings, against ``database_url`` (TEST_DATABASE_URL).

    The chain checkpoints go to ``checkpoints``, else to a new empty directory:
    never to the project's var/checkpoints, where other databases' heads are.
    """
    if checkpoints is None:
        checkpoints = Path(tempfile.mkdtemp(prefix="deploy-checkpoints-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "privacy_portal.settings.test",
        "TEST_DATABASE_URL": database_url,
        "CHAIN_CHECKPOINT_DIR": str(checkpoints),
    }
    return run([str(PYTHON), "manage.py", *args], env=env, timeout=timeout)


@dataclass
class ScratchDatabase:
    """A database with its owner and application roles (scripts/db-roles), migrated as the owner."""

    name: str
    owner: str
    app: str

    @property
    def owner_url(self) -> str:
        return url(role=self.owner, database=self.name)

    @property
    def app_url(self) -> str:
        return url(role=self.app, database=self.name)

    def create(self) -> None:
        run(["bash", "scripts/db-roles", self.name, self.owner, self.app])
        manage("migrate", "--no-input", "-v", "0", database_url=self.owner_url)
        # Again after migrate: it narrows the rights on tables the migrations created.
        run(["bash", "scripts/db-roles", self.name, self.owner, self.app])

    def drop(self) -> None:
        drop_database(self.name)
        with admin_connect() as connection:
            for role in (self.app, self.owner):
                connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def drop_database(name: str) -> None:
    with admin_connect() as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
