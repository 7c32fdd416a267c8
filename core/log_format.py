"""Log lines as JSON objects, one a line, for log shippers (``LOG_FORMAT=json``).

The fields are the plain format's: time, level, logger, request id, message,
and the exception's traceback when there is one. Anything a caller passed in
``extra`` is kept as further fields. The masking filter has already rewritten
the message; the whole serialised line is masked once more here, because
``extra`` values (Django's request, Celery's task data) and a traceback
formatted anew by this formatter never passed through that filter.
"""

import logging
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

from .logging import mask_personal_data

FIELDS = ["asctime", "levelname", "name", "request_id", "message"]
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger", "exc_info": "exception"}


class JsonFormatter(_LibraryJsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", RENAMED)
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(FIELDS, *args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # logging names it so
        return datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        return mask_personal_data(super().format(record))
