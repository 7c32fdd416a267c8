"""Handing work to Celery after the current transaction commits."""

import contextlib
import logging
from functools import partial

from django.db import transaction

from .logging import bind_request_id, current_request_id

logger = logging.getLogger(__name__)


def _publish(task, args, request_id):
    try:
        # The commit may come after the request's context has ended (an outer
        # atomic block, a deferred callback): the id is the one seen at dispatch.
        with bind_request_id(request_id) if request_id else contextlib.nullcontext():
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
    transaction.on_commit(partial(_publish, task, list(args), current_request_id()), robust=True)
