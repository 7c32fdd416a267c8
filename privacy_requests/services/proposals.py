"""Maker-checker: one staff member proposes a decision, a second confirms or rejects it.

Three proposals: a refusal (reason and explanation), a deletion (the only
way a deletion request is approved) and a completion, which is how an
approval decided for a batch of requests waits for its second officer
(``batch``). Confirming a completion runs the very completion the
request's own "complete" button runs (``review._complete``: the kind's
fulfilment, outcomes, the event, the audit record and the notice).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import PrivacyRequest, RefusalReason, RequestKind
from ..state_machine import target_state
from .notices import KIND_STATUS, _tell_citizen
from .review import _complete
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

PROPOSALS = ("refuse", "delete", "complete")
# Fields a proposal writes, and which a confirmation, rejection or withdrawal clears.
PROPOSAL_FIELDS = ("proposed_action", "proposed_by", "proposed_at", "proposed_answer")


def _check_completion(locked: PrivacyRequest, *, answer: str) -> None:
    """Refuse now what the confirmation would refuse later, so staff learn it from the proposal."""
    if locked.kind == RequestKind.DELETION:
        raise TransitionNotAllowed(_("A deletion request is approved by proposing the deletion."))
    if locked.kind == RequestKind.CANCELLATION:
        # Its own workflow: the person was told what closing means, has a
        # cooling-off period to change their mind, and the account then closes.
        raise TransitionNotAllowed(
            _(
                "An account cancellation follows its own workflow (cooling-off period, then the account closes): "
                "complete it on its own page, not in a batch."
            )
        )
    if locked.kind == RequestKind.COMPLAINT and not answer:
        raise TransitionNotAllowed(_("Write the answer to the complaint or question before completing it."))
    if target_state("complete", locked.state) is None:
        raise _not_allowed(locked)


def privacy_request_propose(
    *, request: PrivacyRequest, actor, action: str, reason_code: str = "", explanation: str = "", answer: str = ""
) -> PrivacyRequest:
    """The first half of maker-checker: propose a refusal, a deletion or a completion with its ``answer``."""
    _require_staff(actor)
    if action not in PROPOSALS:
        raise ValueError(f"unknown proposal: {action}")
    explanation = (explanation or "").strip()
    answer = (answer or "").strip()
    with transaction.atomic():
        locked = _lock(request)
        if locked.proposed_action:
            raise TransitionNotAllowed(_("A proposal is already waiting for a second staff member."))
        if action == "refuse":
            if target_state("refuse", locked.state) is None:
                raise _not_allowed(locked)
            if reason_code not in RefusalReason.values:
                raise TransitionNotAllowed(_("Choose a reason for the refusal."))
            if not explanation:
                raise TransitionNotAllowed(_("Explain the refusal to the citizen."))
            locked.refusal_reason, locked.refusal_explanation = reason_code, explanation
        elif action == "delete":
            if locked.kind != RequestKind.DELETION:
                raise TransitionNotAllowed(_("Only a deletion request can be approved for deletion."))
            if target_state("complete", locked.state) is None:
                raise _not_allowed(locked)
        else:
            _check_completion(locked, answer=answer)
        locked.proposed_answer = answer if action != "refuse" else ""
        locked.proposed_action, locked.proposed_by, locked.proposed_at = action, actor, timezone.now()
        locked.save(update_fields=[*PROPOSAL_FIELDS, "refusal_reason", "refusal_explanation"])
        _event(locked, action=f"proposed_{action}", actor=actor, note=reason_code)
        _audit(actor, f"propose_{action}", locked, reason=reason_code)
        # The citizen hears the decision once it is confirmed, not the internal proposal.
    _refresh_into(request, locked)
    return request


def privacy_request_confirm(*, request: PrivacyRequest, actor) -> PrivacyRequest:
    """The second half of maker-checker: another staff member applies the proposal."""
    _require_staff(actor)
    with transaction.atomic():
        locked = _lock(request)
        if not locked.proposed_action:
            raise TransitionNotAllowed(_("There is no proposal to confirm."))
        if locked.proposed_by_id == actor.pk:
            raise TransitionNotAllowed(_("A second staff member must confirm this, not the one who proposed it."))
        proposal = locked.proposed_action
        _event(locked, action=f"confirmed_{proposal}", actor=actor)
        _audit(actor, f"confirm_{proposal}", locked, proposed_by=locked.proposed_by_id)
        if proposal == "refuse":
            locked.proposed_action, locked.proposed_by, locked.proposed_at = "", None, None
            _transition(locked, action="refuse", actor=actor, fields=("proposed_action", "proposed_by", "proposed_at"))
            _tell_citizen(locked, KIND_STATUS)
        else:
            # The answer proposed with it (a deletion's fulfilment adds what it erased and kept).
            _complete(locked, actor=actor, answer=locked.proposed_answer, outcomes=())
    _refresh_into(request, locked)
    return request


def privacy_request_reject_proposal(*, request: PrivacyRequest, actor, note: str = "") -> PrivacyRequest:
    _require_staff(actor)
    with transaction.atomic():
        locked = _lock(request)
        if not locked.proposed_action:
            raise TransitionNotAllowed(_("There is no proposal to reject."))
        proposal = locked.proposed_action
        if proposal == "refuse":
            locked.refusal_reason, locked.refusal_explanation = "", ""
        locked.proposed_action, locked.proposed_by, locked.proposed_at = "", None, None
        locked.proposed_answer = ""
        locked.save(update_fields=[*PROPOSAL_FIELDS, "refusal_reason", "refusal_explanation"])
        _event(locked, action=f"rejected_{proposal}", actor=actor, note=note)
        _audit(actor, f"reject_{proposal}", locked)
    _refresh_into(request, locked)
    return request
