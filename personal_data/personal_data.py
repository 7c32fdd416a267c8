"""The personal_data app's own contributions to the registry: what the notifications app holds about a person.

Notifications sits below this app (it is how every app tells people
things), so it cannot import the registry; its categories, the inbox and
the emails, are registered here instead.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notifications.inbox_epoch import inbox_changed
from notifications.kinds import kind_labels
from notifications.models import InboxMessage, OutboxEmail
from personal_data.fields import moment, text
from personal_data.holds import is_held
from personal_data.registry import LegalBasis, register_personal_data

CHUNK = 2000


def export_inbox_messages(user):
    rows = InboxMessage.objects.filter(recipient=user).order_by("created_at", "id")
    for message in rows.iterator(chunk_size=CHUNK):
        yield {
            "received": message.created_at,
            "kind": message.kind,
            "subject": message.subject,
            "message": message.body,
            "read": message.read_at,
        }


def erase_inbox_messages(user) -> str:
    if is_held(user=user, category="inbox_messages"):
        return "kept"
    inbox_changed()
    InboxMessage.objects.filter(recipient=user).delete()
    return "deleted"


def export_emails(user):
    rows = OutboxEmail.objects.filter(recipient=user).order_by("created_at", "id")
    for email in rows.iterator(chunk_size=CHUNK):
        yield {
            "written": email.created_at,
            "to": email.to_address,
            "kind": email.kind,
            "subject": email.subject,
            "body": email.body,
            "state": email.state,
            "sent": email.sent_at,
        }


def erase_emails(user) -> str:
    """Delete the emails sent to the person; one still waiting goes out (it may be the last word about this very
    erasure) but no longer points at the account."""
    if is_held(user=user, category="emails"):
        return "kept"
    with transaction.atomic():
        OutboxEmail.objects.filter(recipient=user).exclude(state=OutboxEmail.State.PENDING).delete()
        OutboxEmail.objects.filter(recipient=user).update(recipient=None)
    return "deleted"


register_personal_data(
    "inbox_messages",
    label=_("Messages in your portal inbox"),
    fields=(
        moment("received", pgettext_lazy("export column", "Received")),
        text("kind", _("Kind of message"), choices=kind_labels),
        text("subject", _("Subject")),
        text("message", pgettext_lazy("export column", "Message")),
        moment("read", pgettext_lazy("export column", "Read")),
    ),
    purpose=_("To tell you in the portal about your requests, consents and account."),
    legal_basis=LegalBasis.CONTRACT,
    models=[InboxMessage],
    exporter=export_inbox_messages,
    eraser=erase_inbox_messages,
)
register_personal_data(
    "emails",
    label=_("Emails sent to you"),
    fields=(
        moment("written", pgettext_lazy("export column", "Written")),
        text("to", pgettext_lazy("export column", "To")),
        text("kind", _("Kind of message"), choices=kind_labels),
        text("subject", _("Subject")),
        text("body", pgettext_lazy("export column", "Message")),
        text("state", _("State"), choices=OutboxEmail.State.choices),
        moment("sent", _("Sent")),
    ),
    purpose=_("To tell you by email about your requests, consents and account."),
    legal_basis=LegalBasis.CONTRACT,
    models=[OutboxEmail],
    exporter=export_emails,
    eraser=erase_emails,
)
