"""The register of processing (clause 7.2), generated from the data: one row per active purpose.

Four queries whatever the size of the catalogue: the purposes, their data
categories, their partners, and the active retention rules. Everything
else (which fields are encrypted or masked) is read from the models'
metadata, so the register says what the code does, not what someone wrote.
Texts are in the active language: call it inside the staff member's request.
"""

from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from accounts.staff.masked_fields import MASKED_FIELDS
from consents.models import LegalBasis, Partner, Purpose
from core.encryption import EncryptedTextField

from ..models import RetentionRule
from .holdings import HOLDINGS, Holding

# The events the seeded rules count from, in words; an event typed in admin
# that is not here is shown as typed.
EVENT_LABELS = {
    "created": gettext_lazy("creation"),
    "export link issued": gettext_lazy("issue of the download link"),
    "purpose withdrawn": gettext_lazy("withdrawal of the purpose"),
    "delivery completed": gettext_lazy("completion of the delivery"),
    "delivery cancelled": gettext_lazy("cancellation of the delivery"),
    "read": gettext_lazy("reading"),
    "session expired": gettext_lazy("expiry of the session"),
    "last seen": gettext_lazy("last use"),
    "day counted": gettext_lazy("the day counted"),
}
# What the named conditions (personal_data.retention_conditions) add to a rule.
CONDITION_LABELS = {
    "session_gone": gettext_lazy("only once the sign-in session has ended"),
    "step_up_unused": gettext_lazy("unless a rights request relied on it"),
}


@dataclass(frozen=True)
class CategoryCell:
    code: str
    name: str
    sensitive: bool


@dataclass(frozen=True)
class RecipientCell:
    name: str
    kind: str
    agreement_reference: str
    expires_on: date
    expired: bool

    @property
    def text(self) -> str:
        values = {"name": self.name, "kind": self.kind, "reference": self.agreement_reference}
        values["expires"] = self.expires_on.isoformat()
        if self.expired:
            return _("%(name)s (%(kind)s), agreement %(reference)s EXPIRED on %(expires)s") % values
        return _("%(name)s (%(kind)s), agreement %(reference)s until %(expires)s") % values


@dataclass(frozen=True)
class RetentionCell:
    """What happens to one model's rows: one rule, or ``rule_id`` None for "no rule"."""

    holder: str
    text: str
    rule_id: int | None = None
    rule_code: str = ""


@dataclass(frozen=True)
class RegisterRow:
    purpose_id: int
    code: str
    name: str
    kind: str
    is_basic: bool
    sensitive: bool
    legal_basis: str
    categories: tuple[CategoryCell, ...]
    recipients: tuple[RecipientCell, ...]
    retention: tuple[RetentionCell, ...]
    safeguards: tuple[str, ...]

    @property
    def has_expired_agreement(self) -> bool:
        return any(recipient.expired for recipient in self.recipients)


def _model_or_none(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _own_field(model: type[models.Model], name: str) -> models.Field | None:
    """The model's own field called ``name``; None for a reverse relation or no such field."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _filter_text(model: type[models.Model] | None, filters: dict) -> list[str]:
    """``{"state": "sent"}`` as "state: sent", with the field's and the choice's own (translated) labels."""
    parts = []
    for lookup, value in sorted(filters.items()):
        label, shown = lookup, value
        if model is not None and "__" not in lookup:
            field = _own_field(model, lookup)
            if field is not None:
                label = field.verbose_name
                shown = dict(field.flatchoices).get(value, value)
        parts.append(_("%(field)s: %(value)s") % {"field": label, "value": shown})
    return parts


def _retention_text(rule: RetentionRule, model: type[models.Model] | None, holder: str) -> str:
    """e.g. "location record: deleted 30 days after creation (date field “recorded”)"."""
    event = str(EVENT_LABELS.get(rule.event, rule.event or rule.date_field))
    if rule.action == RetentionRule.Action.ANONYMISE:
        action = pgettext("retention action", "anonymised")
    else:
        action = pgettext("retention action", "deleted")
    values = {"holder": holder, "action": action, "days": rule.period_days, "event": event}
    if rule.period_days:
        text = ngettext(
            "%(holder)s: %(action)s %(days)d day after %(event)s",
            "%(holder)s: %(action)s %(days)d days after %(event)s",
            rule.period_days,
        )
    else:
        text = _("%(holder)s: %(action)s at %(event)s")
    details = []
    date_field = _own_field(model, rule.date_field) if model else None
    field_label = date_field.verbose_name if date_field is not None else rule.date_field
    details.append(_("date field “%(field)s”") % {"field": field_label})
    details.extend(_filter_text(model, rule.filters if isinstance(rule.filters, dict) else {}))
    if rule.condition:
        details.append(str(CONDITION_LABELS.get(rule.condition, rule.condition)))
    return _("%(rule)s (%(details)s)") % {"rule": text % values, "details": "; ".join(details)}


def _no_rule(holder: str) -> RetentionCell:
    return RetentionCell(holder=holder, text=_("%(holder)s: no retention rule") % {"holder": holder})


def _retention_cells(categories, rules_by_model: dict[str, list[RetentionRule]]) -> tuple[RetentionCell, ...]:
    cells: list[RetentionCell] = []
    seen: set[str] = set()
    for category in categories:
        holdings = HOLDINGS.get(category.code)
        if not holdings:
            cells.append(_no_rule(category.name))
            continue
        for holding in holdings:
            if holding.model in seen:
                continue
            seen.add(holding.model)
            model = _model_or_none(holding.model)
            holder = str(model._meta.verbose_name) if model else holding.model
            rules = rules_by_model.get(holding.model, [])
            if not rules:
                cells.append(_no_rule(holder))
            for rule in rules:
                cells.append(
                    RetentionCell(
                        holder=holder, text=_retention_text(rule, model, holder), rule_id=rule.pk, rule_code=rule.code
                    )
                )
    return tuple(cells)


def _fields_of(holding: Holding) -> list[tuple[type[models.Model], models.Field]]:
    model = _model_or_none(holding.model)
    if model is None:
        return []
    if holding.fields:
        named = [(model, _own_field(model, name)) for name in holding.fields]
        return [(model, field) for model, field in named if field is not None]
    return [(model, field) for field in model._meta.concrete_fields]


def _protected_fields(categories) -> tuple[list[str], list[str]]:
    """Names of the fields holding these categories that are encrypted at rest, and that admin masks."""
    encrypted: list[str] = []
    masked: list[str] = []
    for category in categories:
        for holding in HOLDINGS.get(category.code, ()):
            for model, field in _fields_of(holding):
                label = str(field.verbose_name)
                if isinstance(field, EncryptedTextField) and label not in encrypted:
                    encrypted.append(label)
                if field.name in MASKED_FIELDS.get(model, {}) and label not in masked:
                    masked.append(label)
    return encrypted, masked


def _safeguards(purpose: Purpose, categories, partners) -> tuple[str, ...]:
    by_consent = purpose.legal_basis == LegalBasis.CONSENT
    lines = []
    if by_consent:
        # consent_grant refuses a minor's own "yes"; withdrawing never needs a step-up.
        lines.append(_("Consent: withdrawn at any time as easily as given; for a child under 14 the guardian decides."))
    if not purpose.is_basic:
        lines.append(_("Optional: the basic service never depends on it."))
    if purpose.sensitive and by_consent:
        lines.append(_("Sensitive: separate consent, given only after a fresh identity check."))
    if partners and by_consent:
        lines.append(_("Sharing with each partner needs its own consent, after a fresh identity check."))
    if partners:
        lines.append(_("No data to a partner whose agreement has expired: the disclosure ledger refuses it."))
    encrypted, masked = _protected_fields(categories)
    if encrypted:
        lines.append(_("Encrypted at rest: %(fields)s.") % {"fields": ", ".join(encrypted)})
    if masked:
        lines.append(
            _("Masked in staff views; revealing one needs a reason and is audited: %(fields)s.")
            % {"fields": ", ".join(masked)}
        )
    lines.append(_("Staff changes and reveals are written to the tamper-evident audit log."))
    return tuple(lines)


def processing_register_rows(*, today: date | None = None) -> list[RegisterRow]:
    """The register: one row per active purpose, in the catalogue's order."""
    today = today or timezone.localdate()
    purposes = Purpose.objects.filter(active=True).prefetch_related(
        "data_categories",
        Prefetch("partners", queryset=Partner.objects.order_by("code")),
    )
    rules_by_model: dict[str, list[RetentionRule]] = {}
    for rule in RetentionRule.objects.filter(active=True).order_by("code"):
        rules_by_model.setdefault(rule.model.lower(), []).append(rule)

    rows = []
    for purpose in purposes:
        categories = list(purpose.data_categories.all())
        partners = list(purpose.partners.all())
        rows.append(
            RegisterRow(
                purpose_id=purpose.pk,
                code=purpose.code,
                name=purpose.name,
                kind=purpose.get_kind_display(),
                is_basic=purpose.is_basic,
                sensitive=purpose.sensitive,
                legal_basis=purpose.get_legal_basis_display(),
                categories=tuple(CategoryCell(c.code, c.name, c.sensitive) for c in categories),
                recipients=tuple(
                    RecipientCell(
                        name=partner.name,
                        kind=partner.get_kind_display(),
                        agreement_reference=partner.agreement_reference,
                        expires_on=partner.agreement_expires_on,
                        expired=not partner.agreement_in_force(today),
                    )
                    for partner in partners
                ),
                retention=_retention_cells(categories, rules_by_model),
                safeguards=_safeguards(purpose, categories, partners),
            )
        )
    return rows
