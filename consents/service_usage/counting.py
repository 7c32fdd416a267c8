"""Counting consent checks per service, person, purpose and day, without a write a check.

The consent check answers from one query; an INSERT beside it would double
its cost. Each process adds to a dictionary in memory instead and writes it
as one upsert a batch (``checks = checks + n``) once ``FLUSH_SECONDS`` have
passed or ``FLUSH_KEYS`` keys are waiting, after the response that tipped it
has been sent (``request_finished``), and when the process exits. A worker
killed outright loses at most its last few seconds of counts: they are a
record for the person to read, not work that must happen.
"""

import atexit
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import request_finished
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.service_clients.models import ServiceClient
from consents.models import ServiceCheckDay

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 30
FLUSH_KEYS = 20_000
UPSERT_CHUNK = 1000

# (client id, subject id, purpose id, day) -> checks not yet written.
_pending: Counter = Counter()
_lock = threading.Lock()
# When the oldest count still in memory was made: a flush is due FLUSH_SECONDS after it.
_oldest: float | None = None


def service_checks_note(*, client_id: int, subject_ids: Iterable[int], purpose_id: int) -> None:
    """Count one check of each person by ``client_id`` (known people only: the caller filters)."""
    global _oldest
    day = timezone.localdate()
    with _lock:
        if _oldest is None:
            _oldest = time.monotonic()
        for subject_id in subject_ids:
            _pending[(client_id, subject_id, purpose_id, day)] += 1


def service_checks_flush() -> int:
    """Write what this process has counted; returns how many rows were upserted."""
    global _oldest
    with _lock:
        batch = dict(_pending)
        _pending.clear()
        _oldest = None
    if not batch:
        return 0
    try:
        return _upsert(batch)
    except DatabaseError:
        # The database is away for a moment: keep the counts for the next flush.
        with _lock:
            _pending.update(batch)
            _oldest = time.monotonic()
        logger.warning("service checks: %d counts kept for the next flush (database error)", len(batch))
        return 0


def _upsert(batch: dict) -> int:
    # An account or client deleted since the check is skipped, not a foreign-key error for the batch.
    subjects = set(get_user_model().objects.filter(pk__in={key[1] for key in batch}).values_list("pk", flat=True))
    clients = set(ServiceClient.objects.filter(pk__in={key[0] for key in batch}).values_list("pk", flat=True))
    rows = [(key, count) for key, count in batch.items() if key[1] in subjects and key[0] in clients]
    table = connection.ops.quote_name(ServiceCheckDay._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_CHUNK):
            chunk = rows[start : start + UPSERT_CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            params: list = []
            for (client_id, subject_id, purpose_id, day), count in chunk:
                params.extend([client_id, subject_id, purpose_id, day, count])
            cursor.execute(
                f"INSERT INTO {table} (client_id, subject_id, purpose_id, day, checks) VALUES {values} "  # noqa: S608 - names from the model
                "ON CONFLICT (subject_id, client_id, purpose_id, day) "
                f"DO UPDATE SET checks = {table}.checks + EXCLUDED.checks",
                params,
            )
    return len(rows)


def _flush_when_due(**_kwargs) -> None:
    oldest = _oldest
    if oldest is None:
        return
    if len(_pending) < FLUSH_KEYS and time.monotonic() - oldest < FLUSH_SECONDS:
        return
    service_checks_flush()


def service_checks_forget() -> None:
    """Drop the counts in memory (tests: each starts from its own database state)."""
    global _oldest
    with _lock:
        _pending.clear()
        _oldest = None


def _flush_at_exit() -> None:
    if not (_pending and settings.configured):
        return
    service_checks_flush()


request_finished.connect(_flush_when_due, dispatch_uid="service_checks_flush_when_due")
atexit.register(_flush_at_exit)
