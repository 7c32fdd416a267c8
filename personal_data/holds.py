"""The one rule set for legal holds, asked by every eraser and by the retention sweep.

An active hold (not lifted) covers one category of one person, every
category of one person (empty category), or one category of everyone (no
person). Erasers ask about one person (``is_held``, ``hold_reason``); the
sweep, which works on many people at once, asks for the same answer as a
subquery of held people (``held_people_for``) and for whole categories
(``category_held``). Holds are placed and lifted in ``personal_data.services``.
"""

from django.db.models import Q, QuerySet

from .models import LegalHold


def _covers_category(category: str) -> Q:
    """Holds on ``category`` itself or on all of a person's data."""
    return Q(category=category) | Q(category="")


def _active_holds(*, user, category: str) -> QuerySet[LegalHold]:
    covers = Q(user=None, category=category)
    user_id = getattr(user, "pk", None)
    if user_id is not None:
        covers |= Q(user_id=user_id) & _covers_category(category)
    return LegalHold.objects.active().filter(covers)


def is_held(*, user, category: str) -> bool:
    """Whether an active hold keeps ``user``'s data in ``category`` (``user`` may be None: the category alone)."""
    return _active_holds(user=user, category=category).exists()


def hold_reason(*, user, category: str) -> str:
    """The reason of the oldest active hold covering ``user``'s ``category``, or "" when none does."""
    hold = _active_holds(user=user, category=category).order_by("placed_at", "id").first()
    return hold.reason if hold else ""


def held_people_for(*, category: str) -> QuerySet:
    """Ids of people with an active hold on ``category`` or on all their data (a subquery, not a list)."""
    return LegalHold.objects.active().filter(user__isnull=False).filter(_covers_category(category)).values("user_id")


def category_held(*, category: str) -> bool:
    """Whether an active hold keeps ``category`` for everyone."""
    return is_held(user=None, category=category)
