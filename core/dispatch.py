"""Handing work to Celery after the current transaction commits."""

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def _publish(task, args):
    try:
        task.apply_async(args=args)
    except Exception:
        logger.warning("broker unreachable, %s left for the pending scan", task.name, exc_info=True)


def dispatch_on_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the caller's transaction has committed.

    Like Celery's ``delay_on_commit``, but a broker outage at commit time is
    logged instead of raised: the change is already committed, the person's
    request must still succeed, and the state row the task works from is
    picked up later by a periodic scan.
    """
    transaction.on_commit(partial(_publish, task, list(args)), robust=True)
