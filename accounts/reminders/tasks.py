"""Celery entry point: the daily reminder run."""

from celery import shared_task

from . import services


@shared_task(name="accounts.reminders.tasks.reminders_send_due", ignore_result=True)
def reminders_send_due() -> int:
    return services.reminders_send_due()
