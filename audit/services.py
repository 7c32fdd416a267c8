"""Writing to the audit log.

Callers record the event inside the same ``transaction.atomic()`` as the
change it describes, so an event exists exactly when the change does.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router, transaction
from django.utils import timezone

from core.hash_chain import chain_link
from core.logging import contains_personal_data

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


def _head_row_locked(connection, partition: int):
    # Plain SQL: building this query through the ORM cost as much CPU as the rest of the
    # record, and with eight writers on two cores CPU is what the log runs out of first.
    if connection.vendor != "postgresql":
        heads = AuditChainHead.objects.using(connection.alias).select_for_update()
        return heads.filter(partition=partition).values_list("id", "last_seq", "last_hash").first()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("id", "last_seq", "last_hash"))
    table = quote(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE {quote('partition')} = %s FOR UPDATE",  # noqa: S608 - quoted names
            [partition],
        )
        return cursor.fetchone()


def _insert_and_advance(event: AuditEvent, *, head: _Head) -> None:
    """Insert ``event`` and move ``head`` to it: on PostgreSQL in one statement.

    Every round trip made while the head is locked is time the partition's
    other writers wait, so the row and the head go in one statement (a
    data-modifying CTE); other databases take two.
    """
    connection = connections[router.db_for_write(AuditEvent)]
    if connection.vendor != "postgresql":
        event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=head.id).update(last_seq=event.seq, last_hash=event.hash)
        return
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_and_advance_sql(connection), [*values, event.seq, event.hash, head.id])
        (event.pk,) = cursor.fetchone()
    event._state.adding = False
    event._state.db = connection.alias


def _insert_and_advance_sql(connection) -> str:
    quote = connection.ops.quote_name
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    pk = quote(AuditEvent._meta.pk.column)
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Names come from the models' metadata, quoted; every value is a parameter.
    insert = f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) VALUES ({placeholders}) RETURNING {pk}"  # noqa: S608
    advance = f"UPDATE {quote(AuditChainHead._meta.db_table)} SET {quote('last_seq')} = %s, {quote('last_hash')} = %s"  # noqa: S608
    return f"WITH event AS ({insert}), head AS ({advance} WHERE {quote('id')} = %s) SELECT {pk} FROM event"  # noqa: S608


def chain_verification_record(
    *, chain: str, ok: bool, checked: int, problem: str = "", partitions: int = 0, full: bool = True
) -> ChainVerification:
    """Keep the outcome of a verification of ``chain`` (``ChainVerification.Chain``); the problem is cut to fit."""
    return ChainVerification.objects.create(
        chain=chain, ok=ok, checked=checked, problem=problem[:500], partitions=partitions, full=full
    )
