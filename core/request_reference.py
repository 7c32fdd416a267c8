"""The short reference a request is known by: read out to the 12345 hotline and searched for in logs.

Eight characters from an alphabet without the look-alikes (0/O, 1/I/L) and
without U, so a person can read it over the phone and staff can type it back.
30 symbols to the eighth power is about 6.6 × 10¹¹ values: staff search the
logs for a reference around the time the person called, and within a day of
even ten million requests two of them sharing one is rare enough, where a
32-character hex id was simply too long to read out.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8

_REFERENCE = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")


def request_reference_new() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def is_request_reference(value: object) -> bool:
    return isinstance(value, str) and bool(_REFERENCE.match(value))


def request_reference_grouped(reference: str) -> str:
    """``7K3M9QXD`` -> ``7K3M-9QXD``: two groups of four are easier to read out and to hear."""
    if not is_request_reference(reference):
        return reference
    half = LENGTH // 2
    return f"{reference[:half]}-{reference[half:]}"


def request_reference_normalised(typed: str) -> str:
    """What staff typed, as the logs hold it: ``7k3m-9qxd`` -> ``7K3M9QXD``."""
    return re.sub(r"[\s-]", "", typed or "").upper()
