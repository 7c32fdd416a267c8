"""JSON Schema (draft 2020-12) of each category's JSON file, generated from its field declarations.

A person taking their data to another service hands it the schema with the
data, so the receiving side knows each column's type without guessing.
Titles are in English whatever the person's language: the schema is for
programs and the people writing them; the summary is for the person.
"""

from django.utils import translation

from .fields import ExportField, Kind
from .registry import PersonalDataCategory

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_TYPES: dict[Kind, dict] = {
    Kind.TEXT: {"type": "string"},
    Kind.INTEGER: {"type": "integer"},
    Kind.BOOLEAN: {"type": "boolean"},
    # Local (Beijing) time with its offset; null when it has not happened.
    Kind.DATETIME: {"type": ["string", "null"], "format": "date-time"},
    Kind.DATE: {"type": ["string", "null"], "format": "date"},
    Kind.TEXT_LIST: {"type": "array", "items": {"type": "string"}},
    Kind.MAPPING: {"type": "object"},
    Kind.ENCODED_MAPPING: {"type": "string", "contentMediaType": "application/json"},
}


def _field_schema(declared: ExportField) -> dict:
    if declared.kind == Kind.RECORD_LIST:
        schema: dict = {"type": "array", "items": _record_schema(declared.items)}
    else:
        schema = dict(_TYPES[declared.kind])
    schema["title"] = str(declared.label)
    if declared.fixed_choices:
        # The codes in use today, with their meaning; not an enum, so an older export stays valid. Codes that
        # are looked up (purposes, partners) are the catalogue's, not a vocabulary of the format.
        schema["description"] = "; ".join(f"{code}: {label}" for code, label in declared.fixed_choices.items())
    return schema


def _record_schema(fields: tuple[ExportField, ...]) -> dict:
    return {
        "type": "object",
        "properties": {declared.code: _field_schema(declared) for declared in fields},
        "required": [declared.code for declared in fields],
        "additionalProperties": False,
    }


def category_schema(category: PersonalDataCategory) -> dict:
    """The schema of ``<code>.json``: an array of records with exactly the declared fields."""
    with translation.override("en"):
        return {
            "$schema": DIALECT,
            "$id": f"schemas/{category.code}.schema.json",
            "title": str(category.label),
            "type": "array",
            "items": _record_schema(category.fields),
        }
