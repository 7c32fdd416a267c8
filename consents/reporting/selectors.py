"""The figures of the consent report, each read set-based: a handful of grouped queries, whatever the population."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q, Window
from django.db.models.functions import Lead, TruncMonth
from django.utils import timezone

from accounts.selectors import citizen_accounts
from consents.models import ConsentAction, ConsentEvent, ConsentState, Partner, Purpose

HISTORY_MONTHS = 12


@dataclass(frozen=True)
class ConsentTotals:
    """One line of the report: a purpose, or sharing under it with one partner."""

    purpose: Purpose
    partner: Partner | None
    granted: int
    withdrawn: int
    never_decided: int


@dataclass(frozen=True)
class MonthFigures:
    month: datetime.date  # the first day of the month
    granted: int  # people whose consent stood at the end of the month
    withdrawn: int  # people who had withdrawn by then
    grants: int  # grant and re-confirmation events during the month
    withdrawals: int  # withdrawal events during the month


def consent_report_purposes():
    """The purposes that ask for consent (basic ones rest on another legal basis)."""
    return Purpose.objects.filter(active=True, kind="optional").order_by("display_order", "code")


def consent_totals() -> list[ConsentTotals]:
    """Granted, withdrawn and never decided, per optional purpose and per partner under it: three queries."""
    people = citizen_accounts().count()
    counts: Counter = Counter()
    grouped = (
        ConsentState.objects.filter(subject__in=citizen_accounts(), purpose__kind="optional")
        .values("purpose_id", "partner_id", "granted")
        .annotate(people=Count("id"))
        .order_by()
    )
    for row in grouped:
        counts[(row["purpose_id"], row["partner_id"], row["granted"])] = row["people"]
    lines = []
    for purpose in consent_report_purposes().prefetch_related("partners"):
        for partner in [None, *sorted(purpose.partners.all(), key=lambda partner: partner.code)]:
            key = (purpose.pk, getattr(partner, "pk", None))
            granted, withdrawn = counts[(*key, True)], counts[(*key, False)]
            lines.append(
                ConsentTotals(
                    purpose=purpose,
                    partner=partner,
                    granted=granted,
                    withdrawn=withdrawn,
                    never_decided=max(people - granted - withdrawn, 0),
                )
            )
    return lines


def _month_start(value) -> datetime.date | None:
    """A truncated month as the database returns it (a datetime, a date or, from SQLite, text)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    return datetime.date.fromisoformat(str(value)[:10]).replace(day=1)


def _months_back(count: int) -> list[datetime.date]:
    month = timezone.localdate().replace(day=1)
    months = [month]
    for _ in range(count - 1):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        months.append(month)
    return list(reversed(months))


def consent_history(*, purpose: Purpose, partner: Partner | None = None, months: int = HISTORY_MONTHS):
    """Month by month: how many people had granted or withdrawn at each month's end, and the events in it.

    One scan of the purpose's ledger: each event is paired with the month of the
    person's next event for the same purpose (a window function), and the pairs
    are counted by (action, month, next month). A person's state at the end of
    month M is their last event up to M: one made in M or earlier whose next
    event comes after M, or never.
    """
    # The people the report counts, as in the totals: staff and service accounts are left out.
    scope = Q(purpose=purpose, subject__in=citizen_accounts()) & (
        Q(partner=partner) if partner is not None else Q(partner__isnull=True)
    )
    paired = (
        ConsentEvent.objects.filter(scope)
        .annotate(
            month=TruncMonth("created_at"),
            next_month=Window(
                Lead(TruncMonth("created_at")), partition_by=[F("subject_id")], order_by=F("created_at").asc()
            ),
        )
        .values("action", "month", "next_month")
        .order_by()
    )
    inner, params = paired.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT action, month, next_month, COUNT(*) FROM ({inner}) AS paired GROUP BY action, month, next_month",  # noqa: S608 - built by the ORM
            params,
        )
        # An event always has a month; only the next one may be missing.
        pairs = [
            (action, _month_start(month) or datetime.date.min, _month_start(next_month), count)
            for action, month, next_month, count in cursor.fetchall()
        ]

    figures = []
    for month in _months_back(months):
        standing: Counter[str] = Counter()
        events: Counter[str] = Counter()
        for action, made, superseded, count in pairs:
            if made == month:
                events[action] += count
            if made <= month and (superseded is None or superseded > month):
                standing[action] += count
        figures.append(
            MonthFigures(
                month=month,
                granted=standing[ConsentAction.GRANTED] + standing[ConsentAction.RECONFIRMED],
                withdrawn=standing[ConsentAction.WITHDRAWN],
                grants=events[ConsentAction.GRANTED] + events[ConsentAction.RECONFIRMED],
                withdrawals=events[ConsentAction.WITHDRAWN],
            )
        )
    return figures


def consent_states_for_export(*, purpose: Purpose | None = None):
    """Current states by subject id, for the CSV: ids and codes only, streamed in id order."""
    rows = ConsentState.objects.filter(subject__in=citizen_accounts(), purpose__kind="optional")
    if purpose is not None:
        rows = rows.filter(purpose=purpose)
    return rows.order_by("subject_id", "purpose__code", "partner__code").values_list(
        "subject_id", "purpose__code", "partner__code", "granted", "updated_at"
    )
