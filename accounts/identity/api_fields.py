"""The identity API's input fields, described in the OpenAPI schema as the portal checks them.

Each number has a check digit that no JSON Schema pattern can express, so the
schema names a format of its own for it (``cn-resident-id``: GB 11643;
``cn-uscc``: GB 32100; ``bank-card``: Luhn; ``cn-mobile``: a mainland mobile
number), with its characters in the description. A client or a test generator
that knows the format produces values the portal accepts. Values are given
in their plain form here; the portal also accepts spaces and dashes between
groups, as people type them.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .forms import FIELD_MAX_LENGTH

TEXT_DESCRIPTION = "Any text without control or format characters (no NUL, no text-direction overrides)."


def _number(fmt: str, description: str, *, optional: bool) -> dict:
    # No "pattern" beside the format: a generator would then draw from the
    # pattern alone, whose values mostly fail the check digit.
    return {
        "type": "string",
        "format": fmt,
        "description": description + (" An empty string removes the value." if optional else ""),
    }


# The control and format characters of the Basic Multilingual Plane; the format names the rest.
CONTROLS = r"\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"


def _text(max_length: int, *, optional: bool) -> dict:
    return {
        "type": "string",
        "format": "plain-text",
        "maxLength": max_length,
        # Optional: anything without controls. Required: that, and not blank.
        "pattern": f"^[^{CONTROLS}]*$" if optional else f"^[^{CONTROLS}]*[^\\s{CONTROLS}][^{CONTROLS}]*$",
        "description": TEXT_DESCRIPTION + (" An empty string removes the value." if optional else ""),
    }


ID_NUMBER = "A mainland resident ID number: 17 digits and a check digit (0-9 or X, GB 11643)."
MOBILE = "A mainland mobile number: 11 digits starting with 13 to 19."
BANK_CARD = "A bank card number: 12 to 19 digits, the last a Luhn check digit."
USCC = (
    "A Unified Social Credit Code: 18 characters (digits and capitals but I, O, S, V, Z), the last a check (GB 32100)."
)


def _field(schema: dict, **defaults):
    @extend_schema_field(schema)
    class Field(serializers.CharField):
        def __init__(self, **kwargs):
            super().__init__(**{**defaults, **kwargs})

    return Field


IdNumberField = _field(_number("cn-resident-id", ID_NUMBER, optional=False), max_length=FIELD_MAX_LENGTH["id_number"])
NameField = _field(_text(FIELD_MAX_LENGTH["legal_name"], optional=False), max_length=FIELD_MAX_LENGTH["legal_name"])

OPTIONAL = {"required": False, "allow_blank": True}
OptionalIdNumberField = _field(
    _number("cn-resident-id", ID_NUMBER, optional=True), max_length=FIELD_MAX_LENGTH["id_number"], **OPTIONAL
)
OptionalMobileField = _field(
    _number("cn-mobile", MOBILE, optional=True), max_length=FIELD_MAX_LENGTH["phone"], **OPTIONAL
)
OptionalBankCardField = _field(
    _number("bank-card", BANK_CARD, optional=True), max_length=FIELD_MAX_LENGTH["bank_card"], **OPTIONAL
)
OptionalUsccField = _field(_number("cn-uscc", USCC, optional=True), max_length=FIELD_MAX_LENGTH["uscc"], **OPTIONAL)


def optional_text(name: str):
    return _field(_text(FIELD_MAX_LENGTH[name], optional=True), max_length=FIELD_MAX_LENGTH[name], **OPTIONAL)
