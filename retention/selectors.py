"""Reads for retention: rule periods and the sweep reports (the hold rules are ``personal_data.holds``)."""

from .models import RetentionRule, SweepReport


def retention_rule_period_days(code: str) -> int | None:
    """The period of the active rule ``code``, or None when there is no such active rule."""
    return RetentionRule.objects.filter(code=code, active=True).values_list("period_days", flat=True).first()


def sweep_reports_recent(*, limit: int = 30) -> list[SweepReport]:
    return list(SweepReport.objects.prefetch_related("lines").order_by("-started_at", "-id")[:limit])
