"""Reads for account cancellation."""

from django.utils import timezone

from privacy_requests.models import PrivacyRequest, RequestKind
from privacy_requests.state_machine import OPEN_STATES


def cancellation_open_for(*, user) -> PrivacyRequest | None:
    """The person's open account cancellation (filed through ``cancellation.services``), or None.

    One indexed query (requester, kind, state); the middleware asks it on
    every page a signed-in person opens.
    """
    if user is None or not user.is_authenticated:
        return None
    return (
        PrivacyRequest.objects.filter(
            requester=user, kind=RequestKind.CANCELLATION, state__in=OPEN_STATES, cooling_off_until__isnull=False
        )
        .order_by("received_at")
        .first()
    )


def cancellation_in_cooling_off(*, request: PrivacyRequest, now=None) -> bool:
    """Can the person still reverse it? Only until the cooling-off window ends."""
    now = now or timezone.now()
    return request.cooling_off_until is not None and now < request.cooling_off_until
