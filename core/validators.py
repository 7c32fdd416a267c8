"""Text rules shared by every form and service that takes a name, an address or a number."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def refuse_invisible_controls(value: str) -> str:
    """Refuse control and format characters: text-direction overrides (U+202A–202E, U+2066–2069), NUL, zero-width.

    A right-to-left override makes "Zhang 6222…" display as something else
    to the staff member who reads it, and a NUL cannot be stored in
    PostgreSQL text; neither belongs in a name, an address or a number.
    """
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in value):
        raise ValidationError(_("Remove the control characters from this field."), code="control_characters")
    return value
