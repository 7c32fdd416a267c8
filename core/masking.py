"""Masked forms of personal values for staff screens.

The formats match the log filter's (``core.logging``), so a value
looks the same in admin, in the API and in a log line. Every function takes
what is stored (or anything else) and never fails: an empty value gives "",
a value too short to keep its ends gives only stars.
"""

import re


def _keep_ends(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return "*" * len(value)
    return f"{value[:head]}{'*' * (len(value) - head - tail)}{value[-tail:]}"


def mask_id_number(value: str) -> str:
    """``440106199003071234`` -> ``4401**********1234``: the birth date never shows."""
    return _keep_ends((value or "").strip(), 4, 4)


def mask_phone(value: str) -> str:
    """``13812345678`` -> ``138****5678``."""
    return _keep_ends((value or "").strip(), 3, 4)


def mask_bank_card(value: str) -> str:
    """``6222021234567890128`` -> ``6222 **** 0128``: the card's length is not shown either."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) <= 8:
        return "*" * len(digits)
    return f"{digits[:4]} **** {digits[-4:]}"


def mask_name(value: str) -> str:
    """``张三`` -> ``张*``, ``欧阳娜娜`` -> ``欧***``: the family name's first character only."""
    value = (value or "").strip()
    if len(value) <= 1:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 1)


def mask_email(address: str) -> str:
    local, _, domain = (address or "").partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_address(value: str) -> str:
    """``广东省广州市`` -> ``广东****``: the province shows, not the place, nor how long the address is."""
    value = (value or "").strip()
    return f"{value[:2]}****" if value else ""
