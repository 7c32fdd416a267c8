"""Writing to the audit log.

Callers record the event inside the same ``transaction.atomic()`` as the
change it describes, so an event exists exactly when the change does.
"""

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from core.hash_chain import chain_advance, chain_link
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
    with transaction.atomic():
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
        event = AuditEvent.objects.create(
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
        chain_advance(head, link)
    return event


def _head_locked(partition: int) -> AuditChainHead:
    """The partition's head row, locked; created on the partition's first event."""
    heads = AuditChainHead.objects.select_for_update()
    try:
        return heads.get(partition=partition)
    except AuditChainHead.DoesNotExist:
        # Two first writers may race: ON CONFLICT DO NOTHING lets the loser lock the winner's row.
        AuditChainHead.objects.bulk_create([AuditChainHead(partition=partition)], ignore_conflicts=True)
        return heads.get(partition=partition)


def chain_verification_record(
    *, chain: str, ok: bool, checked: int, problem: str = "", partitions: int = 0, full: bool = True
) -> ChainVerification:
    """Keep the outcome of a verification of ``chain`` (``ChainVerification.Chain``); the problem is cut to fit."""
    return ChainVerification.objects.create(
        chain=chain, ok=ok, checked=checked, problem=problem[:500], partitions=partitions, full=full
    )
