"""Staff work on a request: taking it up, assigning it, extending its deadline and completing it."""

from django.db import transaction
from django.utils.translation import gettext as _

from webhooks.events import EventType
from webhooks.services import webhook_event_publish

from .. import fulfilment
from ..erasure_propagation.services import erasure_instructions_issue
from ..models import PrivacyRequest, RequestKind, RequestOutcome
from ..state_machine import OPEN_STATES, target_state
from ..working_days import add_working_days
from .notices import KIND_EXTENDED, KIND_STATUS, _tell_citizen
from .transitions import (
    TransitionNotAllowed,
    _audit,
    _event,
    _lock,
    _not_allowed,
    _refresh_into,
    _require_staff,
    _transition,
)

MAX_EXTENSION_WORKING_DAYS = 30


def privacy_request_start_review(*, request: PrivacyRequest, actor) -> PrivacyRequest:
    _require_staff(actor)
    with transaction.atomic():
        locked = _lock(request)
        if locked.proposed_action:
            raise TransitionNotAllowed(_("A proposal is waiting for a second staff member."))
        fields: tuple[str, ...] = ()
        if locked.assigned_to_id is None:
            locked.assigned_to = actor
            fields = ("assigned_to",)
        _transition(locked, action="start_review", actor=actor, fields=fields)
        _tell_citizen(locked, KIND_STATUS)
    _refresh_into(request, locked)
    return request


def _complete(locked: PrivacyRequest, *, actor, answer: str, outcomes, action: str = "complete") -> None:
    if target_state("complete", locked.state) is None:
        raise _not_allowed(locked)
    if answer:
        # Set before the handler runs: a complaint's handler insists on an answer.
        locked.answer = answer
    # Read before the handler runs: a cancellation anonymises the account.
    subject_id = locked.requester_id
    # The kind's handler does the work (export, correction, erasure...);
    # if it fails, the transaction rolls back and the request stays open.
    fulfilment.fulfil(request=locked, actor=actor)
    for category, result, legal_reason in outcomes or ():
        if result not in RequestOutcome.Result.values:
            raise ValueError(f"unknown outcome result: {result}")
        RequestOutcome.objects.update_or_create(
            request=locked, category=category, defaults={"result": result, "legal_reason": legal_reason or ""}
        )
    fields = ["proposed_action", "proposed_by", "proposed_at", "proposed_answer"]
    if answer:
        fields.append("answer")
    locked.proposed_action, locked.proposed_by, locked.proposed_at = "", None, None
    locked.proposed_answer = ""
    _transition(locked, action="complete", actor=actor, fields=fields)
    # The services holding copies are told in this same transaction (outbox):
    # completed here, the request is fully done once they all confirm.
    erasure_instructions_issue(request=locked, subject_id=subject_id, actor=actor)
    _tell_citizen(locked, KIND_STATUS, answer=locked.answer)
    if locked.kind in (RequestKind.DELETION, RequestKind.CANCELLATION):
        # Services holding copies must learn that the data is gone; written with the completion.
        webhook_event_publish(
            event_type=EventType.REQUEST_COMPLETED,
            payload={
                "request": locked.pk,
                "kind": locked.kind,
                "subject": locked.requester_id,
                "completed_at": locked.closed_at.isoformat() if locked.closed_at else None,
            },
        )


def privacy_request_complete(*, request: PrivacyRequest, actor, answer: str = "", outcomes=()) -> PrivacyRequest:
    """Fulfil and close ``request``. ``actor`` None is the system (automatic kinds).

    ``outcomes``: (category, result, legal reason) per data category, for
    what was provided, kept or withheld. A deletion cannot be completed
    this way: it needs a proposal confirmed by a second staff member.
    """
    if actor is not None:
        _require_staff(actor)
    with transaction.atomic():
        locked = _lock(request)
        if locked.kind == RequestKind.DELETION:
            raise TransitionNotAllowed(_("A deletion takes effect only when a second staff member confirms it."))
        if locked.proposed_action:
            raise TransitionNotAllowed(_("A proposal is waiting for a second staff member."))
        if actor is None and locked.kind != RequestKind.WITHDRAWAL:
            raise TransitionNotAllowed(_("Only a staff member can do this."))
        _complete(locked, actor=actor, answer=answer, outcomes=outcomes)
    _refresh_into(request, locked)
    return request


def privacy_request_extend(*, request: PrivacyRequest, actor, working_days: int, reason: str) -> PrivacyRequest:
    """Move the due date by ``working_days``, with a reason the citizen sees."""
    _require_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Give a reason for the extension."))
    if not (0 < int(working_days) <= MAX_EXTENSION_WORKING_DAYS):
        raise TransitionNotAllowed(
            _("An extension is between 1 and %(max)d working days.") % {"max": MAX_EXTENSION_WORKING_DAYS}
        )
    with transaction.atomic():
        locked = _lock(request)
        if locked.state not in OPEN_STATES or locked.due_date is None:
            raise _not_allowed(locked)
        old_due = locked.due_date
        locked.due_date = add_working_days(old_due, int(working_days))
        locked.extension_reason = reason[:300]
        locked.save(update_fields=["due_date", "extension_reason"])
        _event(locked, action="extended", actor=actor, note=reason)
        _audit(actor, "extend", locked, working_days=int(working_days))
        _tell_citizen(locked, KIND_EXTENDED, old_due_date=old_due, reason=reason)
    _refresh_into(request, locked)
    return request


def privacy_request_assign(*, request: PrivacyRequest, actor, assignee) -> PrivacyRequest:
    _require_staff(actor)
    if assignee is not None and not assignee.is_staff:
        raise TransitionNotAllowed(_("A request can be assigned to staff members only."))
    with transaction.atomic():
        locked = _lock(request)
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to"])
        _event(locked, action="assigned", actor=actor)
        _audit(actor, "assign", locked, assignee=getattr(assignee, "pk", None))
    _refresh_into(request, locked)
    return request
