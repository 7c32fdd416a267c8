"""Every change to a rights request: creation, each state transition, messages, deadlines.

Each function runs in one transaction and leaves three traces of what it
did: a ``RequestEvent`` (the timeline the citizen and staff see), an audit
record (ids and codes only) and, for what the citizen should know, a
notification through the outbox (inbox + email, sent after commit).
Which transition is allowed from which state is ``state_machine.TRANSITIONS``.

The package is split by concept; callers import from here, so the modules
can move without touching them:

- ``filing``: file, verify and withdraw a request;
- ``review``: staff take up, assign, extend and complete a request;
- ``proposals``: maker-checker for refusals and deletions;
- ``batch``: the same decisions for many requests at once, all or nothing;
- ``messages``: messages, which pause and resume the clock;
- ``lapse``: the daily sweep of requests nobody verified;
- ``transitions``, ``clock``, ``notices``: the shared steps underneath.
"""

from .batch import (
    DECISION_APPROVE,
    DECISION_REFUSE,
    DECISIONS,
    BatchNotAllowed,
    BatchProblem,
    privacy_requests_confirm_batch,
    privacy_requests_propose_batch,
)
from .filing import DuplicateRequest, privacy_request_create, privacy_request_verify, privacy_request_withdraw
from .lapse import LAPSE_AFTER_DAYS, privacy_requests_lapse_stale
from .messages import privacy_request_message
from .notices import (
    KIND_EXTENDED,
    KIND_MESSAGE,
    KIND_RECEIVED,
    KIND_STAFF_REPLY,
    KIND_STATUS,
    request_details,
    request_url,
)
from .proposals import PROPOSALS, privacy_request_confirm, privacy_request_propose, privacy_request_reject_proposal
from .review import (
    MAX_EXTENSION_WORKING_DAYS,
    privacy_request_assign,
    privacy_request_complete,
    privacy_request_extend,
    privacy_request_start_review,
)
from .transitions import TransitionNotAllowed

__all__ = [
    "DECISIONS",
    "DECISION_APPROVE",
    "DECISION_REFUSE",
    "BatchNotAllowed",
    "BatchProblem",
    "privacy_requests_confirm_batch",
    "privacy_requests_propose_batch",
    "KIND_EXTENDED",
    "KIND_MESSAGE",
    "KIND_RECEIVED",
    "KIND_STAFF_REPLY",
    "KIND_STATUS",
    "LAPSE_AFTER_DAYS",
    "MAX_EXTENSION_WORKING_DAYS",
    "PROPOSALS",
    "DuplicateRequest",
    "TransitionNotAllowed",
    "privacy_request_assign",
    "privacy_request_complete",
    "privacy_request_confirm",
    "privacy_request_create",
    "privacy_request_extend",
    "privacy_request_message",
    "privacy_request_propose",
    "privacy_request_reject_proposal",
    "privacy_request_start_review",
    "privacy_request_verify",
    "privacy_request_withdraw",
    "privacy_requests_lapse_stale",
    "request_details",
    "request_url",
]
