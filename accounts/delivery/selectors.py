"""Reads for deliveries: a person's own, and one of them by id for its owner only."""

from django.http import Http404

from accounts.models import Delivery, User
from personal_data.retention_periods import retention_period_days


def deliveries_for(*, user: User):
    """The person's deliveries, newest first."""
    return Delivery.objects.filter(user=user).order_by("-created_at", "-id")


def access_delivery(*, user: User, delivery_id) -> Delivery:
    """The delivery ``delivery_id`` if it is ``user``'s; 404 for anyone else's and for unknown ids."""
    try:
        return Delivery.objects.get(pk=int(delivery_id), user=user)
    except (Delivery.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


RETENTION_RULE = "delivery_addresses"


def delivery_retention_days() -> int | None:
    """The days a delivered address is kept, as the retention rule says now (officers may change it)."""
    return retention_period_days(rule=RETENTION_RULE)
