"""The one-time code, or link, a person would read in the email the portal sent them.

Security messages are sealed in the outbox and their text removed once sent,
so a test reads the message as delivered (Django's test mail box) when it went
out, and the sealed text while it still waits.
"""

import re

from django.core import mail

from notifications.models import OutboxEmail

CODE = re.compile(r"\b(\d{6})\b")


def emailed_text(user, kind: str) -> str:
    row = OutboxEmail.objects.filter(recipient=user, kind=kind).latest("id")
    if row.text:
        return row.text
    delivered = [message for message in mail.outbox if row.to_address in message.to and message.subject == row.subject]
    return delivered[-1].body


def emailed_code(user) -> str:
    return CODE.search(emailed_text(user, "one_time_code")).group(1)
