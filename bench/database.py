"""A PostgreSQL database of the run's own, created empty and always dropped.

Benchmarks write tens of thousands of rows and truncate tables between runs,
so they must never see the developer's data.
"""

import contextlib
import os
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

# The maintenance database the bench database is created from and dropped in.
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _execute(statement: sql.Composable) -> None:
    # CREATE and DROP DATABASE refuse to run inside a transaction.
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(statement)


def name_for_run() -> str:
    return f"privacy_portal_bench_{os.getpid()}"


def url_for(name: str) -> str:
    return urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))


@contextlib.contextmanager
def bench_database(name: str) -> Iterator[None]:
    """Create the empty database ``name`` and drop it when the block ends.

    Close Django's connections to it before leaving the block: the drop
    ends every session still open on it.
    """
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    try:
        _execute(create)
    except psycopg.errors.DuplicateDatabase:
        # Not ours to drop: another run with the same name may be using it.
        raise
    except BaseException:
        # An interrupt may land after the server created it.
        _drop(name)
        raise
    try:
        yield
    finally:
        _drop(name)


def _drop(name: str) -> None:
    # FORCE: a worker killed mid-task may leave its session behind.
    _execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
