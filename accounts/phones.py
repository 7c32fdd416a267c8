"""The mobile number as a sign-in identifier.

allauth's phone support stores numbers through the account adapter; the
adapter calls these functions. Numbers are kept in one form, the 11 digits
``clean_mobile`` returns, encrypted in ``User.phone`` with a keyed hash in
``User.phone_hash`` to find the account by it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record
from core.encryption import blind_index

from .models import User
from .validators import clean_mobile


def phone_normalise(value: str) -> str | None:
    """The 11-digit form of a mainland mobile number, or None if it is not one."""
    try:
        return clean_mobile(value)
    except ValidationError:
        return None


def phone_lookup_key(value: str) -> str:
    """A key for caches and rate limits that names the number without holding it."""
    phone = phone_normalise(value)
    return blind_index(phone) if phone else ""


def user_by_phone(*, phone: str) -> User | None:
    """The account holding ``phone``, confirmed or not (a number belongs to one account)."""
    normalised = phone_normalise(phone)
    if normalised is None:
        return None
    return User.objects.filter(phone_hash=blind_index(normalised)).first()


def user_phone(*, user: User) -> tuple[str, bool] | None:
    if not user.phone:
        return None
    return user.phone, user.phone_verified


def phone_may_sign_in(*, user: User) -> bool:
    """Only a number confirmed by a text-message code signs in.

    Anyone can type a number into a profile; signing in with it before the
    owner of the phone confirmed it would make it an identifier nobody checked.
    """
    return bool(user.phone) and user.phone_verified


def user_phone_set(*, user: User, phone: str, verified: bool) -> None:
    """Store ``phone`` as the person's mobile number (raises ValidationError if it is not one)."""
    normalised = clean_mobile(phone)
    with transaction.atomic():
        user.phone = normalised
        user.phone_hash = blind_index(normalised)
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_hash", "phone_verified"])
        audit_record(actor=user, action="account.phone_set", target=user, details={"verified": verified})
