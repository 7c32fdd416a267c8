"""Creating and editing purposes and partners: what may change, and what a change does to consents.

A consent covers a purpose as it was when given. Narrowing a purpose (less
data, fewer partners) or a partner (fewer purposes, less data) keeps every
consent valid, so it applies at once. Widening goes through
``purpose_widen`` / ``partner_widen``, which raise the purpose's version so
that older consents stop covering it and each person is asked again. The
code is what the ledger and other services refer to, and the version moves
only by widening: neither is edited here. Every change is audited in its
transaction, with codes and field names only.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record

from .models import DataCategory, Partner, Purpose
from .services import partner_widen, purpose_widen

PURPOSE_FIELDS = (
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "kind",
    "sensitive",
    "legal_basis",
    "active",
    "display_order",
)
PARTNER_FIELDS = ("name_zh", "name_en", "kind", "agreement_reference", "agreement_expires_on")


def _fields_check(fields: Mapping[str, Any], *, editable: tuple[str, ...]) -> None:
    fixed = sorted(set(fields) - set(editable))
    if fixed:
        raise ValidationError(
            _("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(fixed)}, code="not_editable"
        )


def _fields_apply(instance, fields: Mapping[str, Any]) -> list[str]:
    """Set ``fields`` on ``instance``; return the names whose value changed."""
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return sorted(changed)


def _codes(objects: Iterable) -> list[str]:
    return sorted(obj.code for obj in objects)


def _by_pk(objects: Iterable) -> list:
    return sorted(objects, key=lambda obj: obj.pk)


# -- Purposes ------------------------------------------------------------------------------------


def purpose_create(
    *,
    actor,
    code: str,
    fields: Mapping[str, Any],
    data_categories: Iterable[DataCategory] = (),
    partners: Iterable[Partner] = (),
) -> Purpose:
    """Add a purpose with its data and partners; nobody has consented to it yet, so nothing is widened."""
    _fields_check(fields, editable=PURPOSE_FIELDS)
    data_categories, partners = _by_pk(set(data_categories)), _by_pk(set(partners))
    with transaction.atomic():
        purpose = Purpose(code=code, **fields)
        purpose.full_clean()
        purpose.save()
        purpose.data_categories.set(data_categories)
        for partner in partners:
            partner.purposes.add(purpose)
        audit_record(
            actor=actor,
            action="consent.purpose_created",
            target=purpose,
            details={
                "code": purpose.code,
                "data_categories": _codes(data_categories),
                "partners": _codes(partners),
            },
        )
    return purpose


def purpose_update(
    *,
    purpose: Purpose,
    actor,
    fields: Mapping[str, Any],
    data_categories: Iterable[DataCategory] | None = None,
    partners: Iterable[Partner] | None = None,
) -> Purpose:
    """Change a purpose: ``fields`` from ``PURPOSE_FIELDS``, and its data and partners (None: unchanged).

    What is taken away goes at once; what is added widens the purpose
    (``purpose_widen``: a new version). Returns the purpose as stored.
    """
    _fields_check(fields, editable=PURPOSE_FIELDS)
    with transaction.atomic():
        locked = Purpose.objects.select_for_update().get(pk=purpose.pk)
        changed = _fields_apply(locked, fields)
        if changed:
            locked.full_clean()
            locked.save(update_fields=changed)
        current_categories = set(locked.data_categories.all())
        current_partners = set(locked.partners.all())
        wanted_categories = current_categories if data_categories is None else set(data_categories)
        wanted_partners = current_partners if partners is None else set(partners)
        dropped_categories = _by_pk(current_categories - wanted_categories)
        dropped_partners = _by_pk(current_partners - wanted_partners)
        if dropped_categories:
            locked.data_categories.remove(*dropped_categories)
        for partner in dropped_partners:
            partner.purposes.remove(locked)
        if changed or dropped_categories or dropped_partners:
            audit_record(
                actor=actor,
                action="consent.purpose_updated",
                target=locked,
                details={
                    "fields": changed,
                    "data_categories_removed": _codes(dropped_categories),
                    "partners_removed": _codes(dropped_partners),
                },
            )
        added_categories = _by_pk(wanted_categories - current_categories)
        added_partners = _by_pk(wanted_partners - current_partners)
        if added_categories or added_partners:
            locked = purpose_widen(
                purpose=locked, actor=actor, data_categories=added_categories, partners=added_partners
            )
    return locked


# -- Partners ------------------------------------------------------------------------------------


def partner_create(
    *,
    actor,
    code: str,
    fields: Mapping[str, Any],
    purposes: Iterable[Purpose] = (),
    data_categories: Iterable[DataCategory] = (),
) -> Partner:
    """Add a partner; each purpose it serves is wider than the consents given to it before."""
    _fields_check(fields, editable=PARTNER_FIELDS)
    purposes, data_categories = _by_pk(set(purposes)), _by_pk(set(data_categories))
    with transaction.atomic():
        partner = Partner(code=code, **fields)
        partner.full_clean()
        partner.save()
        partner.data_categories.set(data_categories)
        audit_record(
            actor=actor,
            action="consent.partner_created",
            target=partner,
            details={"code": partner.code, "data_categories": _codes(data_categories)},
        )
        for purpose in purposes:
            purpose_widen(purpose=purpose, actor=actor, partners=[partner])
    return partner


def partner_update(
    *,
    partner: Partner,
    actor,
    fields: Mapping[str, Any],
    purposes: Iterable[Purpose] | None = None,
    data_categories: Iterable[DataCategory] | None = None,
) -> Partner:
    """Change a partner: ``fields`` from ``PARTNER_FIELDS``, its purposes and data (None: unchanged).

    Unlinking a purpose or sending less data applies at once; linking a
    purpose or sending more data widens the purposes concerned.
    """
    _fields_check(fields, editable=PARTNER_FIELDS)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        changed = _fields_apply(locked, fields)
        if changed:
            locked.full_clean()
            locked.save(update_fields=changed)
        current_purposes = set(locked.purposes.all())
        current_categories = set(locked.data_categories.all())
        wanted_purposes = current_purposes if purposes is None else set(purposes)
        wanted_categories = current_categories if data_categories is None else set(data_categories)
        dropped_purposes = _by_pk(current_purposes - wanted_purposes)
        dropped_categories = _by_pk(current_categories - wanted_categories)
        if dropped_purposes:
            locked.purposes.remove(*dropped_purposes)
        if dropped_categories:
            locked.data_categories.remove(*dropped_categories)
        if changed or dropped_purposes or dropped_categories:
            audit_record(
                actor=actor,
                action="consent.partner_updated",
                target=locked,
                details={
                    "fields": changed,
                    "purposes_removed": _codes(dropped_purposes),
                    "data_categories_removed": _codes(dropped_categories),
                },
            )
        for purpose in _by_pk(wanted_purposes - current_purposes):
            purpose_widen(purpose=purpose, actor=actor, partners=[locked])
        partner_widen(partner=locked, data_categories=_by_pk(wanted_categories - current_categories), actor=actor)
    return locked
