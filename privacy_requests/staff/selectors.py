"""Staff-side reads: the queue in admin and the privacy officers' summary.

Every number on the summary page is an aggregate query: the page costs the
same handful of queries whether there are ten requests or ten thousand.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Extract, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import StaffRole
from core.logging import mask_personal_data

from ..models import PrivacyRequest, RequestKind, RequestState
from ..state_machine import OPEN_STATES
from ..working_days import DUE_SOON_WORKING_DAYS, add_working_days

# The summary table's columns, in the order a request passes through them.
OPEN_STATE_COLUMNS = (RequestState.SUBMITTED, RequestState.IDENTITY_VERIFIED, RequestState.IN_REVIEW)
SUMMARY_MEDIAN_DAYS = 90
SUMMARY_CHART_WEEKS = 12


def due_soon_limit(*, today: date | None = None) -> date:
    """The last day that counts as "due soon": 3 working days from today (holiday calendar)."""
    return add_working_days(today or timezone.localdate(), DUE_SOON_WORKING_DAYS)


def overdue_q(*, today: date) -> Q:
    """Open, the clock running (not waiting for the citizen), and past its due date."""
    return Q(state__in=OPEN_STATES, paused_since__isnull=True, due_date__lt=today)


def due_soon_q(*, today: date, limit: date) -> Q:
    return Q(state__in=OPEN_STATES, paused_since__isnull=True, due_date__gte=today, due_date__lte=limit)


def queue_annotate(queryset: QuerySet, *, today: date, limit: date) -> QuerySet:
    """Flags for the list, and the queue's order: open first, by due date (overdue, then due soon)."""
    return queryset.annotate(
        is_open=Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()),
        is_overdue=Case(
            When(overdue_q(today=today), then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        is_due_soon=Case(
            When(due_soon_q(today=today, limit=limit), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    ).order_by("is_open", F("due_date").asc(nulls_last=True), "received_at", "pk")


# Timeline steps as staff read them; an unknown code is shown as it is.
EVENT_LABELS = {
    "submitted": _("Submitted"),
    "verify": _("Identity verified"),
    "start_review": _("Review started"),
    "complete": _("Completed"),
    "refuse": _("Refused"),
    "withdraw": _("Withdrawn"),
    "lapse": _("Lapsed"),
    "assigned": _("Assigned"),
    "extended": _("Deadline extended"),
    "message_staff": _("Message from staff"),
    "message_citizen": _("Message from the citizen"),
    "paused": _("Clock paused (waiting for the citizen)"),
    "resumed": _("Clock resumed"),
    "proposed_refuse": _("Refusal proposed"),
    "proposed_delete": _("Deletion proposed"),
    "proposed_complete": _("Completion proposed"),
    "confirmed_refuse": _("Refusal confirmed"),
    "confirmed_delete": _("Deletion confirmed"),
    "confirmed_complete": _("Completion confirmed"),
    "rejected_refuse": _("Refusal proposal rejected"),
    "rejected_delete": _("Deletion proposal rejected"),
    "rejected_complete": _("Completion proposal rejected"),
    "erasure_instructed": _("Erasure instructions sent to services"),
    "propagation_confirmed": _("Every service confirmed erasure: fully done"),
    "propagation_closed_by_officer": _("Outstanding erasure instructions closed by a privacy officer"),
    "propagation_closed": _("Fully done (some services closed by an officer)"),
    "escalated": _("Overdue: escalated to the privacy officers"),
}


@dataclass(frozen=True)
class TimelineRow:
    created_at: object
    action: str
    label: object
    from_state: object
    to_state: object
    actor: object
    note: str


def staff_timeline(*, request: PrivacyRequest) -> list[TimelineRow]:
    """Every event of ``request`` (internal ones too), oldest first, with labels; one query."""
    states = dict(RequestState.choices)
    rows = []
    for event in request.events.select_related("actor"):
        actor: object
        if event.actor is None:
            actor = _("system")
        elif event.actor.is_staff:
            actor = event.actor.get_username()
        else:
            actor = _("the citizen")
        rows.append(
            TimelineRow(
                created_at=event.created_at,
                action=event.action,
                label=EVENT_LABELS.get(event.action, event.action),
                from_state=states.get(event.from_state, event.from_state),
                to_state=states.get(event.to_state, event.to_state),
                actor=actor,
                # Notes are reasons and identity-check notes: a number typed in them shows masked.
                note=mask_personal_data(event.note),
            )
        )
    return rows


def is_privacy_officer(user) -> bool:
    return bool(user.is_superuser or user.groups.filter(name=StaffRole.PRIVACY_OFFICER.value).exists())


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median of an expression."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _median_seconds_by_offset(queryset, *, duration, count: int) -> float | None:
    """The median for databases without ``percentile_cont`` (SQLite, ``make run``): the middle one or two rows.

    Django cannot extract seconds from a duration there, but it can order by
    one and read it back as a ``timedelta``; two rows at most leave the
    database, whatever the number of requests.
    """
    if not count:
        return None
    ordered = queryset.annotate(duration=duration).order_by("duration").values_list("duration", flat=True)
    middle = [value.total_seconds() for value in ordered[(count - 1) // 2 : count // 2 + 1]]
    return sum(middle) / len(middle)


@dataclass(frozen=True)
class Summary:
    kinds: list  # [(kind value, label)], the table's rows
    states: list  # [(state value, label)], the table's columns
    open_table: list  # [(kind label, [count per state], row total)]
    state_totals: list
    open_total: int
    overdue: int
    due_soon: int
    waiting: int
    median_days: float | None
    completed_count: int
    weeks: list  # [(monday: date, completed count)], oldest first


def staff_summary(*, now=None) -> Summary:
    """Open requests by kind and state, deadlines, speed, and completions per week: four queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    limit = due_soon_limit(today=today)

    by_kind_state = {
        (row["kind"], row["state"]): row["n"]
        for row in PrivacyRequest.objects.filter(state__in=OPEN_STATES)
        .values("kind", "state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    kinds = list(RequestKind.choices)
    states = [(state.value, state.label) for state in OPEN_STATE_COLUMNS]
    open_table = []
    for kind, label in kinds:
        counts = [by_kind_state.get((kind, state), 0) for state, _label in states]
        open_table.append((label, counts, sum(counts)))
    state_totals = [sum(row[1][index] for row in open_table) for index in range(len(states))]

    deadlines = PrivacyRequest.objects.aggregate(
        overdue=Count("pk", filter=overdue_q(today=today)),
        due_soon=Count("pk", filter=due_soon_q(today=today, limit=limit)),
        waiting=Count("pk", filter=Q(state__in=OPEN_STATES, paused_since__isnull=False)),
    )

    # Calendar days from the verified receipt (the deadline's start) to closing.
    duration = ExpressionWrapper(F("closed_at") - Coalesce("verified_at", "received_at"), output_field=DurationField())
    recent = PrivacyRequest.objects.filter(
        state=RequestState.COMPLETED, closed_at__gte=now - timedelta(days=SUMMARY_MEDIAN_DAYS)
    )
    if connection.vendor == "postgresql":
        speed = recent.aggregate(median_seconds=Median(Extract(duration, "epoch")), completed=Count("pk"))
        median_seconds, completed = speed["median_seconds"], speed["completed"]
    else:
        completed = recent.count()
        median_seconds = _median_seconds_by_offset(recent, duration=duration, count=completed)
    median_days = round(median_seconds / 86400, 1) if median_seconds is not None else None

    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=SUMMARY_CHART_WEEKS - 1)
    per_week = {
        timezone.localdate(row["week"]) if hasattr(row["week"], "hour") else row["week"]: row["n"]
        for row in PrivacyRequest.objects.filter(
            state=RequestState.COMPLETED,
            closed_at__date__gte=first_monday,
        )
        .annotate(week=TruncWeek("closed_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    }
    weeks = [
        (first_monday + timedelta(weeks=index), per_week.get(first_monday + timedelta(weeks=index), 0))
        for index in range(SUMMARY_CHART_WEEKS)
    ]

    return Summary(
        kinds=kinds,
        states=states,
        open_table=open_table,
        state_totals=state_totals,
        open_total=sum(state_totals),
        overdue=deadlines["overdue"],
        due_soon=deadlines["due_soon"],
        waiting=deadlines["waiting"],
        median_days=median_days,
        completed_count=completed,
        weeks=weeks,
    )
