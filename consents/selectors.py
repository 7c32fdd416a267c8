"""Reading consents: the current state, the check, the ledger's integrity."""

import contextlib
import contextvars
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.checkpoints import checkpoint_latest
from core.compiled_query import CompiledQuery
from core.hash_chain import KeyOrder, link_matches
from core.logging import security_log

from .checkpoints import CHAIN, consent_checkpoint_problem
from .hashing import GENESIS_HASH, consent_event_content
from .ledger_backing import BackableState, state_backed, state_is_backed, states_unbacked, states_with_ledger
from .models import ConsentEvent, ConsentState, ConsentSubject, Partner, PolicyVersion, Purpose
from .subject_states import subjects_with_states
from .table_caches import catalogue_cached


def policy_current(*, on=None) -> PolicyVersion | None:
    """The policy version in effect at ``on`` (now by default)."""
    now = on or timezone.now()
    return PolicyVersion.objects.filter(effective_at__lte=now, published_at__lte=now).order_by("-effective_at").first()


def policy_published():
    """Every version announced so far, newest first (including ones not yet in effect)."""
    return PolicyVersion.objects.filter(published_at__lte=timezone.now()).order_by("-effective_at")


def policy_upcoming() -> PolicyVersion | None:
    """A published version whose effective date is still ahead, for the banner."""
    now = timezone.now()
    return PolicyVersion.objects.filter(published_at__lte=now, effective_at__gt=now).order_by("effective_at").first()


def policy_previous(*, version: PolicyVersion) -> PolicyVersion | None:
    return (
        PolicyVersion.objects.filter(effective_at__lt=version.effective_at, published_at__lte=timezone.now())
        .order_by("-effective_at")
        .first()
    )


def guardian_confirmed(*, guardian, minor) -> bool:
    from accounts.models import GuardianLink

    return GuardianLink.objects.filter(guardian=guardian, minor=minor, state=GuardianLink.State.CONFIRMED).exists()


def consents_current_for(*, subject) -> dict[tuple[int, int | None], ConsentState]:
    """The person's current consents keyed by (purpose id, partner id): one query.

    Each row is read with what ``consents.ledger_backing.state_is_backed`` needs.
    """
    return {(state.purpose_id, state.partner_id): state for state in _current_states(subject.pk)}


def _current_states_query(subject_id) -> QuerySet[ConsentState]:
    return (
        states_with_ledger(ConsentState.objects.filter(subject_id=subject_id))
        .select_related("policy_version")
        .defer(*(f"policy_version__{field}" for field in ("text_zh", "text_en", "summary_zh", "summary_en")))
    )


# Compiled once per thread: the ledger-backing annotations cost the ORM about a millisecond to
# compile on every home and dashboard view, more than the database takes to answer.
_current_states = CompiledQuery(_current_states_query)


@dataclass(frozen=True)
class ConsentSnapshot:
    """One person's current consents and the catalogue, read once for a whole page.

    The dashboard reads these for its own list; while it renders, its panels'
    consent checks and purpose look-ups answer from here instead of asking
    the database again for every panel.
    """

    subject_id: int
    states: dict[tuple[int, int | None], ConsentState]
    purposes: dict[str, Purpose]
    partners: dict[str, Partner]
    partner_purposes: set[tuple[int, int]] = field(default_factory=set)


_snapshot: contextvars.ContextVar[ConsentSnapshot | None] = contextvars.ContextVar("consent_snapshot", default=None)


@contextlib.contextmanager
def consent_snapshot_active(snapshot: ConsentSnapshot):
    token = _snapshot.set(snapshot)
    try:
        yield snapshot
    finally:
        _snapshot.reset(token)


def consent_snapshot_for(*, subject) -> ConsentSnapshot | None:
    """The snapshot in force for this person's page, if any."""
    snapshot = _snapshot.get()
    return snapshot if snapshot is not None and snapshot.subject_id == subject.pk else None


def purpose_by_code(code: str) -> Purpose:
    snapshot = _snapshot.get()
    if snapshot is not None and code in snapshot.purposes:
        return snapshot.purposes[code]
    return Purpose.objects.get(code=code)


def partner_by_code(code: str) -> Partner:
    snapshot = _snapshot.get()
    if snapshot is not None and code in snapshot.partners:
        return snapshot.partners[code]
    return Partner.objects.get(code=code)


@dataclass(frozen=True)
class ConsentDecision:
    allowed: bool
    reason: str
    policy_version: str | None = None


# What the set-based check answers for an id that is no active account.
UNKNOWN_SUBJECT = ConsentDecision(False, "unknown_subject")


def _needs_consent(purpose: Purpose) -> bool:
    return purpose.legal_basis == "consent" or not purpose.is_basic


def _purpose_gate(
    *, purpose: Purpose, partner: Partner | None, serves: Callable[[Partner], bool], on=None
) -> ConsentDecision | None:
    """The answer that holds for everybody alike, or None when it depends on each person's consents.

    ``serves(partner)`` says whether the partner serves ``purpose``, from wherever the caller reads it.
    """
    if not purpose.active:
        return ConsentDecision(False, "purpose_inactive")
    if partner is not None:
        if not serves(partner):
            return ConsentDecision(False, "partner_not_for_purpose")
        if not partner.agreement_in_force(on=timezone.localdate(on) if on else None):
            return ConsentDecision(False, "partner_agreement_expired")
    if not _needs_consent(purpose):
        # A basic purpose resting on law or contract covers the partners it
        # names (entrusted processing); only consent-based sharing needs a yes.
        return ConsentDecision(True, f"legal_basis_{purpose.legal_basis}")
    return None


def _covers(state: BackableState | None, purpose: Purpose, *, is_minor: bool) -> str | None:
    """Why ``state`` does not cover ``purpose`` now, or None when it does."""
    if state is None:
        return "not_granted"
    if not state_is_backed(state):
        # Changed outside the portal: the ledger, not this row, says what the person decided.
        security_log.warning("consent state %s is not backed by the consent ledger; the check refuses it", state.pk)
        return "not_backed_by_ledger"
    if not state.granted:
        return "withdrawn"
    if state.purpose_version != purpose.version:
        # The purpose was widened after the consent was given.
        return "consent_predates_change"
    if is_minor and not state.by_guardian:
        return "guardian_consent_required"
    return None


def _states_decide(
    *, purpose: Purpose, partner: Partner | None, by_partner: Mapping[int | None, BackableState], is_minor: bool
) -> ConsentDecision:
    """The answer for one person past the gate, from their states for the purpose keyed by partner id."""
    refusal = _covers(by_partner.get(None), purpose, is_minor=is_minor)
    if refusal:
        return ConsentDecision(False, refusal)
    if partner is not None:
        refusal = _covers(by_partner.get(partner.pk), purpose, is_minor=is_minor)
        if refusal:
            return ConsentDecision(False, f"partner_{refusal}")
    decisive = by_partner.get(partner.pk if partner else None) or by_partner.get(None)
    version = decisive.policy_version.version if decisive and decisive.policy_version else None
    return ConsentDecision(True, "granted", version)


def consent_check(*, subject, purpose: Purpose, partner: Partner | None = None, on=None) -> ConsentDecision:
    """May ``purpose`` (and sharing with ``partner``) use this person's data now?"""
    snapshot = consent_snapshot_for(subject=subject)

    def serves(partner: Partner) -> bool:
        if snapshot is not None:
            return (partner.pk, purpose.pk) in snapshot.partner_purposes
        return partner.purposes.filter(pk=purpose.pk).exists()

    gate = _purpose_gate(purpose=purpose, partner=partner, serves=serves, on=on)
    if gate is not None:
        return gate
    by_partner: Mapping[int | None, BackableState]
    if snapshot is not None:
        by_partner = {
            partner_id: state for (purpose_id, partner_id), state in snapshot.states.items() if purpose_id == purpose.pk
        }
    else:
        found = subjects_with_states(subject_ids=[subject.pk], purpose=purpose, partner=partner)
        by_partner = found[subject.pk].states if subject.pk in found else {}
    return _states_decide(purpose=purpose, partner=partner, by_partner=by_partner, is_minor=subject.is_minor)


def consent_check_many(
    *, subject_ids: Iterable[int], purpose: Purpose, partner: Partner | None = None, on=None
) -> dict[int, ConsentDecision]:
    """``consent_check`` for many people by id, in one query however many: the answers by id, in the ids' order.

    The same rules and reasons, applied by the same functions; an id that is
    no active account is answered ``UNKNOWN_SUBJECT``. Purposes and partners
    come from the process's catalogue (``consents.table_caches``), so the
    one query reads the people with their states and what the ledger says of
    them (``subjects_with_states``), or only which ids are active accounts
    when the answer is the same for everybody.
    """
    ids = list(dict.fromkeys(subject_ids))
    if not ids:
        return {}
    gate = _purpose_gate(
        purpose=purpose,
        partner=partner,
        serves=lambda partner: catalogue_cached().serves(partner=partner, purpose=purpose),
        on=on,
    )
    if gate is not None:
        active = set(get_user_model()._default_manager.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
        return {pk: gate if pk in active else UNKNOWN_SUBJECT for pk in ids}
    found = subjects_with_states(subject_ids=ids, purpose=purpose, partner=partner)
    answers = {}
    for pk in ids:
        person = found.get(pk)
        if person is None or not person.is_active:
            answers[pk] = UNKNOWN_SUBJECT
        else:
            answers[pk] = _states_decide(
                purpose=purpose, partner=partner, by_partner=person.states, is_minor=person.is_minor
            )
    return answers


def consent_missing_ids(*, user_ids, purpose: Purpose, partner: Partner | None = None, on=None):
    """The ids among ``user_ids`` whom ``consent_check`` would refuse, as one query over ``ConsentState``.

    For checking many people at once (a disclosure to thousands) without
    reading them: the rules that hold for everybody come from the same gate
    as ``consent_check`` (an inactive purpose, a partner that does not serve
    the purpose or whose agreement is not in force on ``on``, a purpose that
    needs no consent); past it a person is covered only by a granted state
    the ledger backs, for the purpose itself, at the purpose's current
    version (a widened purpose needs fresh consent), given by a guardian if
    the person is a minor, and, with a partner, by a state for that partner
    meeting the same conditions — ``_covers`` written as set conditions. Two
    queries at most, however many people: the partner's purposes, and the
    answer.

    ``user_ids`` is a list of ids or a queryset of ids; ids that are no
    account are left out of the answer. Returns a lazy queryset of ids.
    """
    people = get_user_model()._default_manager.filter(pk__in=user_ids)
    gate = _purpose_gate(
        purpose=purpose,
        partner=partner,
        serves=lambda partner: partner.purposes.filter(pk=purpose.pk).exists(),
        on=on,
    )
    if gate is not None:
        return (people if not gate.allowed else people.none()).values_list("pk", flat=True)

    def covered(for_partner: Partner | None) -> Exists:
        # ``_covers`` as a condition: backed by the ledger, granted, current version, and a minor's given by a guardian.
        states = ConsentState.objects.filter(
            state_backed(),
            Q(by_guardian=True) | Q(subject__is_minor=False),
            subject=OuterRef("pk"),
            purpose=purpose,
            granted=True,
            purpose_version=purpose.version,
        )
        states = states.filter(partner=for_partner) if for_partner is not None else states.filter(partner__isnull=True)
        return Exists(states)

    lacking = Q(~covered(None))
    if partner is not None:
        lacking |= Q(~covered(partner))
    return people.filter(lacking).values_list("pk", flat=True)


def consent_missing_count(*, user_ids, purpose: Purpose, partner: Partner | None = None, on=None) -> int:
    """How many of ``user_ids`` have no consent covering the purpose (and partner) now: one count query."""
    return consent_missing_ids(user_ids=user_ids, purpose=purpose, partner=partner, on=on).count()


@dataclass(frozen=True)
class UnbackedState:
    """A current-state row that the ledger does not back (``consents.ledger_backing``)."""

    subject_ref: str
    purpose: str
    partner: str | None
    granted: bool


@dataclass(frozen=True)
class LedgerReport:
    subjects: int
    events: int
    broken_subject: str | None = None
    broken_seq: int | None = None
    reason: str = ""
    unbacked: tuple[UnbackedState, ...] = ()
    # The latest signed checkpoint outside the database: when it was written, and how the ledger contradicts it.
    checkpoint_at: str = ""
    checkpoint_problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_subject is None and not self.unbacked and not self.checkpoint_problem


def consent_states_unbacked() -> tuple[UnbackedState, ...]:
    """Current-state rows that say something the person's last ledger event does not: one query."""
    return tuple(
        UnbackedState(
            subject_ref=str(row["subject_ref"]) if row["subject_ref"] else "",
            purpose=row["purpose__code"],
            partner=row["partner__code"],
            granted=row["granted"],
        )
        for row in states_unbacked()
    )


def consent_ledger_verify(*, chunk_size: int = 5000) -> LedgerReport:
    """Walk every person's chain, then compare the current-state table with the ledger.

    Reports the first changed or missing event; every state row whose
    granted or withdrawn, purpose version or policy version the person's last
    event for that purpose and partner does not back; and how the ledger
    contradicts the latest checkpoint outside the database
    (``consents.checkpoints``): people or events gone, or chains rewritten.
    """
    report = replace(_chains_verify(chunk_size=chunk_size), unbacked=consent_states_unbacked())
    checkpoint = checkpoint_latest(chain=CHAIN)
    if checkpoint is None:
        return report
    problem = consent_checkpoint_problem(checkpoint=checkpoint) or ""
    return replace(report, checkpoint_at=checkpoint.at, checkpoint_problem=problem)


def _chains_verify(*, chunk_size: int) -> LedgerReport:
    """Walk every person's chain; report the first changed or missing event."""
    heads = dict(ConsentSubject.objects.values_list("ref", "last_seq"))
    events = ConsentEvent.objects.order_by("subject_ref", "seq").values_list(
        "subject_ref",
        "seq",
        "purpose_id",
        "purpose_version",
        "partner_id",
        "action",
        "policy_version_id",
        "channel",
        "actor_id",
        "created_at",
        "prev_hash",
        "hash",
        "key_id",
    )
    current_ref, expected_seq, expected_prev, keys = None, 1, GENESIS_HASH, KeyOrder()
    checked = 0
    seen = set()

    def tail_missing(ref, last_seen):
        return heads.get(ref, last_seen) != last_seen

    for row in events.iterator(chunk_size=chunk_size):
        ref, seq = row[0], row[1]
        if ref != current_ref:
            if current_ref is not None and tail_missing(current_ref, expected_seq - 1):
                return LedgerReport(len(seen), checked, str(current_ref), expected_seq, "later events are missing")
            current_ref, expected_seq, expected_prev, keys = ref, 1, GENESIS_HASH, KeyOrder()
            seen.add(ref)
        if seq != expected_seq:
            return LedgerReport(len(seen), checked, str(ref), expected_seq, "an event is missing")
        if row[10] != expected_prev:
            return LedgerReport(len(seen), checked, str(ref), seq, "link to the previous event is broken")
        key_problem = keys.problem(row[12])
        if key_problem:
            return LedgerReport(len(seen), checked, str(ref), seq, key_problem)
        content = consent_event_content(
            subject_ref=ref,
            purpose_id=row[2],
            purpose_version=row[3],
            partner_id=row[4],
            action=row[5],
            policy_version_id=row[6],
            channel=row[7],
            actor_id=row[8],
            created_at=row[9],
        )
        if not link_matches({**content, "seq": seq, "prev_hash": row[10]}, key_id=row[12], stored=row[11]):
            return LedgerReport(len(seen), checked, str(ref), seq, "content does not match its hash")
        expected_prev = row[11]
        expected_seq += 1
        checked += 1
    if current_ref is not None and tail_missing(current_ref, expected_seq - 1):
        return LedgerReport(len(seen), checked, str(current_ref), expected_seq, "later events are missing")
    for ref, last_seq in heads.items():
        if last_seq and ref not in seen:
            return LedgerReport(len(seen), checked, str(ref), 1, "all events are missing")
    return LedgerReport(len(seen), checked)
