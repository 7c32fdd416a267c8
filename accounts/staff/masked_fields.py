"""Which personal fields staff see masked, and may reveal one at a time.

Admin shows these fields only through ``masked_value``; the plaintext
leaves the server only on the reveal page, after a reason was recorded.
"""

from collections.abc import Callable

from django.db import models

from accounts.models import Delivery, IdentityProfile, User
from core.masking import (
    mask_address,
    mask_bank_card,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
)

MASKED_FIELDS: dict[type[models.Model], dict[str, Callable[[str], str]]] = {
    User: {
        "phone": mask_phone,
        "email": mask_email,
    },
    IdentityProfile: {
        "legal_name": mask_name,
        "id_number": mask_id_number,
        "bank_card": mask_bank_card,
        "legal_representative": mask_name,
    },
    # Whoever rings the courier or answers the citizen's call about a parcel.
    Delivery: {
        "recipient_name": mask_name,
        "mobile": mask_phone,
        "region": mask_address,
        "street": mask_address,
    },
}


def is_revealable(model: type[models.Model], field: str) -> bool:
    return field in MASKED_FIELDS.get(model, {})


def masked_value(obj: models.Model, field: str) -> str:
    """The masked form of ``obj.field``; "" when nothing is stored."""
    value = getattr(obj, field) or ""
    if not value:
        return ""
    return MASKED_FIELDS[type(obj)][field](value)


def field_label(model: type[models.Model], field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)
