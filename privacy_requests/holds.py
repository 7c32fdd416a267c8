"""Legal holds as the deletion path sees them.

Every eraser asks ``is_held`` first; the holds themselves live in the
retention app (``retention.models.LegalHold``), placed and lifted by
privacy officers. An active hold covers a person (every category), a
category (everyone), or one category of one person.
"""

from django.db.models import Q


def _active_holds(*, user, category: str):
    from retention.models import LegalHold

    covers = Q(user=None, category=category)
    user_id = getattr(user, "pk", None)
    if user_id is not None:
        covers |= Q(user_id=user_id, category=category) | Q(user_id=user_id, category="")
    return LegalHold.objects.active().filter(covers)


def is_held(*, user, category: str) -> bool:
    return _active_holds(user=user, category=category).exists()


def hold_reason(*, user, category: str) -> str:
    """The reason of the oldest active hold covering ``user``'s ``category``, or "" when none does."""
    hold = _active_holds(user=user, category=category).order_by("placed_at", "id").first()
    return hold.reason if hold else ""
