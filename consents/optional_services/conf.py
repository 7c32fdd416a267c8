"""Settings this package reads, with their defaults (see privacy_portal/settings/consents.py)."""

from django.conf import settings

DATA_KEEP_DAYS = 30


def data_keep_days() -> int:
    return getattr(settings, "OPTIONAL_SERVICE_DATA_KEEP_DAYS", DATA_KEEP_DAYS)
