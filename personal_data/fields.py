"""What each column of an exported category means: its label, its type, and the words for its codes.

Each app declares the fields of its categories next to its exporter (in its
``personal_data.py``), from the helpers below. The export uses them three
ways: the readable summary shows ``label`` and the choice labels instead of
the codes, the JSON Schema of each category (``personal_data.schemas``) is
generated from ``kind``, and a test runs every exporter and fails when a
row carries a key no field declares, so a column cannot reach a person
without words for it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    DATE = "date"
    TEXT_LIST = "text_list"
    RECORD_LIST = "record_list"
    MAPPING = "mapping"
    # A mapping stored as JSON text; the JSON file keeps the text, the summary shows the mapping.
    ENCODED_MAPPING = "encoded_mapping"


@dataclass(frozen=True)
class ExportField:
    code: str
    label: object
    kind: Kind = Kind.TEXT
    # Code -> words, for a column holding codes (a state, a channel); codes not listed are shown as they are.
    choices: Mapping = field(default_factory=dict)
    # The fields of each record, for a list of records.
    items: tuple["ExportField", ...] = ()

    def choice_label(self, value) -> object:
        return self.choices.get(value, value)


def text(code: str, label, *, choices: Iterable[tuple] | Mapping = ()) -> ExportField:
    return ExportField(code, label, Kind.TEXT, dict(choices))


def number(code: str, label, *, choices: Iterable[tuple] | Mapping = ()) -> ExportField:
    return ExportField(code, label, Kind.INTEGER, dict(choices))


def flag(code: str, label) -> ExportField:
    return ExportField(code, label, Kind.BOOLEAN)


def moment(code: str, label) -> ExportField:
    """A date and time; None when it has not happened (yet)."""
    return ExportField(code, label, Kind.DATETIME)


def day(code: str, label) -> ExportField:
    return ExportField(code, label, Kind.DATE)


def texts(code: str, label) -> ExportField:
    return ExportField(code, label, Kind.TEXT_LIST)


def records(code: str, label, *items: ExportField) -> ExportField:
    return ExportField(code, label, Kind.RECORD_LIST, items=items)


def mapping(code: str, label) -> ExportField:
    return ExportField(code, label, Kind.MAPPING)


def encoded_mapping(code: str, label) -> ExportField:
    """A mapping kept as JSON text (a request's details, a service's answers); see ``LabelledJSON``."""
    return ExportField(code, label, Kind.ENCODED_MAPPING)


class LabelledJSON(str):
    """JSON text that also carries the words for its keys, when the keys are another form's field names.

    The JSON and CSV files get the text unchanged (it is a ``str``); the summary
    shows each key by its label. An optional service's form, for instance,
    declares its own fields, so only its exporter knows what they are called.
    """

    labels: Mapping

    def __new__(cls, value: str, labels: Mapping):
        text = super().__new__(cls, value)
        text.labels = labels
        return text


# Who did something, in the timelines: the rows say "you", "staff" or "system".
WHO = {
    "you": _("You"),
    "staff": _("Staff"),
    "system": _("The portal (automatically)"),
    "guardian": _("Your guardian"),
    "someone else": _("Someone else"),
}
