"""The dashboard's first lines: how many optional uses are on, who receives data, when it last changed.

Worked out from the rows the page already read, so the summary costs no query.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .selectors import PurposeRow, State


@dataclass(frozen=True)
class DashboardSummary:
    optional_on: int
    optional_total: int
    partners_receiving: int
    last_change: datetime.date | None


def dashboard_summary(*, rows: list[PurposeRow]) -> DashboardSummary:
    optional = [row for row in rows if not row.is_basic]
    receiving = set()
    for row in rows:
        for partner_row in row.partners:
            if not partner_row.in_force:
                continue  # an expired agreement: nothing goes to that partner
            # Basic uses share what the service needs; an optional use only with both consents given.
            if row.is_basic or (row.state == State.GRANTED and partner_row.state == State.GRANTED):
                receiving.add(partner_row.partner.pk)
    changes = [
        consent.updated_at
        for row in rows
        for consent in (row.consent, *(partner_row.consent for partner_row in row.partners))
        if consent is not None
    ]
    return DashboardSummary(
        optional_on=sum(1 for row in optional if row.state == State.GRANTED),
        optional_total=len(optional),
        partners_receiving=len(receiving),
        last_change=timezone.localdate(max(changes)) if changes else None,
    )
