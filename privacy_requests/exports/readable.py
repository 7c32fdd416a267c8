"""Exported values as a person reads them in ``summary.html``: words for codes, local dates, lists for nested data.

Only the summary uses this; the JSON and CSV files keep the codes and ISO
dates, so that programs can read them. Everything returned is HTML with
every value escaped.
"""

import json
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from html import escape

from django.utils import formats, timezone
from django.utils.translation import get_language, gettext

from personal_data.fields import ExportField, Kind, Words, resolve

NOTHING = "—"


@lru_cache(maxsize=2048)
def _day(value: date, language: str | None) -> str:
    # Cached per day and language: a long history has thousands of rows a day, and the
    # localised format is by far the dearest part of a row.
    return formats.date_format(value, "DATE_FORMAT")


def _when(value: datetime) -> str:
    # In the portal's time zone (Asia/Shanghai), to the minute: seconds and microseconds help nobody here.
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{_day(local.date(), get_language())} {local:%H:%M}"


def _scalar(value, declared: ExportField | None = None) -> str:
    """Plain text (not yet escaped) for one value that is not a list or a mapping."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(value, date):
        return _day(value, get_language())
    if declared is not None and declared.choices:
        return str(declared.choice_label(value))
    return str(value)


def _items(entries: list[str]) -> str:
    if not entries:
        return NOTHING
    return '<ul class="values">' + "".join(f"<li>{entry}</li>" for entry in entries) + "</ul>"


def _coded(value, words: Mapping[str, str]) -> str:
    """A code (or a list of codes) in the words of ``words`` (already escaped); other values as usual."""
    if isinstance(value, list):
        return _items([_coded(item, words) for item in value])
    if isinstance(value, str) and value in words:
        return words[value]
    return _nested(value)


def _label_mark() -> str:
    # Chinese text takes full-width punctuation: "名称：值", not "名称: 值".
    return "：" if _chinese() else ": "


def _part_mark() -> str:
    return "；" if _chinese() else "; "


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def _pairs(mapping: dict, labels=None, value_words: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A mapping as a list of "name: value" lines, each name in words where ``labels`` has them.

    ``value_words`` has, for some names, the words (escaped) for the codes their values hold.
    """
    labels = labels or {}
    value_words = value_words or {}
    return _items(
        [
            f"{escape(str(labels.get(name, name)))}{_label_mark()}"
            + (_coded(value, value_words[name]) if name in value_words else _nested(value))
            for name, value in mapping.items()
        ]
    )


def escaped_words(words: Mapping) -> dict[str, str]:
    return {code: escape(str(label)) for code, label in words.items()}


def _nested(value) -> str:
    if isinstance(value, dict):
        return _pairs(value)
    if isinstance(value, list | tuple):
        return _items([_nested(item) for item in value])
    return escape(_scalar(value))


def _record(record: dict, items: tuple[ExportField, ...]) -> str:
    declared = {item.code: item for item in items}
    parts = []
    for code, value in record.items():
        item = declared.get(code)
        label = str(item.label) if item is not None else code
        parts.append(f"{escape(label)}{_label_mark()}{readable_html(value, item)}")
    return _part_mark().join(parts)


def readable_html(value, declared: ExportField | None, *, value_words=None) -> str:
    """``value`` as escaped HTML for a summary cell, read through its field declaration.

    ``value_words`` are the escaped words for an encoded mapping's values, when the caller has
    looked them up already (``Column`` does, once per export); otherwise they are looked up here.
    """
    kind = declared.kind if declared is not None else None
    if kind == Kind.ENCODED_MAPPING and isinstance(value, str) and value:
        try:
            decoded = json.loads(value)
        except ValueError:
            return escape(value)
        if not decoded:
            return NOTHING
        if isinstance(decoded, dict):
            if value_words is None and declared is not None:
                value_words = {key: escaped_words(resolve(words)) for key, words in declared.value_choices.items()}
            return _pairs(decoded, getattr(value, "labels", None), value_words)
        value = decoded
    if kind == Kind.RECORD_LIST and isinstance(value, list) and declared is not None:
        return _items([_record(record, declared.items) for record in value if isinstance(record, dict)])
    if isinstance(value, dict | list | tuple):
        return _nested(value)
    return escape(_scalar(value, declared))


def _looked_up(words: Words, lookups: dict) -> Mapping:
    """``words`` resolved, a function called at most once per ``lookups`` (one export)."""
    if not callable(words):
        return words
    if words not in lookups:
        lookups[words] = words()
    return lookups[words]


class Column:
    """One column of a category in the summary, its label and words looked up once per export.

    The summary writes a cell per field per row, tens of thousands for a long
    history: translating a label or a code again for each cell made the build
    several times slower than the JSON and CSV together. Words that are looked
    up (purposes, partners: one query each) go through ``lookups``, one dict per
    export shared by every column, so each is looked up once however many
    categories show it.
    """

    def __init__(self, code: str, declared: ExportField | None, lookups: dict | None = None):
        self.code = code
        self.declared = declared
        self.label = escape(str(declared.label) if declared is not None else code)
        self.kind = declared.kind if declared is not None else None
        lookups = {} if lookups is None else lookups
        self.words = escaped_words(_looked_up(declared.choices, lookups)) if declared else {}
        self.value_words = (
            {key: escaped_words(_looked_up(words, lookups)) for key, words in declared.value_choices.items()}
            if declared
            else {}
        )
        self.separator = declared.separator if declared else ""
        self.display = declared.display if declared else None
        self.shown: dict[str, str] = {}
        self.yes, self.no = escape(gettext("Yes")), escape(gettext("No"))
        self.language = get_language()
        self.zone = timezone.get_current_timezone()

    def html(self, value) -> str:
        if value is None or value == "":
            return NOTHING
        if value is True:
            return self.yes
        if value is False:
            return self.no
        if self.words and isinstance(value, str | int) and value in self.words:
            return self.words[value]
        if type(value) is str:
            if self.separator:
                return _items([self.words.get(part, escape(part)) for part in value.split(self.separator)])
            if self.display is not None:
                # The same few values (browsers) come back row after row: each is worded once.
                shown = self.shown.get(value)
                if shown is None:
                    shown = self.shown[value] = escape(self.display(value))
                return shown
            return escape(value)
        if type(value) is int:
            return str(value)
        if isinstance(value, datetime) and timezone.is_aware(value):
            local = value.astimezone(self.zone)
            return escape(f"{_day(local.date(), self.language)} {local:%H:%M}")
        if isinstance(value, list) and self.words:
            return _coded(value, self.words)
        return readable_html(value, self.declared, value_words=self.value_words)
