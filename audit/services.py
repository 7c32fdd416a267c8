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

from .hashing import event_content
from .models import AuditChainHead, AuditEvent, ChainVerification

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
    object acted on. ``details`` must not contain personal values.
    """
    details = dict(details or {})
    _check_details(details)
    target_type, target_id = _target_parts(target)
    actor_id = getattr(actor, "pk", None)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        created_at = timezone.now()
        link = chain_link(
            head,
            event_content(
                created_at=created_at,
                actor_id=actor_id,
                action=action,
                target_type=target_type,
                target_id=target_id,
                details=details,
            ),
        )
        event = AuditEvent.objects.create(
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


def chain_verification_record(*, chain: str, ok: bool, checked: int, problem: str = "") -> ChainVerification:
    """Keep the outcome of a verification of ``chain`` (``ChainVerification.Chain``); the problem is cut to fit."""
    return ChainVerification.objects.create(chain=chain, ok=ok, checked=checked, problem=problem[:500])
