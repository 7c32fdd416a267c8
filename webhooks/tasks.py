"""Celery entry points: load by id, call the service."""

from celery import shared_task

from . import services


@shared_task(name="webhooks.tasks.webhook_delivery_send", ignore_result=True)
def webhook_delivery_send(delivery_id: int) -> str | None:
    return services.webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.tasks.webhook_deliveries_dispatch_due", ignore_result=True)
def webhook_deliveries_dispatch_due() -> int:
    """Queue every delivery whose time has come: retries, and whatever a broker outage left behind."""
    ids = services.webhook_deliveries_queue_due()
    for delivery_id in ids:
        webhook_delivery_send.apply_async(args=[delivery_id])
    return len(ids)
