"""The daily overdue sweep: escalate what went overdue (once), then send each staff member their digest."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.site import site_url
from notifications.services import notification_send

from .. import notification_kinds
from ..models import PrivacyRequest, RequestEvent, RequestKind
from . import selectors

# The queue's filters, as plain paths: the digest renders in a worker (see services.notices).
QUEUE_PATH = "/admin/privacy_requests/privacyrequest/"


def privacy_requests_escalate_overdue(*, today: date | None = None) -> int:
    """Escalate every request that went overdue since the last sweep; returns how many.

    Once per request: ``escalated_at`` is set under a row lock, and only rows
    without it are taken, so a second run (or two beats) escalates nothing
    again. The timeline event and the audit record are written with it.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        due = list(
            PrivacyRequest.objects.select_for_update(skip_locked=True)
            .filter(selectors.overdue_escalation_q(today=today))
            .only("pk", "kind", "state", "due_date")
            .order_by("pk")
        )
        if not due:
            return 0
        PrivacyRequest.objects.filter(pk__in=[item.pk for item in due]).update(escalated_at=now)
        RequestEvent.objects.bulk_create(
            [RequestEvent(request=item, action="escalated", note=str(item.due_date)) for item in due]
        )
        for item in due:
            audit_record(
                actor=None,
                action="privacy_request.escalate_overdue",
                target=item,
                details={"kind": item.kind, "state": item.state, "due_date": str(item.due_date)},
            )
    return len(due)


def _row_context(row: selectors.DigestRow) -> dict:
    return {
        "reference": row.reference,
        # A lazy label: rendered in the recipient's language.
        "kind_label": RequestKind(row.kind).label,
        "due_date": row.due_date,
        "overdue": row.overdue,
        "assignee": row.assignee,
        "url": site_url(f"{QUEUE_PATH}{row.request_id}/change/"),
    }


def staff_overdue_digests_send(*, today: date | None = None) -> int:
    """Queue today's digest for each staff member with something due; returns how many were queued.

    Through the outbox, in each recipient's language. Nobody gets a second
    one the same day, so the task can run again safely.
    """
    today = today or timezone.localdate()
    sent = 0
    for digest in selectors.digests_for(today=today, kind=notification_kinds.STAFF_OVERDUE_DIGEST):
        with transaction.atomic():
            notification_send(
                recipient=digest.recipient,
                kind=notification_kinds.STAFF_OVERDUE_DIGEST,
                context={
                    "today": today,
                    "assigned": [_row_context(row) for row in digest.assigned],
                    "for_officers": [_row_context(row) for row in digest.for_officers],
                    "assigned_overdue": sum(row.overdue for row in digest.assigned),
                    "officers_overdue": sum(row.overdue for row in digest.for_officers),
                    "queue_url": site_url(QUEUE_PATH),
                },
            )
        sent += 1
    return sent
