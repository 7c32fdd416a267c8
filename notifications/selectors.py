from dataclasses import dataclass

from django.db.models import Count
from django.http import Http404

from .models import FanOut, InboxMessage, OutboxEmail


def inbox_for(*, user):
    return InboxMessage.objects.filter(recipient=user)


def inbox_unread_count(*, user) -> int:
    return InboxMessage.objects.filter(recipient=user, read_at__isnull=True).count()


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
