"""Writes for retention: changing a retention rule, audited, privacy officers only.

Legal holds are placed and lifted in ``personal_data.services``.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.services import audit_record

from .models import RetentionRule

CHANGE_PERMISSION = "retention.change_retentionrule"
RULE_UPDATED = "retention.rule_updated"

# What an officer may change on a rule; the rest (id, updated_at) is the database's.
EDITABLE_FIELDS = (
    "code",
    "category",
    "description",
    "active",
    "model",
    "event",
    "date_field",
    "filters",
    "condition",
    "person_field",
    "period_days",
    "action",
    "anonymise_fields",
)


def retention_rule_update(*, actor, rule: RetentionRule, changes: Mapping[str, Any]) -> RetentionRule:
    """Change some of a rule's fields and audit which, with the period before and after.

    The rule is checked whole before it is saved (``full_clean``: field
    limits, a unique code, and ``rule_problems``, so the sweep can run it),
    because a rule that names a missing field or a negative period would
    fail, or delete the wrong rows, at night with nobody watching.
    """
    if not actor.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable on a retention rule: {sorted(unknown)}")
    with transaction.atomic():
        current = RetentionRule.objects.select_for_update().get(pk=rule.pk)
        before = {name: getattr(current, name) for name in changes}
        for name, value in changes.items():
            setattr(current, name, value)
        current.full_clean()
        changed = [name for name in EDITABLE_FIELDS if name in changes and getattr(current, name) != before[name]]
        if not changed:
            return current
        current.save(update_fields=[*changed, "updated_at"])
        details: dict[str, Any] = {"code": current.code, "fields": changed}
        if "period_days" in changed:
            details["period_days"] = {"from": before["period_days"], "to": current.period_days}
        audit_record(actor=actor, action=RULE_UPDATED, target=current, details=details)
    return current
