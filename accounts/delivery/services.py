"""Deliveries: a citizen asks for a document by post, staff dispatch it and mark it delivered.

Clause 2.4: the recipient's name, mobile number and address serve the
delivery and nothing else, and are kept only until it is done plus the
retention period (the "delivery_addresses" rules blank them). Every change
goes through a function here and is audited in the same transaction, with
ids and statuses only: never a name, a number or an address.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Delivery, DeliveryStatus, User
from accounts.validators import clean_mobile
from audit.services import audit_record
from core.logging import contains_personal_data
from core.validators import refuse_invisible_controls

ITEM_MAX_LENGTH = 100
NAME_MAX_LENGTH = 50
REGION_MAX_LENGTH = 60
STREET_MAX_LENGTH = 200
# (shortest, longest) for each free-text field, after spaces are tidied.
TEXT_LIMITS = {
    "item": (2, ITEM_MAX_LENGTH),
    "recipient_name": (2, NAME_MAX_LENGTH),
    "region": (2, REGION_MAX_LENGTH),
    "street": (4, STREET_MAX_LENGTH),
}
ADDRESS_FIELDS = ("recipient_name", "mobile", "region", "street")

# Which status may follow which, written down once. A delivered or cancelled
# delivery is finished: its retention period is running.
TRANSITIONS: dict[str, frozenset[str]] = {
    DeliveryStatus.REQUESTED: frozenset({DeliveryStatus.DISPATCHED, DeliveryStatus.CANCELLED}),
    DeliveryStatus.DISPATCHED: frozenset({DeliveryStatus.DELIVERED}),
    DeliveryStatus.DELIVERED: frozenset(),
    DeliveryStatus.CANCELLED: frozenset(),
}
STAMPED_AT: dict[str, str] = {
    DeliveryStatus.DISPATCHED: "dispatched_at",
    DeliveryStatus.DELIVERED: "delivered_at",
    DeliveryStatus.CANCELLED: "cancelled_at",
}


class DeliveryTransitionNotAllowed(ValueError):
    """A status change the table does not allow; the message is for the person or the staff member."""

    def __init__(self, message: str, *, code: str = "transition_not_allowed"):
        super().__init__(message)
        self.message = message
        self.code = code


def _clean_text(name: str, value) -> str:
    shortest, longest = TEXT_LIMITS[name]
    text = refuse_invisible_controls(" ".join(str(value or "").split()))
    if len(text) < shortest:
        if not text:
            raise ValidationError(_("This field is required."), code="required")
        raise ValidationError(_("Use at least %(limit)d characters.") % {"limit": shortest}, code="too_short")
    if len(text) > longest:
        raise ValidationError(_("Use at most %(limit)d characters.") % {"limit": longest}, code="too_long")
    return text


def delivery_details_clean(*, item, recipient_name, mobile, region, street) -> dict[str, str]:
    """The details of a delivery, tidied; a ``ValidationError`` naming every field that is wrong.

    ``item`` outlives the address (it is kept for statistics), so it must
    describe the document without personal details.
    """
    raw = {"item": item, "recipient_name": recipient_name, "region": region, "street": street}
    cleaned: dict[str, str] = {}
    errors: dict[str, list[ValidationError]] = {}
    for name, value in raw.items():
        try:
            cleaned[name] = _clean_text(name, value)
        except ValidationError as error:
            errors[name] = [error]
    if "item" in cleaned and contains_personal_data(cleaned["item"]):
        errors["item"] = [
            ValidationError(
                _("Describe the document without personal details (no ID, phone or card numbers)."),
                code="personal_data",
            )
        ]
    try:
        cleaned["mobile"] = clean_mobile(str(mobile or ""))
    except ValidationError as error:
        errors["mobile"] = [error]
    if errors:
        raise ValidationError(errors)
    return cleaned


def delivery_request(*, user: User, item, recipient_name, mobile, region, street) -> Delivery:
    """Ask for a document to be delivered to the address given. Nothing is saved if any field is wrong."""
    details = delivery_details_clean(
        item=item, recipient_name=recipient_name, mobile=mobile, region=region, street=street
    )
    with transaction.atomic():
        delivery = Delivery.objects.create(user=user, **details)
        audit_record(actor=user, action="delivery.requested", target=delivery, details={"subject_user_id": user.pk})
    return delivery


def _not_allowed_message(current: str, wanted: str) -> str:
    if current == DeliveryStatus.CANCELLED:
        return _("This delivery is already cancelled.")
    if wanted == DeliveryStatus.CANCELLED:
        return _("This delivery has already been dispatched, so it can no longer be cancelled.")
    return _("This change is not possible: the delivery's status is “%(status)s”.") % {
        "status": DeliveryStatus(current).label
    }


def _move(*, delivery: Delivery, to: str, actor: User) -> Delivery:
    with transaction.atomic():
        # Locked and read afresh: two staff members (or a citizen cancelling
        # while staff dispatch) cannot both win.
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if to not in TRANSITIONS[locked.status]:
            raise DeliveryTransitionNotAllowed(_not_allowed_message(locked.status, to))
        previous = locked.status
        locked.status = to
        setattr(locked, STAMPED_AT[to], timezone.now())
        locked.save(update_fields=["status", STAMPED_AT[to], "updated_at"])
        audit_record(
            actor=actor,
            action=f"delivery.{to}",
            target=locked,
            details={
                "from": previous,
                "to": to,
                "subject_user_id": locked.user_id,
                "by_staff": actor.pk != locked.user_id,
            },
        )
    return locked


def delivery_cancel(*, delivery: Delivery, actor: User) -> Delivery:
    """Cancel a delivery not yet dispatched; from then its address is kept only for the retention period."""
    return _move(delivery=delivery, to=DeliveryStatus.CANCELLED, actor=actor)


def delivery_dispatch(*, delivery: Delivery, actor: User) -> Delivery:
    """Staff: the document left with the post or courier."""
    return _move(delivery=delivery, to=DeliveryStatus.DISPATCHED, actor=actor)


def delivery_mark_delivered(*, delivery: Delivery, actor: User) -> Delivery:
    """Staff: the document reached the recipient; the 90 days after which the address is blanked start now."""
    return _move(delivery=delivery, to=DeliveryStatus.DELIVERED, actor=actor)


def delivery_addresses_erase(*, user: User) -> int:
    """For an erasure request: blank every recipient detail of the person; cancel what was not yet dispatched.

    Set-based (two updates). Returns how many deliveries were touched. What
    was delivered, the statuses and the dates stay, as they do after retention.
    """
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(user=user, status=DeliveryStatus.REQUESTED).update(
            status=DeliveryStatus.CANCELLED, cancelled_at=now, updated_at=now
        )
        return Delivery.objects.filter(user=user).update(**dict.fromkeys(ADDRESS_FIELDS, ""), updated_at=now)
