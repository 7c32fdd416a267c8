"""Writes for legal holds: placing and lifting them, audited, privacy officers only."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.logging import contains_personal_data

from .models import LegalHold

PLACE_PERMISSION = "personal_data.add_legalhold"
LIFT_PERMISSION = "personal_data.change_legalhold"


def legal_hold_problems(*, user, category: str, reason: str, review_date=None) -> dict[str, str]:
    """What is wrong with a hold about to be placed, per field; empty when nothing is."""
    errors = {}
    if review_date is None:
        errors["review_date"] = _("Give a date by which the hold is reviewed.")
    elif review_date < timezone.localdate():
        errors["review_date"] = _("The review date cannot be in the past.")
    if user is None and not (category or "").strip():
        errors["category"] = _("A hold covers a person, a data category, or both: name at least one.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the legal ground for the hold.")
    elif contains_personal_data(reason):
        errors["reason"] = _("The reason must not contain personal data: give the legal ground and a case number.")
    return errors


def legal_hold_place(*, actor, reason: str, review_date: datetime.date, user=None, category: str = "") -> LegalHold:
    """Place a hold on a person, a category, or one category of one person, and audit it."""
    if not actor.has_perm(PLACE_PERMISSION):
        raise PermissionDenied
    reason = (reason or "").strip()
    category = (category or "").strip()
    errors = legal_hold_problems(user=user, category=category, reason=reason, review_date=review_date)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        hold = LegalHold.objects.create(
            user=user, category=category, reason=reason, review_date=review_date, placed_by=actor
        )
        # The action keeps the name it had when holds lived in the retention app: auditors filter on it.
        audit_record(
            actor=actor,
            action="retention.legal_hold_placed",
            target=hold,
            details={
                "user_id": getattr(user, "pk", None),
                "category": category,
                "review_date": review_date.isoformat(),
            },
        )
    return hold


def legal_hold_lift(*, actor, hold: LegalHold) -> LegalHold:
    """Lift an active hold (the row stays, as the record that it existed). Lifting twice does nothing more."""
    if not actor.has_perm(LIFT_PERMISSION):
        raise PermissionDenied
    with transaction.atomic():
        now = timezone.now()
        updated = LegalHold.objects.filter(pk=hold.pk, lifted_at__isnull=True).update(lifted_at=now, lifted_by=actor)
        if updated:
            audit_record(
                actor=actor,
                action="retention.legal_hold_lifted",
                target=hold,
                details={"user_id": hold.user_id, "category": hold.category},
            )
    hold.refresh_from_db()
    return hold
