"""Writing to the audit log.

Callers record the event inside the same ``transaction.atomic()`` as the
change it describes, so an event exists exactly when the change does.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router, transaction
from django.utils import timezone

from core.hash_chain import chain_link
from core.logging import contains_personal_data
from core.prepared import prepared_cursor

from .hashing import linked_content
from .models import AuditChainHead, AuditEvent, ChainVerification
from .partitions import partition_count, partition_for, partition_key

_SCALARS = (str, int, float, bool, type(None))


class PersonalDataInAuditDetails(ValueError):
    pass


def _check_details(value: Any, path: str = "details") -> None:
    """Refuse values that look like personal data, and anything not JSON-plain."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_details(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_details(item, f"{path}[{index}]")
    elif not isinstance(value, _SCALARS):
        raise TypeError(f"{path}: audit details hold plain JSON values only")
    elif isinstance(value, str) and contains_personal_data(value):
        raise PersonalDataInAuditDetails(f"{path}: audit details must not contain personal data")


def _target_parts(target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    if isinstance(target, tuple) and len(target) == 2:  # ("app.model", id)
        return str(target[0]), str(target[1])
    raise TypeError("target must be a model instance, a (label, id) pair or None")


def audit_record(*, actor, action: str, target=None, details: Mapping[str, Any] | None = None) -> AuditEvent:
    """Append one event to the audit log and return it.

    ``actor`` is the user who acted (None for the system), ``target`` the
    object acted on. ``details`` must not contain personal values. The event
    joins the chain of its partition (``audit.partitions``), whose head stays
    locked until the caller's transaction commits.
    """
    details = dict(details or {})
    _check_details(details)
    target_type, target_id = _target_parts(target)
    actor_id = getattr(actor, "pk", None)
    partition = partition_for(
        partition_key(target_type=target_type, target_id=target_id, actor_id=actor_id, action=action),
        partitions=partition_count(),
    )
    # No savepoint: a failed record must fail the caller's change anyway, and a savepoint would
    # cost two more round trips while the head is locked.
    with transaction.atomic(savepoint=False):
        head = _head_locked(partition)
        created_at = timezone.now()
        link = chain_link(
            head,
            linked_content(
                partition=partition,
                created_at=created_at,
                actor_id=actor_id,
                action=action,
                target_type=target_type,
                target_id=target_id,
                details=details,
            ),
        )
        event = AuditEvent(
            partition=partition,
            seq=link.seq,
            created_at=created_at,
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=details,
            prev_hash=link.prev_hash,
            hash=link.hash,
            key_id=link.key_id,
        )
        _insert_and_advance(event, head=head)
    return event


@dataclass
class _Head:
    """A partition's head as read under its row lock (``core.hash_chain.ChainHead`` without ``save``)."""

    id: int
    last_seq: int
    last_hash: str

    def save(self, *, update_fields: list[str]) -> None:
        raise NotImplementedError("the head is moved together with the insert (_insert_and_advance)")


def _head_locked(partition: int) -> _Head:
    """The partition's head, its row locked; created on the partition's first event."""
    connection = connections[router.db_for_write(AuditChainHead)]
    row = _head_row_locked(connection, partition)
    if row is None:
        # Two first writers may race: ON CONFLICT DO NOTHING lets the loser lock the winner's row.
        AuditChainHead.objects.bulk_create([AuditChainHead(partition=partition)], ignore_conflicts=True)
        row = _head_row_locked(connection, partition)
        if row is None:
            # ignore_conflicts also hides a clash of ids (a head row inserted with an explicit id).
            raise RuntimeError(f"the head row of audit partition {partition} could not be created")
    return _Head(*row)


# The write path on PostgreSQL, as constant SQL: building these statements through the ORM
# cost as much CPU as the rest of the record, and with eight writers on two cores CPU is what
# the log runs out of first. The tables and columns are those of migrations audit.0001-0006.
_HEAD_LOCK_SQL = "SELECT id, last_seq, last_hash FROM audit_auditchainhead WHERE partition = %s FOR UPDATE"
# Every round trip made while the head is locked is time the partition's other writers wait,
# so the row and the head move in one statement (a data-modifying CTE).
_INSERT_AND_ADVANCE_SQL = (
    "WITH event AS (INSERT INTO audit_auditevent (partition, seq, created_at, actor_id, action, target_type,"
    " target_id, details, prev_hash, hash, key_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s)"
    " RETURNING id), head AS (UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE id = %s)"
    " SELECT id FROM event"
)


def _head_row_locked(connection, partition: int):
    if connection.vendor != "postgresql":
        heads = AuditChainHead.objects.using(connection.alias).select_for_update()
        return heads.filter(partition=partition).values_list("id", "last_seq", "last_hash").first()
    with prepared_cursor(connection) as cursor:
        cursor.execute(_HEAD_LOCK_SQL, [partition])
        return cursor.fetchone()


def _insert_and_advance(event: AuditEvent, *, head: _Head) -> None:
    """Insert ``event`` and move ``head`` to it: on PostgreSQL in one statement, elsewhere in two."""
    connection = connections[router.db_for_write(AuditEvent)]
    if connection.vendor != "postgresql":
        event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=head.id).update(last_seq=event.seq, last_hash=event.hash)
        return
    values: list[Any] = [event.partition, event.seq, event.created_at, event.actor_id, event.action, event.target_type,
              event.target_id, json.dumps(event.details), event.prev_hash, event.hash, event.key_id,
              event.seq, event.hash, head.id]  # fmt: skip
    with prepared_cursor(connection) as cursor:
        cursor.execute(_INSERT_AND_ADVANCE_SQL, values)
        (event.pk,) = cursor.fetchone()
    event._state.adding = False
    event._state.db = connection.alias


def chain_verification_record(
    *, chain: str, ok: bool, checked: int, problem: str = "", partitions: int = 0, full: bool = True
) -> ChainVerification:
    """Keep the outcome of a verification of ``chain`` (``ChainVerification.Chain``); the problem is cut to fit."""
    return ChainVerification.objects.create(
        chain=chain, ok=ok, checked=checked, problem=problem[:500], partitions=partitions, full=full
    )
