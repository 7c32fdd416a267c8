"""Who is told what in the daily digest: two queries, whatever the size of the queue."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from accounts.roles import StaffRole
from notifications.models import OutboxEmail

from ..models import PrivacyRequest
from ..state_machine import OPEN_STATES
from ..working_days import DUE_SOON_WORKING_DAYS, add_working_days


@dataclass(frozen=True)
class DigestRow:
    request_id: int
    reference: str
    kind: str
    due_date: date
    overdue: bool
    assignee: str


@dataclass
class Digest:
    recipient: object
    # Their own requests (as assignee), and what they see as a privacy officer.
    assigned: list[DigestRow] = field(default_factory=list)
    for_officers: list[DigestRow] = field(default_factory=list)


def overdue_escalation_q(*, today: date) -> Q:
    """Overdue (open, the clock running, due date passed) and not escalated yet."""
    return Q(state__in=OPEN_STATES, paused_since__isnull=True, due_date__lt=today, escalated_at__isnull=True)


def privacy_officers():
    return (
        get_user_model()
        .objects.filter(groups__name=StaffRole.PRIVACY_OFFICER.value, is_active=True, is_staff=True)
        .distinct()
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def digests_for(*, today: date, kind: str) -> list[Digest]:
    """One digest per staff member with something to hear about, leaving out those already sent one today.

    Assignees: their open requests whose clock runs and which are overdue or
    due within 3 working days. Privacy officers: every overdue request
    (overdue ones are escalated to them) and the unassigned ones due soon,
    which otherwise nobody would hear about.
    """
    limit = add_working_days(today, DUE_SOON_WORKING_DAYS)
    already = set(
        OutboxEmail.objects.filter(kind=kind, created_at__gte=_start_of(today), recipient__isnull=False).values_list(
            "recipient_id", flat=True
        )
    )
    rows = (
        PrivacyRequest.objects.filter(state__in=OPEN_STATES, paused_since__isnull=True, due_date__lte=limit)
        .select_related("assigned_to")
        .only("pk", "reference", "kind", "due_date", "assigned_to")
        .order_by("due_date", "received_at", "pk")
    )
    officers = list(privacy_officers().exclude(pk__in=already))
    digests: dict[int, Digest] = {}
    officer_rows: list[DigestRow] = []
    for privacy_request in rows:
        assignee = privacy_request.assigned_to
        if privacy_request.due_date is None:  # excluded by the filter; for the type checker
            continue
        row = DigestRow(
            request_id=privacy_request.pk,
            reference=privacy_request.reference,
            kind=privacy_request.kind,
            due_date=privacy_request.due_date,
            overdue=privacy_request.due_date < today,
            assignee=assignee.get_username() if assignee else "",
        )
        if assignee is not None and assignee.is_active and assignee.is_staff and assignee.pk not in already:
            digests.setdefault(assignee.pk, Digest(recipient=assignee)).assigned.append(row)
        if row.overdue or assignee is None:
            officer_rows.append(row)
    if officer_rows:
        for officer in officers:
            digests.setdefault(officer.pk, Digest(recipient=officer)).for_officers = officer_rows
    return list(digests.values())
