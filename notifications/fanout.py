"""Sending one message to many people through the outbox, in resumable batches.

Generic: a recipients queryset, a notification kind and a context. Incident
notices and policy announcements both go through it, yet it names neither:
each describes its fan-outs as a topic in ``notifications.topics``. Each
batch is one transaction that locks the fan-out row, writes the inbox
messages, the outbox emails and one ``FanOutRecipient`` per person, and
moves the cursor. On PostgreSQL the rows are written by the server (INSERT …
SELECT from the recipients query, see ``services.notify_set``), so 100,000
people cost a handful of statements rather than 100,000 Python objects.

After a batch commits, its emails are handed to the workers in chunks, each
chunk sent over one SMTP connection, so both worker processes share the
sending. A killed worker loses at most the batch in flight; a rerun starts
after the cursor and skips anyone already recorded, so nobody is written to
twice (the unique (fan_out, user) constraint is the backstop).
"""

from collections.abc import Callable
from datetime import timedelta

from django.db import connections, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from core.dispatch import dispatch_on_commit

from .models import FanOut, FanOutRecipient
from .services import notify_personal, notify_set

# People written per transaction: big enough that per-statement overhead
# vanishes, small enough that the fan-out row's lock and a lost batch stay short.
BATCH_SIZE = 5000
# Emails per send task: one SMTP connection each, and enough tasks per batch
# for every worker process to take some.
SEND_CHUNK = 250
# A fan-out whose last batch is older than this is taken to have lost its worker.
STALE_AFTER = timedelta(minutes=5)


def fan_out_start(*, key: str, kind: str, recipients: QuerySet) -> FanOut:
    """Create (or find) the fan-out for ``key``, counting its people once."""
    fan_out, created = FanOut.objects.get_or_create(key=key, defaults={"kind": kind})
    if created:
        fan_out.total = recipients.count()
        fan_out.save(update_fields=["total"])
    return fan_out


def _not_yet_told(fan_out: FanOut, recipients: QuerySet) -> QuerySet:
    recorded = FanOutRecipient.objects.filter(fan_out=fan_out, user=OuterRef("pk"))
    return recipients.exclude(Exists(recorded))


def fan_out_reopen(*, fan_out: FanOut, recipients: QuerySet) -> bool:
    """Open a finished fan-out again when ``recipients`` now holds people it has not told.

    For audiences that grow (citizens who sign up before a policy version
    takes effect). The cursor goes back to the start because a newcomer's id
    need not be above it (a reactivated account); the per-person records
    keep everyone already told out. Returns whether it reopened.
    """
    with transaction.atomic():
        locked = FanOut.objects.select_for_update().get(pk=fan_out.pk)
        newcomers = _not_yet_told(locked, recipients)
        if locked.finished_at is None or not newcomers.exists():
            return False
        locked.total = locked.recipients.count() + newcomers.count()
        locked.cursor = 0
        locked.finished_at = None
        locked.save(update_fields=["total", "cursor", "finished_at", "updated_at"])
    fan_out.refresh_from_db()
    return True


def fan_out_run(
    *,
    fan_out: FanOut,
    recipients: QuerySet,
    context: dict | None = None,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    personal: Callable[[list[int]], dict[int, dict]] | None = None,
) -> int:
    """Write the messages for everyone in ``recipients`` not yet written to; return how many people.

    The text is the same for everyone who reads a language: a template
    that greets by name would put personal data in every message and undo
    the set-based write. A message that must carry something of each
    person's own (a signed link) passes ``personal`` (see
    ``services.notify_personal``): the text is still rendered once per
    language, and the rows are written from Python. ``max_batches``
    stops early (tests simulate a crash with it; a worker could use it to yield).
    Safe to run twice at once: each batch locks the fan-out row, so the
    second run waits and then finds the work done.
    """
    count = batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            locked = FanOut.objects.select_for_update().get(pk=fan_out.pk)
            if locked.finished_at is not None:
                break
            pending = _not_yet_told(locked, recipients.filter(pk__gt=locked.cursor)).order_by("pk")
            if len(pending.query.alias_map) > 1:
                # A join (users with rows in some table) can list a person twice.
                pending = pending.distinct()
            pending = pending[:batch_size]
            if personal is None:
                told = notify_set(kind=locked.kind, people=pending, context=context)
            else:
                told = notify_personal(kind=locked.kind, people=pending, context=context, personal=personal)
            if not told:
                locked.finished_at = timezone.now()
                locked.save(update_fields=["finished_at", "updated_at"])
                break
            _record(fan_out=locked, told=told)
            locked.cursor = told[-1][0]
            locked.save(update_fields=["cursor", "updated_at"])
            _dispatch_sends(sorted(outbox_id for _user_id, outbox_id in told if outbox_id is not None))
        count += len(told)
        batches += 1
    fan_out.refresh_from_db()
    return count


def _record(*, fan_out: FanOut, told: list[tuple[int, int | None]]) -> None:
    """One ``FanOutRecipient`` per person of the batch, in one statement."""
    connection = connections[FanOutRecipient.objects.db]
    if connection.vendor != "postgresql":
        FanOutRecipient.objects.bulk_create(
            [
                FanOutRecipient(fan_out=fan_out, user_id=user_id, outbox_email_id=outbox_id)
                for user_id, outbox_id in told
            ]
        )
        return
    # Two arrays and unnest: the ids go over as two parameters instead of
    # thousands of model instances and VALUES rows.
    quote = connection.ops.quote_name
    meta = FanOutRecipient._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("fan_out", "user", "outbox_email"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 - names from the model, values are parameters
            "SELECT %s, u, o FROM unnest(%s::bigint[], %s::bigint[]) AS told (u, o)",
            [fan_out.pk, [user_id for user_id, _o in told], [outbox_id for _u, outbox_id in told]],
        )


def _dispatch_sends(outbox_ids: list[int]) -> None:
    from .tasks import outbox_send_batch

    for start in range(0, len(outbox_ids), SEND_CHUNK):
        dispatch_on_commit(outbox_send_batch, outbox_ids[start : start + SEND_CHUNK])
