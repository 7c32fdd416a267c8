"""Sending one message to many people through the outbox, in resumable batches.

Generic: a recipients queryset, a notification kind and a context. Each
batch is one transaction that writes the inbox messages, the outbox emails,
one ``FanOutRecipient`` per person and the moved cursor, with bulk inserts;
after it commits, one task sends the batch's emails over one SMTP
connection. A killed worker loses at most the batch in flight; a rerun
starts after the cursor and skips anyone already recorded, so nobody is
written to twice (the unique (fan_out, user) constraint is the backstop).
"""

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from notifications.services import notify_bulk
from privacy_portal.dispatch import dispatch_on_commit

from .models import FanOut, FanOutRecipient

BATCH_SIZE = 1000


def fan_out_start(*, key: str, kind: str, recipients: QuerySet) -> FanOut:
    """Create (or find) the fan-out for ``key``, counting its people once."""
    fan_out, created = FanOut.objects.get_or_create(key=key, defaults={"kind": kind})
    if created:
        fan_out.total = recipients.count()
        fan_out.save(update_fields=["total"])
    return fan_out


def fan_out_run(
    *,
    fan_out: FanOut,
    recipients: QuerySet,
    context: dict | None = None,
    batch_size: int = BATCH_SIZE,
    personalise: bool = False,
    max_batches: int | None = None,
) -> int:
    """Write the messages for everyone in ``recipients`` not yet written to; return how many people.

    ``max_batches`` stops early (tests simulate a crash with it; a worker
    could use it to yield). Safe to run twice at once: each batch locks the
    fan-out row, so the second run waits and then finds the work done.
    """
    from notifications.tasks import outbox_send_batch

    done_already = FanOutRecipient.objects.filter(fan_out=fan_out, user=OuterRef("pk"))
    fields = ["pk", "email", "language"]
    count = batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            locked = FanOut.objects.select_for_update().get(pk=fan_out.pk)
            if locked.finished_at is not None:
                break
            pending = recipients.filter(pk__gt=locked.cursor).exclude(Exists(done_already)).order_by("pk")
            if not personalise:
                pending = pending.only(*fields)
            people = list(pending[:batch_size])
            if not people:
                locked.finished_at = timezone.now()
                locked.save(update_fields=["finished_at", "updated_at"])
                break
            emailed = notify_bulk(kind=locked.kind, people=people, context=context, personalise=personalise)
            FanOutRecipient.objects.bulk_create(
                [FanOutRecipient(fan_out=locked, user_id=p.pk, outbox_email_id=emailed.get(p.pk)) for p in people]
            )
            locked.cursor = people[-1].pk
            locked.save(update_fields=["cursor", "updated_at"])
            if emailed:
                dispatch_on_commit(outbox_send_batch, sorted(emailed.values()))
        count += len(people)
        batches += 1
    fan_out.refresh_from_db()
    return count
