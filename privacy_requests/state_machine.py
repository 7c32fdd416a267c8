"""The transitions of a rights request, written down once.

``privacy_requests.services`` is the only code that changes a request's
state, and it asks this table first; the admin's buttons, the citizen's
page and the API read the same table (through ``selectors.allowed_actions``)
so that nobody is offered a step the service would refuse.
"""

from .models import RequestState

S = RequestState

# States in which the request is still being worked on (and can be withdrawn).
OPEN_STATES = frozenset({S.SUBMITTED, S.IDENTITY_VERIFIED, S.IN_REVIEW})
CLOSED_STATES = frozenset({S.COMPLETED, S.REFUSED, S.WITHDRAWN, S.LAPSED})

# action -> {from state: to state}
TRANSITIONS: dict[str, dict[str, str]] = {
    # Identity checked later (e.g. by staff for a request taken by phone).
    "verify": {S.SUBMITTED: S.IDENTITY_VERIFIED},
    "start_review": {S.IDENTITY_VERIFIED: S.IN_REVIEW},
    # From "identity verified" too: consent withdrawal completes at once,
    # and a simple question needs no separate review step.
    "complete": {S.IDENTITY_VERIFIED: S.COMPLETED, S.IN_REVIEW: S.COMPLETED},
    # Only through propose + confirm by a second staff member.
    "refuse": {S.SUBMITTED: S.REFUSED, S.IDENTITY_VERIFIED: S.REFUSED, S.IN_REVIEW: S.REFUSED},
    "withdraw": {S.SUBMITTED: S.WITHDRAWN, S.IDENTITY_VERIFIED: S.WITHDRAWN, S.IN_REVIEW: S.WITHDRAWN},
    # Left without an identity check for 7 days.
    "lapse": {S.SUBMITTED: S.LAPSED},
}


def target_state(action: str, state: str) -> str | None:
    """The state ``action`` leads to from ``state``, or None when it is not allowed."""
    return TRANSITIONS.get(action, {}).get(state)


def all_pairs() -> list[tuple[str, str, str | None]]:
    """Every (action, from state, to state or None) combination, for tests and docs."""
    return [(action, state, target_state(action, state)) for action in TRANSITIONS for state in S.values]
