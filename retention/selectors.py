"""Reads for retention: rule periods and the sweep reports (the hold rules are ``personal_data.holds``)."""

from django.db.models import Sum

from .models import RetentionRule, SweepReport


def retention_rule_period_days(code: str) -> int | None:
    """The period of the active rule ``code``, or None when there is no such active rule."""
    return RetentionRule.objects.filter(code=code, active=True).values_list("period_days", flat=True).first()


def sweep_reports_recent(*, limit: int = 30) -> list[SweepReport]:
    return list(SweepReport.objects.prefetch_related("lines").order_by("-started_at", "-id")[:limit])


def sweep_report_latest() -> dict | None:
    """The latest real (not dry) sweep: when it started and finished, and its row counts."""
    report = SweepReport.objects.filter(dry_run=False).order_by("-started_at", "-id").first()
    if report is None:
        return None
    totals = report.lines.aggregate(deleted=Sum("rows_deleted"), anonymised=Sum("rows_anonymised"))
    return {
        "started_at": report.started_at,
        "finished_at": report.finished_at,
        "rows_deleted": totals["deleted"] or 0,
        "rows_anonymised": totals["anonymised"] or 0,
    }
