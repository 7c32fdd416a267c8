"""Settings this package reads, with their defaults (see privacy_portal/settings/consents.py)."""

from django.conf import settings

# The generic fan-out's batch (notifications.fanout.BATCH_SIZE): the rows are
# written by the database server, so a batch this size is one short transaction.
ANNOUNCE_BATCH_SIZE = 5000


def announce_batch_size() -> int:
    return getattr(settings, "POLICY_ANNOUNCE_BATCH_SIZE", ANNOUNCE_BATCH_SIZE)
