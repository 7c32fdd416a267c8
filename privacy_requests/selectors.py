"""Reading rights requests: access helpers, lists, deadlines and what can be done next."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import PrivacyRequest, RequestEvent, RequestKind
from .state_machine import OPEN_STATES, target_state
from .working_days import DUE_SOON_WORKING_DAYS, add_working_days

# Timeline steps that are staff-internal deliberation, not shown to the citizen.
INTERNAL_EVENTS = frozenset(
    {
        "assigned",
        "proposed_refuse",
        "proposed_delete",
        "proposed_complete",
        "rejected_refuse",
        "rejected_delete",
        "rejected_complete",
        "confirmed_refuse",
        "confirmed_delete",
        "confirmed_complete",
        # The officer's reason is for staff; the citizen sees the request fully done.
        "propagation_closed_by_officer",
        # Escalation to the privacy officers is how staff organise themselves.
        "escalated",
    }
)


def access_privacy_request(*, user, request_id) -> PrivacyRequest:
    """The requester's own request, or 404 (also for anyone else's, so ids reveal nothing)."""
    if user is None or not user.is_authenticated:
        raise Http404
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        raise Http404 from None
    request = PrivacyRequest.objects.filter(pk=pk, requester=user).select_related("requester").first()
    if request is None:
        raise Http404
    return request


def requests_for(*, user) -> QuerySet[PrivacyRequest]:
    """The person's requests, newest first."""
    return PrivacyRequest.objects.filter(requester=user).order_by("-received_at", "-id")


def open_request_of_kind(*, user, kind: str) -> PrivacyRequest | None:
    return (
        PrivacyRequest.objects.filter(requester=user, kind=kind, state__in=OPEN_STATES).order_by("received_at").first()
    )


def citizen_timeline(*, request: PrivacyRequest) -> list[RequestEvent]:
    """The events the citizen sees, oldest first."""
    return [e for e in request.events.all() if e.action not in INTERNAL_EVENTS]


def is_open(request: PrivacyRequest) -> bool:
    return request.state in OPEN_STATES


def is_overdue(request: PrivacyRequest, *, today=None) -> bool:
    """Open, the clock running, and the due date passed."""
    today = today or timezone.localdate()
    return bool(is_open(request) and request.due_date and request.paused_since is None and request.due_date < today)


def due_soon_limit(*, today=None):
    """The last date that counts as "due soon" (3 working days from today): one calendar read per page."""
    today = today or timezone.localdate()
    return add_working_days(today, DUE_SOON_WORKING_DAYS)


def due_soon(request: PrivacyRequest, *, today=None, limit=None) -> bool:
    """Open and due within the next 3 working days (not yet overdue)."""
    today = today or timezone.localdate()
    if not (is_open(request) and request.due_date) or request.due_date < today:
        return False
    limit = limit or due_soon_limit(today=today)
    return request.due_date <= limit


@dataclass(frozen=True)
class DeadlineFlags:
    overdue: bool
    due_soon: bool
    paused: bool


def deadline_flags(request: PrivacyRequest, *, today=None, limit=None) -> DeadlineFlags:
    overdue = is_overdue(request, today=today)
    return DeadlineFlags(
        overdue=overdue,
        due_soon=not overdue and due_soon(request, today=today, limit=limit),
        paused=request.paused_since is not None and is_open(request),
    )


@dataclass(frozen=True)
class RequestRow:
    request: PrivacyRequest
    flags: DeadlineFlags


def request_rows_for(*, user) -> list[RequestRow]:
    """The person's requests with their deadline flags, for the list page (two queries)."""
    today = timezone.localdate()
    limit = due_soon_limit(today=today)
    return [RequestRow(request=r, flags=deadline_flags(r, today=today, limit=limit)) for r in requests_for(user=user)]


def allowed_actions(*, request: PrivacyRequest, actor=None) -> list[str]:
    """The action codes possible now, in the order buttons show them.

    Codes: verify, start_review, complete, propose_refuse, propose_delete,
    confirm, reject_proposal, extend, message, assign, withdraw. With an
    ``actor``, "confirm" is left out for the one who made the proposal.
    """
    state = request.state
    if state not in OPEN_STATES:
        return []
    actions: list[str] = []
    if request.proposed_action:
        if actor is None or actor.pk != request.proposed_by_id:
            actions.append("confirm")
        actions.append("reject_proposal")
    else:
        if target_state("verify", state):
            actions.append("verify")
        if target_state("start_review", state):
            actions.append("start_review")
        cooling_off = request.cooling_off_until is not None and timezone.now() < request.cooling_off_until
        if target_state("complete", state) and request.kind != RequestKind.DELETION and not cooling_off:
            # A cancellation completes only after the person's cooling-off window.
            actions.append("complete")
        if request.kind == RequestKind.DELETION and target_state("complete", state):
            actions.append("propose_delete")
        if target_state("refuse", state):
            actions.append("propose_refuse")
    if request.due_date:
        actions.append("extend")
    actions += ["message", "assign"]
    if request.requester_id:
        actions.append("withdraw")
    return actions


@dataclass(frozen=True)
class DeadlineCounts:
    overdue: int
    due_soon: int


def deadline_counts(*, today=None) -> DeadlineCounts:
    """How many open requests are overdue and due soon, by the rules of ``is_overdue`` and ``due_soon``: one query."""
    today = today or timezone.localdate()
    limit = due_soon_limit(today=today)
    counts = PrivacyRequest.objects.filter(state__in=OPEN_STATES, due_date__isnull=False).aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=today, paused_since__isnull=True)),
        due_soon=Count("pk", filter=Q(due_date__gte=today, due_date__lte=limit)),
    )
    return DeadlineCounts(overdue=counts["overdue"], due_soon=counts["due_soon"])
