"""Decisions on many requests at once: proposed by one officer, confirmed by another, all or nothing.

Each request goes through the same single-request service as its own
button (``proposals``), so each gets its own timeline event, audit record
and, once confirmed, its own notice. A batch is one transaction: if any
request cannot take the decision, the batch is refused with every reason,
and none of it is applied, so staff never have to work out which half of
a batch went through.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import PrivacyRequest, RequestKind
from .proposals import privacy_request_confirm, privacy_request_propose
from .transitions import TransitionNotAllowed, _require_staff

# What an officer decides for a batch. Approving is proposing the completion
# each request's own page would run (for a deletion request: the deletion),
# so that a second officer confirms it, as for a refusal.
DECISION_APPROVE = "approve"
DECISION_REFUSE = "refuse"
DECISIONS = (DECISION_APPROVE, DECISION_REFUSE)


@dataclass(frozen=True)
class BatchProblem:
    reference: str
    reason: str


class BatchNotAllowed(TransitionNotAllowed):
    """Some requests of the batch cannot take the decision; nothing was changed."""

    def __init__(self, problems: list[BatchProblem]):
        super().__init__(_("Nothing was changed: some of the selected requests cannot take this decision."))
        self.problems = problems


def _run_all(requests: Iterable[PrivacyRequest], step) -> list[PrivacyRequest]:
    """Apply ``step`` to every request in one transaction; any refusal undoes them all."""
    ordered = sorted(requests, key=lambda item: item.pk)  # one lock order, so two batches cannot deadlock
    if not ordered:
        raise TransitionNotAllowed(_("Select at least one request."))
    problems: list[BatchProblem] = []
    with transaction.atomic():
        for privacy_request in ordered:
            try:
                # A savepoint each: a refused request leaves nothing, and the next one is still checked.
                with transaction.atomic():
                    step(privacy_request)
            except TransitionNotAllowed as error:
                problems.append(BatchProblem(reference=privacy_request.reference, reason=error.message))
        if problems:
            # Leaving the block by an exception rolls back the requests that passed.
            raise BatchNotAllowed(problems)
    return ordered


def privacy_requests_propose_batch(
    *, requests: Iterable[PrivacyRequest], actor, decision: str, reason_code: str = "", explanation: str = ""
) -> list[PrivacyRequest]:
    """Propose one decision for every request; a second officer confirms it (``privacy_requests_confirm_batch``).

    ``explanation`` is the refusal's explanation, or for an approval the answer to each citizen
    (required for complaints).
    """
    _require_staff(actor)
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision: {decision}")

    def propose(privacy_request: PrivacyRequest) -> None:
        if decision == DECISION_REFUSE:
            privacy_request_propose(
                request=privacy_request,
                actor=actor,
                action="refuse",
                reason_code=reason_code,
                explanation=explanation,
            )
        else:
            # The explanation is the answer each citizen receives with the completion (a deletion's
            # summary of what was erased follows it). Kinds staff cannot complete in a batch (an
            # account cancellation) are refused by the service, with why.
            action = "delete" if privacy_request.kind == RequestKind.DELETION else "complete"
            privacy_request_propose(request=privacy_request, actor=actor, action=action, answer=explanation)

    return _run_all(requests, propose)


def privacy_requests_confirm_batch(*, requests: Iterable[PrivacyRequest], actor) -> list[PrivacyRequest]:
    """Confirm the proposals on every request: never one's own, all or none."""
    _require_staff(actor)
    return _run_all(requests, lambda privacy_request: privacy_request_confirm(request=privacy_request, actor=actor))
