"""Whether a current-state row says what the ledger says.

``ConsentState`` exists so that "may we?" reads one row instead of replaying a
person's history. It is only a cache of the ledger: the row is written in the
same transaction as the event it reflects (``event``). Someone who can write to
the database without the portal (a superuser, with triggers off) can flip that
row from withdrawn to granted without touching the chained events. So nothing
trusts a state row unless the ledger backs it, checked in the same query that
reads it:

- the row's ``event`` belongs to the row's person, purpose and partner;
- that event is the person's last one for this purpose and partner (nothing later
  in the chain, so the state cannot point back at an old grant);
- granted, purpose version, policy version and "given by a guardian" are what that
  event implies (``consents.services._record`` derives them the same way).

The events themselves are vouched for by their keyed hashes, which
``consent_ledger_verify`` checks; this condition ties the state to them.
"""

from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from .models import ConsentAction, ConsentChannel, ConsentEvent, ConsentState, ConsentSubject
from .subject_states import StateRow

# A state row read with its ledger: through ``states_with_ledger``, or ``subject_states`` (the consent check).
BackableState = ConsentState | StateRow


def _same_or_both_null(field: str) -> Q:
    return Q(**{f"event__{field}_id": F(f"{field}_id")}) | Q(
        **{f"event__{field}__isnull": True, f"{field}__isnull": True}
    )


def _later_event() -> Exists:
    """Whether the person's chain holds an event for the row's purpose and partner after the row's event."""
    return Exists(
        ConsentEvent.objects.alias(partner_key=Coalesce("partner_id", Value(0))).filter(
            subject_ref=OuterRef("event__subject_ref"),
            purpose_id=OuterRef("purpose_id"),
            partner_key=Coalesce(OuterRef("partner_id"), Value(0)),
            seq__gt=OuterRef("event__seq"),
        )
    )


def state_backed() -> Q:
    """The condition, on ``ConsentState`` rows, that the ledger backs the row: for set-based queries."""
    own_chain = ConsentSubject.objects.filter(user_id=OuterRef("subject_id"), ref=OuterRef("event__subject_ref"))
    granted = Case(When(event__action=ConsentAction.WITHDRAWN, then=Value(False)), default=Value(True))
    # A staff member records on the person's behalf; anyone else but the person is their guardian.
    by_guardian = Case(
        When(~Q(event__channel=ConsentChannel.STAFF) & ~Q(event__actor_id=F("subject_id")), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        Exists(own_chain)
        & Q(event__purpose_id=F("purpose_id"))
        & _same_or_both_null("partner")
        & Q(event__purpose_version=F("purpose_version"))
        & _same_or_both_null("policy_version")
        & Q(granted=granted)
        & Q(by_guardian=by_guardian)
        & ~_later_event()
    )


# ``_later_event`` for a query that joins the row's event once (``select_related("event")``), where
# Django names that join after its table. Written out because the ORM spends about 1.5 ms compiling
# the subquery on every check, more than the check used to cost in all (measured for issue #11).
_LATER_EVENT_SQL = (
    "EXISTS (SELECT 1 FROM consents_consentevent later"
    " WHERE later.subject_ref = consents_consentevent.subject_ref"
    " AND later.purpose_id = consents_consentstate.purpose_id"
    " AND (later.partner_id = consents_consentstate.partner_id"
    " OR (later.partner_id IS NULL AND consents_consentstate.partner_id IS NULL))"
    " AND later.seq > consents_consentevent.seq)"
)


def states_with_ledger(states):
    """``states`` read with what :func:`state_is_backed` needs, in the same query.

    The row's event (a join), the person's chain reference (a join) and whether
    a later event exists (a subquery on the chain's index). Compiling the
    whole condition as SQL for one person costs more in the ORM than
    comparing a few fields here.
    """
    return states.select_related("event").annotate(
        chain_ref=F("subject__consent_subject__ref"),
        superseded=RawSQL(_LATER_EVENT_SQL, (), output_field=BooleanField()),  # noqa: S611 -- a constant, no input
    )


def state_is_backed(state: BackableState) -> bool:
    """:func:`state_backed` for one row read through :func:`states_with_ledger`."""
    event = state.event
    by_guardian = event.channel != ConsentChannel.STAFF and event.actor_id != state.subject_id
    return (
        not state.superseded
        and state.chain_ref is not None
        and event.subject_ref == state.chain_ref
        and event.purpose_id == state.purpose_id
        and event.partner_id == state.partner_id
        and event.purpose_version == state.purpose_version
        and event.policy_version_id == state.policy_version_id
        and state.granted == (event.action != ConsentAction.WITHDRAWN)
        and state.by_guardian == by_guardian
    )


def states_unbacked():
    """Every state row the ledger does not back, with what an auditor needs to find it."""
    subject_ref = Subquery(ConsentSubject.objects.filter(user_id=OuterRef("subject_id")).values("ref")[:1])
    return (
        ConsentState.objects.filter(~Exists(ConsentState.objects.filter(state_backed(), pk=OuterRef("pk"))))
        .annotate(subject_ref=subject_ref)
        .order_by("subject_id", "purpose__code", "partner__code")
        .values("pk", "subject_ref", "purpose__code", "partner__code", "granted")
    )
