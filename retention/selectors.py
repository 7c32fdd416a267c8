"""Reads for retention: rule periods and the sweep reports (the hold rules are ``personal_data.holds``)."""

from django.db.models import Sum
from django.utils.translation import gettext, ngettext

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


def retention_texts_by_category() -> dict[str, list[str]]:
    """Per personal-data category, one sentence per active rule saying how long its records are kept.

    For the person reading their own export, so it names no model or field;
    in the active language. One query.
    """
    from .register.selectors import CONDITION_LABELS, EVENT_LABELS

    texts: dict[str, list[str]] = {}
    for rule in RetentionRule.objects.filter(active=True).order_by("category", "code"):
        values = {"days": rule.period_days, "event": EVENT_LABELS.get(rule.event, rule.event or rule.date_field)}
        if rule.action == RetentionRule.Action.ANONYMISE:
            if rule.period_days:
                text = ngettext(
                    "Your details are blanked %(days)d day after %(event)s.",
                    "Your details are blanked %(days)d days after %(event)s.",
                    rule.period_days,
                )
            else:
                text = gettext("Your details are blanked after %(event)s.")
        elif rule.period_days:
            text = ngettext(
                "Deleted %(days)d day after %(event)s.",
                "Deleted %(days)d days after %(event)s.",
                rule.period_days,
            )
        else:
            text = gettext("Deleted after %(event)s.")
        sentence = text % values
        if rule.condition in CONDITION_LABELS:
            sentence = gettext("%(rule)s (%(condition)s)") % {
                "rule": sentence.rstrip("."),
                "condition": CONDITION_LABELS[rule.condition],
            }
        texts.setdefault(rule.category, []).append(sentence)
    return texts
