"""Reading the disclosure ledger: a person's own disclosures, and the deferrals due for review."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from consents.models import DataCategory, Disclosure

PANEL_SIZE = 10


def _visible_to_subject() -> Q:
    # A deferred notice hides its disclosure from the person until released:
    # showing it would be the notice the law allows to defer.
    return Q(notice_deferred=False) | Q(notice_released_at__isnull=False)


def disclosures_for(*, user) -> QuerySet[Disclosure]:
    """The disclosures of ``user``'s data they may see, newest first; three queries a page."""
    return (
        Disclosure.objects.filter(_visible_to_subject(), subject_rows__user=user)
        .select_related("recipient_partner", "purpose")
        .prefetch_related(Prefetch("data_categories", queryset=DataCategory.objects.order_by("code")))
        .order_by("-disclosed_at", "-id")
    )


def disclosures_latest_for(*, user, limit: int = PANEL_SIZE) -> list[Disclosure]:
    """For the dashboard panel: the latest ``limit``, two queries whatever the history holds."""
    return list(disclosures_for(user=user)[:limit])


def disclosures_review_overdue() -> QuerySet[Disclosure]:
    """Deferred notices whose review date has come and that are still withheld."""
    return Disclosure.objects.filter(
        notice_deferred=True, notice_released_at__isnull=True, defer_review_date__lte=timezone.localdate()
    )
