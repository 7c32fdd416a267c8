"""Celery entry points: load by id, call the service."""

from celery import shared_task

from . import services


@shared_task(name="notifications.tasks.outbox_send", ignore_result=True)
def outbox_send(outbox_id: int) -> bool:
    return services.outbox_send(outbox_id=outbox_id)


@shared_task(name="notifications.tasks.outbox_dispatch_pending", ignore_result=True)
def outbox_dispatch_pending() -> int:
    """Queue every pending email whose time has come (broker outages, retries)."""
    ids = services.outbox_claim_due()
    for outbox_id in ids:
        outbox_send.apply_async(args=[outbox_id])
    return len(ids)


@shared_task(name="notifications.tasks.outbox_send_batch", ignore_result=True)
def outbox_send_batch(outbox_ids: list[int]) -> int:
    """Send a batch of outbox emails over one mail connection (fan-outs)."""
    return services.outbox_send_many(outbox_ids=outbox_ids)
