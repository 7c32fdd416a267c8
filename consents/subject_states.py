"""People by id with their consent states for one purpose, and what the ledger says of each state: one query.

The consent check answers platform services for one person or a thousand at a
time; what it needs of each person is whether the account exists and is
active, whether it is a minor's, and the person's states for the purpose (and
partner) with what ``ledger_backing.state_is_backed`` compares them against.
All of it comes from one statement, the people LEFT JOINed to their states,
so a person without any state is still there to be answered.

Written as SQL and read into small rows rather than model instances: the ORM
spends more compiling this query and building instances than the database
spends answering it (the check runs on every recommendation and transfer
of the platform, and batches of 1,000 should cost milliseconds).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection

from core.prepared import prepared_cursor

from .models import Partner, Purpose


@dataclass(frozen=True, slots=True)
class EventRow:
    """The fields of a state's ledger event that back the state."""

    subject_ref: object
    purpose_id: int
    partner_id: int | None
    purpose_version: int
    policy_version_id: int | None
    action: str
    channel: str
    actor_id: int | None


@dataclass(frozen=True, slots=True)
class PolicyLabel:
    version: str


@dataclass(frozen=True, slots=True)
class StateRow:
    """A ``ConsentState`` as ``states_with_ledger`` reads it, for the rules in ``selectors``."""

    pk: int
    subject_id: int
    purpose_id: int
    partner_id: int | None
    granted: bool
    purpose_version: int
    policy_version_id: int | None
    by_guardian: bool
    event: EventRow
    chain_ref: object
    superseded: bool
    policy_version: PolicyLabel | None


@dataclass(frozen=True, slots=True)
class SubjectStates:
    is_active: bool
    is_minor: bool
    # The person's states for the purpose, by partner id (None: the purpose itself).
    states: dict[int | None, StateRow] = field(default_factory=dict)


# The later-event test is ``ledger_backing._LATER_EVENT_SQL`` over this statement's aliases.
_SQL = """
SELECT u.id, u.is_active, u.is_minor, cs.ref,
    s.id, s.partner_id, s.granted, s.purpose_version, s.policy_version_id, s.by_guardian,
    e.subject_ref, e.purpose_id, e.partner_id, e.purpose_version, e.policy_version_id, e.action, e.channel,
    e.actor_id, pv.version,
    e.id IS NOT NULL AND EXISTS (SELECT 1 FROM consents_consentevent later
        WHERE later.subject_ref = e.subject_ref
        AND later.purpose_id = s.purpose_id
        AND (later.partner_id = s.partner_id OR (later.partner_id IS NULL AND s.partner_id IS NULL))
        AND later.seq > e.seq)
FROM {users} u
LEFT JOIN consents_consentsubject cs ON cs.user_id = u.id
LEFT JOIN consents_consentstate s
    ON s.subject_id = u.id AND s.purpose_id = %s AND (s.partner_id IS NULL OR s.partner_id = %s)
LEFT JOIN consents_consentevent e ON e.id = s.event_id
LEFT JOIN consents_policyversion pv ON pv.id = s.policy_version_id
WHERE {ids}
"""


def subjects_with_states(
    *, subject_ids: Sequence[int], purpose: Purpose, partner: Partner | None = None
) -> dict[int, SubjectStates]:
    """The accounts among ``subject_ids`` (active or not) with their states for ``purpose`` and ``partner``.

    Ids that are no account are absent. One query.
    """
    if not subject_ids:
        return {}
    users = connection.ops.quote_name(get_user_model()._meta.db_table)
    if connection.vendor == "postgresql":
        # One array parameter: a thousand placeholders cost more to bind and plan than to answer.
        sql, ids = _SQL.format(users=users, ids="u.id = ANY(%s)"), [list(subject_ids)]
    else:
        sql, ids = _SQL.format(users=users, ids=f"u.id IN ({', '.join(['%s'] * len(subject_ids))})"), list(subject_ids)
    # Prepared on PostgreSQL: planning the joins and the later-event test took longer than answering.
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, [purpose.pk, partner.pk if partner else None, *ids])
        rows = cursor.fetchall()
    found: dict[int, SubjectStates] = {}
    for row in rows:
        person = found.get(row[0])
        if person is None:
            person = found[row[0]] = SubjectStates(is_active=bool(row[1]), is_minor=bool(row[2]))
        if row[4] is None or row[10] is None:
            # No state; or a state whose event is gone, which ``states_with_ledger``'s inner join never reads.
            continue
        event = EventRow(*row[10:18])
        person.states[row[5]] = StateRow(
            pk=row[4],
            subject_id=row[0],
            purpose_id=purpose.pk,
            partner_id=row[5],
            granted=bool(row[6]),
            purpose_version=row[7],
            policy_version_id=row[8],
            by_guardian=bool(row[9]),
            event=event,
            chain_ref=row[3],
            superseded=bool(row[19]),
            policy_version=PolicyLabel(row[18]) if row[18] is not None else None,
        )
    return found
