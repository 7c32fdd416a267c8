from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Func, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from core.prepared import prepared_cursor

from .inbox_epoch import inbox_epoch
from .models import FanOut, InboxMessage, OutboxEmail


def inbox_for(*, user):
    return InboxMessage.objects.filter(recipient=user)


def inbox_unread_count(*, user) -> int:
    """The header's badge, on every signed-in page: read with the person, or one statement of its own.

    ``accounts.session_user`` reads the count with the signed-in person
    (``inbox_unread_of``); it stands until this thread writes to an inbox
    (``inbox_epoch``). Otherwise one fixed statement, not built through the
    ORM, whose count costs about a millisecond of CPU to compile for a
    statement that never changes.
    """
    read_with_person = getattr(user, "session_inbox_unread", None)
    if read_with_person is not None and getattr(user, "session_inbox_epoch", None) == inbox_epoch():
        return read_with_person
    with prepared_cursor(connection) as cursor:
        cursor.execute(_unread_count_sql(connection), [user.pk])
        return cursor.fetchone()[0]


def inbox_unread_of(person_pk) -> Func:
    """The unread count of ``person_pk`` (an ``OuterRef`` to a person), as an expression of an outer query."""
    unread = InboxMessage.objects.filter(recipient=person_pk, read_at__isnull=True).order_by()
    return Coalesce(Subquery(unread.values("recipient").annotate(n=Count("pk")).values("n")), 0)


def _unread_count_sql(connection) -> str:
    quote = connection.ops.quote_name
    meta = InboxMessage._meta
    table, recipient, read_at = (
        quote(meta.db_table),
        quote(meta.get_field("recipient").column),
        quote(meta.get_field("read_at").column),
    )
    # Names from the model's own metadata, the id a parameter: nothing from outside is spliced in.
    return f"SELECT COUNT(*) FROM {table} WHERE {recipient} = %s AND {read_at} IS NULL"  # noqa: S608


def access_inbox_message(*, user, message_id: int) -> InboxMessage:
    """The message if it belongs to ``user``; 404 otherwise, never 403."""
    try:
        return InboxMessage.objects.get(pk=message_id, recipient=user)
    except InboxMessage.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class FanOutProgress:
    total: int
    queued: int
    sent: int
    failed: int
    finished: bool


def fan_out_progress(*, fan_out: FanOut) -> FanOutProgress:
    """Counted from the rows themselves: people written to, and their emails' states."""
    states = dict(
        OutboxEmail.objects.filter(pk__in=fan_out.recipients.values("outbox_email"))
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return FanOutProgress(
        total=fan_out.total,
        queued=fan_out.recipients.count(),
        sent=states.get(OutboxEmail.State.SENT, 0),
        failed=states.get(OutboxEmail.State.FAILED, 0),
        finished=fan_out.finished_at is not None,
    )
