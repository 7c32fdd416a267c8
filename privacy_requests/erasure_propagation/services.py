"""Issuing erasure instructions, recording the services' acknowledgements, closing what never came.

Every write here runs in the caller's transaction (issuing: the request's
completion) or its own, leaves an audit record with ids only, and moves the
request's ``propagation`` from "pending" to "confirmed" (all acknowledged)
or "closed" (an officer closed the rest with a reason) exactly once.
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.service_clients.scopes import ERASURE
from accounts.service_clients.selectors import service_clients_with_scope
from audit.services import audit_record
from core.site import site_url
from webhooks.services import webhook_event_publish

from ..models import PrivacyRequest, PropagationState, RequestEvent, RequestKind, RequestOutcome
from .models import ErasureInstruction, InstructionStatus

EVENT_TYPE = "erasure.requested"
# The kinds whose completion erases data the services may hold copies of.
PROPAGATED_KINDS = frozenset({RequestKind.DELETION, RequestKind.CANCELLATION})
ERASED_RESULTS = frozenset({RequestOutcome.Result.DELETED, RequestOutcome.Result.ANONYMISED})
CLOSE_PERMISSION = "privacy_requests.close_erasure_propagation"
CLOSE_REASON_MAX_LENGTH = 500
# A service's clock may run a little ahead of ours.
ERASED_AT_SKEW = timedelta(minutes=5)


class PropagationNotAllowed(ValueError):
    """The step is refused; ``message`` is translated, ``field`` names what was wrong (for the API)."""

    def __init__(self, message: str, *, field: str = "non_field_errors"):
        super().__init__(message)
        self.message = message
        self.field = field


class AlreadyAcknowledged(PropagationNotAllowed):
    """The instruction was acknowledged or closed before: a replay, or a second answer."""


def ack_nonce(*, signed_at: int, body: bytes) -> str:
    """What makes a signed acknowledgement unique: its signed text (the body names its instruction)."""
    return hashlib.sha256(str(int(signed_at)).encode("ascii") + b"." + body).hexdigest()


def ack_days() -> int:
    return int(getattr(settings, "ERASURE_ACK_DAYS", 7))


def acknowledge_url(instruction: ErasureInstruction) -> str:
    # A plain path: instructions are issued in workers too, without a request to reverse against.
    return site_url(f"/api/v1/erasure-instructions/{instruction.pk}/acknowledge/")


def scope_text(instruction: ErasureInstruction) -> str:
    return ",".join(instruction.categories)


def instruction_payload(instruction: ErasureInstruction) -> dict:
    """What the webhook (and the catch-up list) tells the service: ids and codes, no personal values."""
    return {
        "instruction_id": instruction.pk,
        "request_id": instruction.request_id,
        "subject_id": instruction.subject_id,
        "kind": instruction.kind,
        # Flat values only (the webhook payload rule): the erased category codes, comma-separated.
        "scope": scope_text(instruction),
        "issued_at": instruction.issued_at.isoformat(),
        "ack_due_by": instruction.due_at.isoformat(),
        "acknowledge_url": acknowledge_url(instruction),
    }


def _erased_categories(request: PrivacyRequest) -> list[str]:
    return sorted(
        RequestOutcome.objects.filter(request=request, result__in=ERASED_RESULTS).values_list("category", flat=True)
    )


def erasure_instructions_issue(*, request: PrivacyRequest, subject_id: int | None, actor) -> list[ErasureInstruction]:
    """Instruct every active client holding the ``erasure`` scope; call inside the completion's transaction.

    ``subject_id`` is read before the fulfilment ran: a cancellation
    anonymises the account, and the request may forget its requester.
    One delivery per instruction is written by the webhook outbox in the
    same transaction, so a rollback leaves neither.
    """
    if request.kind not in PROPAGATED_KINDS or subject_id is None:
        return []
    clients = list(service_clients_with_scope(ERASURE))
    if not clients:
        return []
    now = timezone.now()
    due = now + timedelta(days=ack_days())
    categories = _erased_categories(request)
    instructions = []
    for client in clients:
        instruction = ErasureInstruction.objects.create(
            request=request,
            client=client,
            subject_id=subject_id,
            kind=request.kind,
            categories=categories,
            issued_at=now,
            due_at=due,
        )
        webhook_event_publish(event_type=EVENT_TYPE, payload=instruction_payload(instruction), client_ids=[client.pk])
        instructions.append(instruction)
    request.propagation = PropagationState.PENDING
    request.save(update_fields=["propagation"])
    RequestEvent.objects.create(request=request, action="erasure_instructed", actor=actor, note=str(len(instructions)))
    audit_record(
        actor=actor,
        action="privacy_request.erasure_instructed",
        target=request,
        details={
            "kind": request.kind,
            "service_clients": [client.pk for client in clients],
            "due_at": due.isoformat(),
        },
    )
    return instructions


def _settle(request: PrivacyRequest, *, actor) -> None:
    """Mark ``request`` (locked) fully done once no instruction is pending."""
    if request.propagation != PropagationState.PENDING:
        return
    statuses = set(request.erasure_instructions.values_list("status", flat=True))
    if InstructionStatus.PENDING in statuses:
        return
    outcome = PropagationState.CLOSED if InstructionStatus.CLOSED in statuses else PropagationState.CONFIRMED
    request.propagation = outcome
    request.fully_done_at = timezone.now()
    request.save(update_fields=["propagation", "fully_done_at"])
    RequestEvent.objects.create(request=request, action=f"propagation_{outcome}", actor=actor)
    audit_record(
        actor=actor,
        action="privacy_request.fully_done",
        target=request,
        details={"kind": request.kind, "propagation": outcome},
    )


def erasure_instruction_acknowledge(
    *, instruction: ErasureInstruction, client, erased_at: datetime, note: str = "", nonce: str
) -> ErasureInstruction:
    """The service ``client`` says it erased its copy; the last confirmation makes the request fully done.

    ``nonce`` is the acknowledgement's signature: one signed body is good
    for one instruction once. Refused, nothing is stored.
    """
    note = (note or "").strip()
    if len(note) > 500:
        raise PropagationNotAllowed(_("At most 500 characters."), field="note")
    if timezone.is_naive(erased_at):
        raise PropagationNotAllowed(_("Give the time with its time zone."), field="erased_at")
    if erased_at > timezone.now() + ERASED_AT_SKEW:
        raise PropagationNotAllowed(_("The erasure time cannot be in the future."), field="erased_at")
    try:
        with transaction.atomic():
            request = PrivacyRequest.objects.select_for_update().get(pk=instruction.request_id)
            locked = ErasureInstruction.objects.select_for_update().get(pk=instruction.pk, client=client)
            if locked.status != InstructionStatus.PENDING:
                raise AlreadyAcknowledged(_("This erasure instruction was already acknowledged or closed."))
            if ErasureInstruction.objects.filter(ack_nonce=nonce).exists():
                raise PropagationNotAllowed(_("This signed acknowledgement was used before."), field="signature")
            locked.status = InstructionStatus.CONFIRMED
            locked.acknowledged_at = timezone.now()
            locked.erased_at = erased_at
            locked.ack_note = note
            locked.ack_nonce = nonce
            locked.save(update_fields=["status", "acknowledged_at", "erased_at", "ack_note", "ack_nonce"])
            audit_record(
                actor=None,
                action="erasure_instruction.acknowledged",
                target=locked,
                details={
                    "request": request.pk,
                    "service_client": client.pk,
                    "overdue": locked.acknowledged_at > locked.due_at,
                },
            )
            _settle(request, actor=None)
    except IntegrityError as error:
        # Two acknowledgements with one signature at once: the unique nonce lets one through.
        raise PropagationNotAllowed(_("This signed acknowledgement was used before."), field="signature") from error
    return locked


def erasure_propagation_close(*, request: PrivacyRequest, actor, reason: str) -> int:
    """A privacy officer closes every outstanding instruction of ``request``, saying why; returns how many."""
    if actor is None or not actor.is_staff or not actor.has_perm(CLOSE_PERMISSION):
        raise PropagationNotAllowed(_("Only a privacy officer can close the erasure by services."))
    reason = (reason or "").strip()
    if not reason:
        raise PropagationNotAllowed(_("Say why the services' confirmations are not needed."), field="reason")
    if len(reason) > CLOSE_REASON_MAX_LENGTH:
        raise PropagationNotAllowed(_("At most %(max)d characters.") % {"max": CLOSE_REASON_MAX_LENGTH}, field="reason")
    with transaction.atomic():
        locked = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
        if locked.propagation != PropagationState.PENDING:
            raise PropagationNotAllowed(_("No service confirmation is outstanding for this request."))
        outstanding = list(locked.erasure_instructions.select_for_update().filter(status=InstructionStatus.PENDING))
        now = timezone.now()
        for instruction in outstanding:
            instruction.status = InstructionStatus.CLOSED
            instruction.closed_at, instruction.closed_by, instruction.closed_reason = now, actor, reason
            instruction.save(update_fields=["status", "closed_at", "closed_by", "closed_reason"])
        RequestEvent.objects.create(request=locked, action="propagation_closed_by_officer", actor=actor, note=reason)
        audit_record(
            actor=actor,
            action="privacy_request.propagation_closed",
            target=locked,
            details={"instructions": [instruction.pk for instruction in outstanding]},
        )
        _settle(locked, actor=actor)
    request.propagation, request.fully_done_at = locked.propagation, locked.fully_done_at
    return len(outstanding)
