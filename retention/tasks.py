"""Celery entry points for retention."""

from celery import shared_task

from .sweep import retention_sweep as run_sweep


@shared_task(name="retention.tasks.retention_sweep", ignore_result=True)
def retention_sweep() -> int | None:
    """Nightly beat task: run the sweep; return the report's id (None when another sweep was running)."""
    report = run_sweep()
    return report.pk if report else None
