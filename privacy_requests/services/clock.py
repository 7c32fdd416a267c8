"""The 15-working-day clock: when it starts, and how a pause for the citizen moves the due date."""

from datetime import datetime

from django.utils import timezone

from ..models import PrivacyRequest
from ..working_days import DEADLINE_WORKING_DAYS, add_working_days, working_days_between


def _today(moment: datetime | None = None):
    return timezone.localdate(moment or timezone.now())


def _mark_verified(request: PrivacyRequest) -> None:
    request.verified_at = timezone.now()
    request.due_date = add_working_days(_today(request.verified_at), DEADLINE_WORKING_DAYS)


def _settle_pause(request: PrivacyRequest, update: set) -> int:
    """End a pause: the working days spent waiting move the due date. Returns those days."""
    if request.paused_since is None:
        return 0
    waited = working_days_between(_today(request.paused_since), _today())
    request.paused_working_days += waited
    if request.due_date and waited:
        request.due_date = add_working_days(request.due_date, waited)
    request.paused_since = None
    update.update({"paused_since", "paused_working_days", "due_date"})
    return waited
