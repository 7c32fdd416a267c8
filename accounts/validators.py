"""Validators for identity data: checksums from python-stdnum plus our own rules.

Each ``clean_*`` function returns the normalised value or raises a
``ValidationError`` whose message names the field in the person's language.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

OLDEST_PLAUSIBLE_AGE = 120
MINOR_AGE = 14

_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _today() -> date:
    return timezone.localdate()


def age_on(birth_date: date, today: date | None = None) -> int:
    today = today or _today()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def clean_id_number(value: str) -> str:
    """A mainland resident ID number: 18 characters, GB 11643 checksum, plausible birth date."""
    # People paste numbers with spaces or dashes between the groups.
    compact = re.sub(r"[\s-]", "", value or "").upper()
    try:
        ric.validate(compact)
    except StdnumError:
        raise ValidationError(
            _("The resident ID number is not valid: check its 18 characters."), code="invalid_id_number"
        ) from None
    birth_date = ric.get_birth_date(compact)
    if birth_date > _today():
        raise ValidationError(_("The resident ID number gives a date of birth in the future."), code="future_birth")
    if age_on(birth_date) > OLDEST_PLAUSIBLE_AGE:
        raise ValidationError(_("The resident ID number gives an implausible date of birth."), code="implausible_birth")
    return compact


def id_number_birth_date(value: str) -> date:
    return ric.get_birth_date(ric.compact(value))


def is_minor(birth_date: date, today: date | None = None) -> bool:
    return age_on(birth_date, today) < MINOR_AGE


def clean_mobile(value: str) -> str:
    """A mainland mobile number; ``+86``, spaces and dashes are accepted and dropped."""
    digits = re.sub(r"[\s-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _MAINLAND_MOBILE.match(digits):
        raise ValidationError(
            _("The mobile number is not valid: enter an 11-digit mainland number starting with 1."),
            code="invalid_mobile",
        )
    return digits


def clean_bank_card(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value or "")
    if not digits.isdigit() or not 12 <= len(digits) <= 19 or not luhn.is_valid(digits):
        raise ValidationError(_("The bank card number is not valid: check the digits."), code="invalid_bank_card")
    return digits


def clean_uscc(value: str) -> str:
    """A Unified Social Credit Code: 18 characters, GB 32100 checksum."""
    try:
        return uscc.validate(value or "")
    except StdnumError:
        raise ValidationError(
            _("The Unified Social Credit Code is not valid: check its 18 characters."), code="invalid_uscc"
        ) from None


def validate_id_number(value: str) -> None:
    clean_id_number(value)


def validate_mobile(value: str) -> None:
    clean_mobile(value)


def validate_bank_card(value: str) -> None:
    clean_bank_card(value)


def validate_uscc(value: str) -> None:
    clean_uscc(value)
