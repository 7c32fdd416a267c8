"""Celery beat entry point of the overdue alerts."""

import logging

from celery import shared_task
from django.utils import timezone

from ..working_days import is_working_day
from . import services

logger = logging.getLogger(__name__)


@shared_task(name="privacy_requests.overdue.tasks.overdue_alerts_daily", ignore_result=True)
def overdue_alerts_daily() -> int:
    """Escalate newly overdue requests, then send the digests. Idempotent: a second run the same day does nothing."""
    today = timezone.localdate()
    escalated = services.privacy_requests_escalate_overdue(today=today)
    # Nobody reads a digest on a holiday; Monday's (or the make-up day's) covers it.
    sent = services.staff_overdue_digests_send(today=today) if is_working_day(today) else 0
    if escalated or sent:
        logger.info("overdue alerts: %s requests escalated, %s digests queued", escalated, sent)
    return sent
