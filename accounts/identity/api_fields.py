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


def _number_field(fmt: str, description: str, name: str, *, optional: bool):
    """A number's field: its length is checked as any field's, but the schema gives only the format.

    A ``maxLength`` beside the format would have generators draw strings of
    that length, which no value of the format has.
    """
    limit = FIELD_MAX_LENGTH[name]

    @extend_schema_field(_number(fmt, description, optional=optional))
    class NumberField(serializers.CharField):
        def __init__(self, **kwargs):
            super().__init__(**{**(OPTIONAL if optional else {}), **kwargs})

        def to_internal_value(self, data):
            value = super().to_internal_value(data)
            if len(value) > limit:
                self.fail("max_length", max_length=limit)
            return value

    return NumberField


OPTIONAL = {"required": False, "allow_blank": True}
IdNumberField = _number_field("cn-resident-id", ID_NUMBER, "id_number", optional=False)
NameField = _field(_text(FIELD_MAX_LENGTH["legal_name"], optional=False), max_length=FIELD_MAX_LENGTH["legal_name"])
OptionalIdNumberField = _number_field("cn-resident-id", ID_NUMBER, "id_number", optional=True)
OptionalMobileField = _number_field("cn-mobile", MOBILE, "phone", optional=True)
OptionalBankCardField = _number_field("bank-card", BANK_CARD, "bank_card", optional=True)
OptionalUsccField = _number_field("cn-uscc", USCC, "uscc", optional=True)


def optional_text(name: str):
    return _field(_text(FIELD_MAX_LENGTH[name], optional=True), max_length=FIELD_MAX_LENGTH[name], **OPTIONAL)
