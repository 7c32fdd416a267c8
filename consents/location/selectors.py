"""Reading a person's location sharing state, stored locations and profile photo."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.files.storage import default_storage

from consents.models import LocationRecord, Purpose
from consents.selectors import ConsentDecision, consent_check, purpose_by_code

PURPOSE_CODE = "location_services"


def location_purpose() -> Purpose:
    return purpose_by_code(PURPOSE_CODE)


def location_sharing_decision(*, user, purpose: Purpose | None = None) -> ConsentDecision:
    """Whether location may be collected for this person now (the consent check)."""
    return consent_check(subject=user, purpose=purpose or location_purpose())


def location_sharing_on(*, user) -> bool:
    return location_sharing_decision(user=user).allowed


def location_records_for(*, user):
    return LocationRecord.objects.filter(user=user).order_by("-created_at", "-id")


def location_coordinates(record: LocationRecord) -> tuple[Decimal, Decimal]:
    """The (latitude, longitude) kept encrypted in ``record``."""
    latitude, longitude = record.coordinates.split(",")
    return Decimal(latitude), Decimal(longitude)


@dataclass(frozen=True)
class LocationStatus:
    sharing_on: bool
    reason: str
    records: int


def location_status_for(*, user, records: int | None = None) -> LocationStatus:
    """For the dashboard panel: three queries whatever the history holds (two if ``records`` is counted)."""
    decision = location_sharing_decision(user=user)
    if records is None:
        records = location_records_for(user=user).count()
    return LocationStatus(sharing_on=decision.allowed, reason=decision.reason, records=records)


def profile_photo_folder(*, user) -> str:
    return f"profile-photos/{user.pk}/"


def profile_photo_names(*, user) -> list[str]:
    """The person's stored photo files, oldest first (names start with the time saved)."""
    folder = profile_photo_folder(user=user)
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted(folder + name for name in files if name.endswith(".jpg"))


def profile_photo_current(*, user) -> str | None:
    """The storage name of the person's current profile photo, if any."""
    names = profile_photo_names(user=user)
    return names[-1] if names else None
