"""Log lines as JSON objects, one a line, for log shippers (``LOG_FORMAT=json``).

The fields are the plain format's: time, level, logger, request id, message,
and the exception's traceback when there is one. Anything a caller passed in
``extra`` is kept as further fields. The masking filter has already rewritten
the message; every value is masked once more here, because ``extra`` values
(Django's request, Celery's task data) and a traceback formatted anew by this
formatter never passed through that filter. Values are masked before they
are serialised, never the serialised line: a mask written into JSON text
could break its quoting.
"""

import logging
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonEncoder as _LibraryJsonEncoder
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

from .logging import mask_personal_data

FIELDS = ["asctime", "levelname", "name", "request_id", "message"]
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger", "exc_info": "exception"}


def _masked(value):
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, dict):
        return {_masked(key): _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_masked(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        # A mobile or ID number logged as a number is masked as its text.
        text = str(value)
        masked = mask_personal_data(text)
        return value if masked == text else masked
    return value


class _MaskingEncoder(_LibraryJsonEncoder):
    """Objects the encoder turns into text (a request, an exception) are masked as that text."""

    def default(self, o):
        return _masked(super().default(o))


class JsonFormatter(_LibraryJsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", RENAMED)
        kwargs.setdefault("json_ensure_ascii", False)
        kwargs.setdefault("json_encoder", _MaskingEncoder)
        super().__init__(FIELDS, *args, **kwargs)

    def process_log_record(self, log_data):
        return _masked(super().process_log_record(log_data))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # logging names it so
        return datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
