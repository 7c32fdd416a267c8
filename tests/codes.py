"""The one-time code a person would read in the email the portal sent them."""

import re

from notifications.models import OutboxEmail

CODE = re.compile(r"\b(\d{6})\b")


def emailed_code(user) -> str:
    email = OutboxEmail.objects.filter(recipient=user, kind="one_time_code").latest("id")
    return CODE.search(email.body).group(1)
