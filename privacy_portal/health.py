"""Reachability checks for the health endpoints and the staff status page.

``/healthz`` is liveness: it answers 200 while the process can answer at all, and asks nothing
of any dependency, so a load balancer never pulls every node at once for a shared outage.
``/readyz`` is readiness: the database must answer and hold every migration this code expects.
The broker is reported but not required: the portal keeps serving without Redis, and the work
waits as rows that beat queues again (docs/architecture.md, failure drills).
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from .celery import app as celery_app

# Once every migration is applied it stays so for this process's life: new migrations arrive
# only with new code, which means new processes. Loading the migration graph from disk on every
# probe would cost more than the rest of the check together.
_migrations_applied = False


def database_status() -> str:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "unreachable" to the prober
        return "unreachable"
    return "ok"


def migrations_status() -> str:
    """``ok``, ``pending`` (the code expects migrations the database lacks) or ``unknown``."""
    global _migrations_applied  # a per-process memo, see above
    if _migrations_applied:
        return "ok"
    try:
        loader = MigrationLoader(connections[DEFAULT_DB_ALIAS], ignore_no_migrations=True)
        # Every migration of the graph, not only the leaves: one skipped in the middle counts too.
        pending = set(loader.graph.nodes) - set(loader.applied_migrations)
    except Exception:  # noqa: BLE001 - the database went away between the two checks
        return "unknown"
    if pending:
        return "pending"
    _migrations_applied = True
    return "ok"


def broker_status() -> str:
    """``in-process`` when no broker is configured (tasks run eagerly)."""
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001
        return "unreachable"
    return "ok"


def readiness() -> tuple[bool, dict[str, str]]:
    """Whether this node should receive traffic, and what each dependency answered."""
    database = database_status()
    migrations = migrations_status() if database == "ok" else "unknown"
    checks = {"database": database, "migrations": migrations, "broker": broker_status()}
    return database == "ok" and migrations == "ok", checks
