"""Reachability checks for the health endpoint."""

from django.conf import settings
from django.db import connection

from .celery import app as celery_app


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "unreachable" to the prober
        return "unreachable"
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
