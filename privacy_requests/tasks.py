"""Scheduled work for rights requests (run by Celery beat)."""

import logging

from celery import shared_task

from .services import privacy_requests_lapse_stale

logger = logging.getLogger(__name__)


@shared_task(name="privacy_requests.tasks.privacy_requests_lapse_stale")
def privacy_requests_lapse_stale_task() -> int:
    """Requests left without an identity check for 7 days lapse. Idempotent: safe to run twice."""
    count = privacy_requests_lapse_stale()
    if count:
        logger.info("rights requests lapsed without identity check: %s", count)
    return count
