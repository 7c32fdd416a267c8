"""HMAC-SHA256 signatures of webhook bodies.

The signed text is ``"<timestamp>.<body>"``: the timestamp is inside the
MAC, so a captured delivery cannot be replayed later with a fresh time. The
header carries one ``v1=`` value per valid secret (the current one, and the
previous one during a rotation's grace period); a receiver accepts the
delivery if any of them matches a secret it knows::

    X-Portal-Signature: t=1764750000,v1=5f2c...,v1=9ab1...
"""

import hashlib
import hmac
import secrets as _secrets
import time

SIGNATURE_HEADER = "X-Portal-Signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a marker, not a secret
DEFAULT_TOLERANCE = 300


class SignatureError(ValueError):
    """A signature header that is missing, malformed, too old or matches no secret."""


def secret_generate() -> str:
    return SECRET_PREFIX + _secrets.token_urlsafe(32)


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signature_header(*, secrets: list[str], timestamp: int, body: bytes) -> str:
    """The value of the signature header for ``body`` sent at ``timestamp``, one ``v1`` per secret."""
    if not secrets:
        raise ValueError("at least one secret is needed to sign")
    parts = [f"t={int(timestamp)}"] + [f"v1={_mac(secret, timestamp, body)}" for secret in secrets]
    return ",".join(parts)


def _parse(signature: str) -> tuple[int, list[str]]:
    timestamp, macs = None, []
    for item in (signature or "").split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            macs.append(value)
    if timestamp is None or not macs:
        raise SignatureError("malformed signature header")
    return timestamp, macs


def signature_verify(
    *, secrets: list[str], timestamp: int | str | None, body: bytes, signature: str, tolerance: int = DEFAULT_TOLERANCE
) -> int:
    """Check ``signature`` (the header value) over ``body``; return its timestamp or raise ``SignatureError``.

    ``timestamp`` is the separate timestamp header, if the receiver has it:
    it must agree with the signed one. The signed time must be within
    ``tolerance`` seconds of now, so an old delivery captured on the way
    cannot be sent again.
    """
    signed_at, macs = _parse(signature)
    if timestamp is not None and str(timestamp).strip() != str(signed_at):
        raise SignatureError("timestamp header does not match the signed timestamp")
    if abs(time.time() - signed_at) > tolerance:
        raise SignatureError("timestamp outside the tolerance")
    for secret in secrets:
        expected = _mac(secret, signed_at, body)
        if any(hmac.compare_digest(expected, given) for given in macs):
            return signed_at
    raise SignatureError("no signature matches")
