"""Logging helpers: request ids on every line and personal data masked.

Logs are read by operators, shipped to other systems and kept longer than a
person's data may be, so nothing that identifies a citizen may reach them in
full: ID numbers, mobile numbers, email addresses and bank cards are masked
before any handler formats the record.
"""

import contextlib
import contextvars
import logging
import re

from stdnum import luhn

_request_id = contextvars.ContextVar("request_id", default="-")
# What a request id may look like when it comes from outside (a proxy's header,
# a task message): anything else could forge log lines or fill them up.
_WELL_FORMED_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")

# Order matters: the 18-character ID number must be masked before the looser
# bank-card pattern sees its digits.
_PATTERNS = [
    # Resident ID number: 17 digits and a digit or X check character.
    (re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])"), r"\1**********\2"),
    # Mainland mobile number, optionally with +86.
    (re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)\d{4}(\d{4})(?!\d)"), r"\1****\2"),
    # Email address: keep the first character and the domain.
    (re.compile(r"\b([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b"), r"\1***@\2"),
]


# Bank card candidates: 12 to 19 digits, spaces or dashes allowed between
# groups, not part of a decimal number. Only Luhn-valid ones are masked, so
# timings and ids in log lines stay readable.
_CARD = re.compile(r"(?<![\d.])\d(?:[ -]?\d){11,18}(?![\d.])")


def _mask_card(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if not luhn.is_valid(digits):
        return match.group(0)
    return f"{digits[:4]} **** {digits[-4:]}"


def mask_personal_data(text: str) -> str:
    """Return ``text`` with ID, phone, card numbers and emails masked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _CARD.sub(_mask_card, text)


def contains_personal_data(text: str) -> bool:
    return mask_personal_data(text) != text


class MaskPersonalDataFilter(logging.Filter):
    """Rewrite the record's message in place so every handler sees it masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not stop logging
            message = str(record.msg)
        masked = mask_personal_data(message)
        if masked != message or record.args:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_personal_data(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


def is_well_formed_request_id(value: object) -> bool:
    return isinstance(value, str) and bool(_WELL_FORMED_REQUEST_ID.match(value))


def current_request_id() -> str | None:
    """The id of the request (or task) this code runs for; ``None`` outside one."""
    value = _request_id.get()
    return None if value == "-" else value


@contextlib.contextmanager
def bind_request_id(request_id: str):
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


security_log = logging.getLogger("security")
