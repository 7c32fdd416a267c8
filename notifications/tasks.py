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
    """Send a batch of outbox emails over one SMTP connection; return how many went out.

    Opening a connection per message (TCP, TLS, AUTH) costs more than the
    message itself, so a fan-out hands its rows over in batches. Each row is
    claimed as ``services.outbox_send`` claims it: locked (``skip_locked``)
    and still pending, sent, marked in its own transaction. A duplicate
    delivery of this task therefore sends nothing twice, and a row another
    worker holds is left to it.
    """
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection
    from django.db import transaction
    from django.utils import timezone

    from privacy_portal.logging import mask_personal_data

    from .models import OutboxEmail

    sent = 0
    connection = get_connection()
    try:
        for outbox_id in outbox_ids:
            with transaction.atomic():
                row = (
                    OutboxEmail.objects.select_for_update(skip_locked=True)
                    .filter(pk=outbox_id, state=OutboxEmail.State.PENDING)
                    .first()
                )
                if row is None:
                    continue
                now = timezone.now()
                row.attempts += 1
                try:
                    # Opens the connection the first time (and after a failure);
                    # a no-op while it is open, so the rest reuse it.
                    connection.open()
                    EmailMessage(
                        subject=row.subject,
                        body=row.body,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[row.to_address],
                        headers={"Message-ID": f"<outbox-{row.pk}@{settings.OUTBOX_MESSAGE_ID_DOMAIN}>"},
                        connection=connection,
                    ).send()
                except Exception as exc:  # noqa: BLE001 - recorded and retried like a single send
                    row.last_error = mask_personal_data(f"{type(exc).__name__}: {exc}")[:200]
                    if row.attempts >= services.MAX_ATTEMPTS:
                        row.state = OutboxEmail.State.FAILED
                    row.next_attempt_at = now + services._backoff(row.attempts)
                    row.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
                    # The connection may be broken: the next send opens a fresh one.
                    connection.close()
                    continue
                row.state = OutboxEmail.State.SENT
                row.sent_at = now
                row.last_error = ""
                row.save(update_fields=["attempts", "state", "sent_at", "last_error"])
                sent += 1
    finally:
        connection.close()
    return sent
