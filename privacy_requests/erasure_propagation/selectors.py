"""Reading erasure instructions: a client's own (404 for anyone else's), and each request's status per service."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import PrivacyRequest, PropagationState, RequestState
from .models import ErasureInstruction, InstructionStatus

# What a service, the citizen and staff read for one instruction; "overdue" is derived.
OVERDUE = "overdue"
STATUS_FILTERS = (*InstructionStatus.values, OVERDUE)
STATUS_LABELS = {
    InstructionStatus.PENDING.value: _("Waiting"),
    InstructionStatus.CONFIRMED.value: _("Confirmed"),
    InstructionStatus.CLOSED.value: _("Closed by a privacy officer"),
    OVERDUE: _("Overdue"),
}


def is_overdue(instruction: ErasureInstruction, *, now: datetime | None = None) -> bool:
    """Pending and past the day the acknowledgement was due."""
    now = now or timezone.now()
    return instruction.status == InstructionStatus.PENDING and instruction.due_at < now


def display_status(instruction: ErasureInstruction, *, now: datetime | None = None) -> str:
    """``pending``, ``confirmed``, ``closed`` or ``overdue``."""
    return OVERDUE if is_overdue(instruction, now=now) else instruction.status


def overdue_q(*, now: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": InstructionStatus.PENDING, f"{prefix}due_at__lt": now})


def access_erasure_instruction(*, client, instruction_id) -> ErasureInstruction:
    """``client``'s own instruction, or 404: another client's id tells nothing about it."""
    try:
        pk = int(instruction_id)
    except (TypeError, ValueError):
        raise Http404 from None
    instruction = ErasureInstruction.objects.filter(pk=pk, client=client).first()
    if instruction is None:
        raise Http404
    return instruction


def erasure_instructions_for_client(
    *, client, status: str = "", now: datetime | None = None
) -> QuerySet[ErasureInstruction]:
    """``client``'s instructions, oldest first; ``status`` one of ``STATUS_FILTERS`` (``pending`` includes overdue)."""
    now = now or timezone.now()
    queryset = ErasureInstruction.objects.filter(client=client).order_by("issued_at", "pk")
    if status == OVERDUE:
        return queryset.filter(overdue_q(now=now))
    if status:
        return queryset.filter(status=status)
    return queryset


@dataclass(frozen=True)
class ServiceRow:
    """One service on a request's page: its name and where its erasure stands."""

    instruction_id: int
    service: str
    status: str  # pending | confirmed | closed | overdue
    label: object
    issued_at: datetime
    due_at: datetime
    acknowledged_at: datetime | None
    erased_at: datetime | None
    closed_reason: str


def propagation_rows(*, request: PrivacyRequest, now: datetime | None = None) -> list[ServiceRow]:
    """Every service instructed for ``request``, by name; one query."""
    now = now or timezone.now()
    rows = []
    for instruction in request.erasure_instructions.select_related("client").order_by("client__name", "pk"):
        status = display_status(instruction, now=now)
        rows.append(
            ServiceRow(
                instruction_id=instruction.pk,
                service=instruction.client.name,
                status=status,
                label=STATUS_LABELS[status],
                issued_at=instruction.issued_at,
                due_at=instruction.due_at,
                acknowledged_at=instruction.acknowledged_at,
                erased_at=instruction.erased_at,
                closed_reason=instruction.closed_reason,
            )
        )
    return rows


def _count(condition: Q) -> Coalesce:
    counted = (
        ErasureInstruction.objects.filter(condition, request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(count=Count("pk"))
        .values("count")[:1]
    )
    return Coalesce(Subquery(counted), 0)


def propagation_annotate(queryset: QuerySet, *, now: datetime) -> QuerySet:
    """Counts per request for the staff queue (instructed, confirmed, overdue), as subqueries: no GROUP BY."""
    return queryset.annotate(
        erasure_total=_count(Q()),
        erasure_confirmed=_count(Q(status=InstructionStatus.CONFIRMED)),
        erasure_overdue=_count(overdue_q(now=now)),
    )


def is_fully_done(request: PrivacyRequest) -> bool:
    """Completed, and no service confirmation outstanding."""
    return request.state == RequestState.COMPLETED and request.propagation != PropagationState.PENDING
