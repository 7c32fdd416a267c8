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
from django.db.models.functions import Coalesce

from .models import ConsentAction, ConsentChannel, ConsentEvent, ConsentState, ConsentSubject


def _same_or_both_null(field: str) -> Q:
    return Q(**{f"event__{field}_id": F(f"{field}_id")}) | Q(
        **{f"event__{field}__isnull": True, f"{field}__isnull": True}
    )


def state_backed() -> Q:
    """The condition, on ``ConsentState`` rows, that the ledger backs the row."""
    later = ConsentEvent.objects.alias(partner_key=Coalesce("partner_id", Value(0))).filter(
        subject_ref=OuterRef("event__subject_ref"),
        purpose_id=OuterRef("purpose_id"),
        partner_key=Coalesce(OuterRef("partner_id"), Value(0)),
        seq__gt=OuterRef("event__seq"),
    )
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
        & ~Exists(later)
    )


def state_backed_flag() -> Exists:
    """``state_backed`` as a column, true or false for every row (a row whose event is gone is false)."""
    return Exists(ConsentState.objects.filter(state_backed(), pk=OuterRef("pk")))


def states_unbacked():
    """Every state row the ledger does not back, with what an auditor needs to find it."""
    subject_ref = Subquery(ConsentSubject.objects.filter(user_id=OuterRef("subject_id")).values("ref")[:1])
    return (
        ConsentState.objects.filter(~state_backed_flag())
        .annotate(subject_ref=subject_ref)
        .order_by("subject_id", "purpose__code", "partner__code")
        .values("pk", "subject_ref", "purpose__code", "partner__code", "granted")
    )
