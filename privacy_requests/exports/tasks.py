"""Celery entry points for exports: load by id, call the service."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from . import services


@shared_task(
    name="privacy_requests.exports.tasks.export_build",
    bind=True,
    ignore_result=True,
    max_retries=3,
    default_retry_delay=120,
)
def export_build(self, export_id: int) -> bool:
    """Build the ZIP of one export. Idempotent: a finished export is left alone, a half-built one rebuilt."""
    try:
        return services.export_build_run(export_id=export_id)
    except SoftTimeLimitExceeded:
        services.export_mark_failed(export_id=export_id)
        raise
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            services.export_mark_failed(export_id=export_id)
            raise
        raise self.retry(exc=exc) from exc


@shared_task(name="privacy_requests.exports.tasks.exports_expire_due", ignore_result=True)
def exports_expire_due() -> int:
    """Beat: delete export files whose 7-day link has expired."""
    return services.exports_expire_due()


@shared_task(name="privacy_requests.exports.tasks.exports_requeue_stale", ignore_result=True)
def exports_requeue_stale() -> int:
    """Beat: queue again the exports whose build task was lost (broker outage, killed worker)."""
    return services.exports_requeue_stale()
