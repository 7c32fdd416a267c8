"""The scheduled sweep: requests nobody verified within 7 days lapse."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import PrivacyRequest, RequestState
from .notices import KIND_STATUS, _tell_citizen
from .transitions import _transition

# A request nobody verified is dropped after this many (calendar) days.
LAPSE_AFTER_DAYS = 7


def privacy_requests_lapse_stale() -> int:
    """Requests left without an identity check for 7 days lapse. Returns how many did.

    Idempotent: a lapsed request is no longer "submitted". Anonymous
    complaints are not affected: there is no account to verify.
    """
    cutoff = timezone.now() - timedelta(days=LAPSE_AFTER_DAYS)
    stale = PrivacyRequest.objects.filter(
        state=RequestState.SUBMITTED, received_at__lte=cutoff, requester__isnull=False
    ).order_by("pk")
    count, last_pk = 0, 0
    while True:
        batch = list(stale.filter(pk__gt=last_pk).values_list("pk", flat=True)[:500])
        if not batch:
            return count
        last_pk = batch[-1]
        count += _lapse_batch(batch)


def _lapse_batch(pks: list[int]) -> int:
    count = 0
    for pk in pks:
        with transaction.atomic():
            locked = (
                PrivacyRequest.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state=RequestState.SUBMITTED)
                .first()
            )
            if locked is None:
                continue
            _transition(locked, action="lapse", actor=None)
            _tell_citizen(locked, KIND_STATUS)
            count += 1
    return count
