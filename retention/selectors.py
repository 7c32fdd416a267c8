"""Reads for retention: active holds and the sweep reports."""

from django.db.models import Q, QuerySet

from .models import LegalHold, SweepReport


def legal_holds_active() -> QuerySet[LegalHold]:
    return LegalHold.objects.active()


def legal_holds_past_review(*, today=None) -> QuerySet[LegalHold]:
    return LegalHold.objects.past_review(today=today)


def held_people_for(*, category: str) -> QuerySet:
    """Ids of people with an active hold on ``category`` or on all their data (a subquery, not a list)."""
    return (
        LegalHold.objects.active()
        .filter(user__isnull=False)
        .filter(Q(category="") | Q(category=category))
        .values("user_id")
    )


def category_held(*, category: str) -> bool:
    """Whether an active hold keeps ``category`` for everyone."""
    return LegalHold.objects.active().filter(user=None, category=category).exists()


def sweep_reports_recent(*, limit: int = 30) -> list[SweepReport]:
    return list(SweepReport.objects.prefetch_related("lines").order_by("-started_at", "-id")[:limit])
