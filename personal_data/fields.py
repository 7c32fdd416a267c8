"""What each column of an exported category means: its label, its type, and the words for its codes.

Each app declares the fields of its categories next to its exporter (in its
``personal_data.py``), from the helpers below. The export uses them three
ways: the readable summary shows ``label`` and the choice labels instead of
the codes, the JSON Schema of each category (``personal_data.schemas``) is
generated from ``kind``, and a test runs every exporter and fails when a
row carries a key no field declares, so a column cannot reach a person
without words for it.
"""

from collections.abc import Callable, Iterable, Mapping
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


# Words for the codes of a column: a mapping, or a function returning one, for codes whose words live in the
# database or in a registry filled at start-up (purposes, partners, notification kinds). The summary calls the
# function once per export, in the reader's language, never once per row.
Words = Mapping | Callable[[], Mapping]


def resolve(words: Words) -> Mapping:
    return words() if callable(words) else words


@dataclass(frozen=True)
class ExportField:
    code: str
    label: object
    kind: Kind = Kind.TEXT
    # Code -> words, for a column holding codes (a state, a channel); codes not listed are shown as they are.
    # For a list of codes, each one.
    choices: Words = field(default_factory=dict)
    # The fields of each record, for a list of records.
    items: tuple["ExportField", ...] = ()
    # Several codes in one text, joined by this (the JSON keeps the text); the summary lists each in words.
    separator: str = ""
    # For an encoded mapping: the words for the values under some of its keys (key -> words, as ``choices``).
    value_choices: Mapping[str, Words] = field(default_factory=dict)
    # How the summary shows a value that is not a code but is unreadable as stored (a user-agent header).
    display: Callable[[str], str] | None = None
    # False for a code column whose words another column already shows (a purpose's code beside its name):
    # the JSON and CSV keep it, the summary leaves it out.
    in_summary: bool = True

    @property
    def fixed_choices(self) -> Mapping:
        """The words of a fixed vocabulary (a state, a channel); empty for codes that are looked up."""
        return {} if callable(self.choices) else self.choices

    def words(self) -> Mapping:
        """Code -> words now, in the active language; may query the database (call it once per export)."""
        return resolve(self.choices)

    def choice_label(self, value) -> object:
        return self.words().get(value, value)


def _words(choices: Iterable[tuple] | Words) -> Words:
    return choices if callable(choices) else dict(choices)


def text(
    code: str,
    label,
    *,
    choices: Iterable[tuple] | Words = (),
    separator: str = "",
    display: Callable[[str], str] | None = None,
    in_summary: bool = True,
) -> ExportField:
    return ExportField(
        code, label, Kind.TEXT, _words(choices), separator=separator, display=display, in_summary=in_summary
    )


def number(code: str, label, *, choices: Iterable[tuple] | Mapping = ()) -> ExportField:
    return ExportField(code, label, Kind.INTEGER, dict(choices))


def flag(code: str, label) -> ExportField:
    return ExportField(code, label, Kind.BOOLEAN)


def moment(code: str, label) -> ExportField:
    """A date and time; None when it has not happened (yet)."""
    return ExportField(code, label, Kind.DATETIME)


def day(code: str, label) -> ExportField:
    return ExportField(code, label, Kind.DATE)


def texts(code: str, label, *, choices: Iterable[tuple] | Words = ()) -> ExportField:
    return ExportField(code, label, Kind.TEXT_LIST, _words(choices))


def records(code: str, label, *items: ExportField) -> ExportField:
    return ExportField(code, label, Kind.RECORD_LIST, items=items)


def mapping(code: str, label) -> ExportField:
    return ExportField(code, label, Kind.MAPPING)


def encoded_mapping(code: str, label, *, value_choices: Mapping[str, Words] | None = None) -> ExportField:
    """A mapping kept as JSON text (a request's details, a service's answers); see ``LabelledJSON``."""
    return ExportField(code, label, Kind.ENCODED_MAPPING, value_choices=value_choices or {})


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
