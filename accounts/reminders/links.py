"""The link in a reminder that turns reminders off without signing in.

Signed (``django.core.signing``, a salt of its own) and expiring; turning
reminders off twice is the same as once, so a replayed link only shows
that they are off.
"""

from datetime import timedelta

from django.core import signing
from django.urls import reverse

from core.site import site_url

SALT = "accounts.reminders.stop-link"
MAX_AGE = timedelta(days=60)


class LinkInvalid(Exception):
    """Unsigned, tampered, expired or not a reminders link."""


def stop_url(*, user_id: int) -> str:
    token = signing.dumps({"u": user_id, "p": "reminders"}, salt=SALT)
    return site_url(reverse("accounts:reminders_stop", args=[token]))


def stop_link_read(token: str) -> int:
    """The user id the link was made for; raises ``LinkInvalid``."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        if payload.get("p") != "reminders":
            raise LinkInvalid
        return int(payload["u"])
    except (signing.BadSignature, AttributeError, KeyError, TypeError, ValueError):
        raise LinkInvalid from None
