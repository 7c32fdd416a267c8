from django.http import Http404

from .models import InboxMessage


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
