"""What the person reads on "Services that used my data": checks and disclosures, by day."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from consents.disclosures.selectors import disclosures_for
from consents.models import ServiceCheckDay

# As long as the counts are kept (retention rule ``service_checks``).
SHOWN_DAYS = 183


@dataclass(frozen=True)
class ServiceUse:
    """One line of the page: a service that asked about the person, or a recipient of their data."""

    day: datetime.date
    service: str
    kind: str  # "check" or "disclosure"
    purpose: str
    checks: int = 0
    categories: tuple[str, ...] = field(default_factory=tuple)
    disclosure_kind: str = ""
    legal_basis: str = ""


def services_used_for(*, user, days: int = SHOWN_DAYS) -> list[ServiceUse]:
    """Newest day first; within a day, disclosures before checks, then by service. Three queries."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    uses: list[ServiceUse] = [
        ServiceUse(day=row.day, service=row.client.name, kind="check", purpose=row.purpose.name, checks=row.checks)
        for row in ServiceCheckDay.objects.filter(subject=user, day__gt=since).select_related("client", "purpose")
    ]
    for disclosure in disclosures_for(user=user).filter(disclosed_at__date__gt=since):
        uses.append(
            ServiceUse(
                day=timezone.localtime(disclosure.disclosed_at).date(),
                service=disclosure.recipient_name,
                kind="disclosure",
                purpose=disclosure.purpose.name if disclosure.purpose is not None else "",
                categories=tuple(category.name for category in disclosure.data_categories.all()),
                disclosure_kind=disclosure.get_kind_display(),
                legal_basis=disclosure.get_legal_basis_display(),
            )
        )
    uses.sort(key=lambda use: (use.kind != "disclosure", use.service, use.purpose))
    uses.sort(key=lambda use: use.day, reverse=True)
    return uses
