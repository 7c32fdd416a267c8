"""Settings this package reads, with their defaults (see privacy_portal/settings/consents.py)."""

from django.conf import settings

ANNOUNCE_BATCH_SIZE = 1000


def announce_batch_size() -> int:
    return getattr(settings, "POLICY_ANNOUNCE_BATCH_SIZE", ANNOUNCE_BATCH_SIZE)
