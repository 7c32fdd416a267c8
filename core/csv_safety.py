"""Turning exported values into text, and CSV cells that a spreadsheet will not run.

A cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some spreadsheets strip before looking) is read as a formula
by Excel, WPS and LibreOffice; a message or a name the person typed could
then run when they open their own export. A leading single quote makes the
spreadsheet show the text as text.
"""

import json
from datetime import date, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def local_time(value: datetime) -> datetime:
    """Aware times in the portal's time zone (Beijing time), offset included, as the person reads them."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


class ExportJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime):
            return local_time(o).isoformat()
        return super().default(o)


def plain_text(value) -> str:
    """The value as a person would read it: empty for nothing, ISO dates, JSON for lists and mappings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return local_time(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, cls=ExportJSONEncoder, ensure_ascii=False)
    return str(value)


def csv_safe(text: str) -> str:
    """``text`` with a leading quote if a spreadsheet would take it for a formula."""
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_cell(value) -> str:
    return csv_safe(plain_text(value))
