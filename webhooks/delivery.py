"""Sending one signed POST to an endpoint: short timeouts, no redirects, checked addresses only.

``http.client`` rather than a higher-level client: it never follows a
redirect (a 3xx is just a failed delivery), and the connection can be made
to the address ``targets`` has just checked while TLS still verifies the
certificate against the URL's host name.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from .targets import TargetRefused, target_addresses

USER_AGENT = "PrivacyPortal-Webhooks/1"


@dataclass(frozen=True)
class SendResult:
    status: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _ssl_context() -> ssl.SSLContext:
    cafile = getattr(settings, "WEBHOOK_CA_BUNDLE", "") or None
    return ssl.create_default_context(cafile=cafile)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to ``host`` made to one of ``addresses`` (already checked), not a fresh DNS answer."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float, context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self._addresses = addresses
        self._tls = context

    def connect(self):
        last_error: OSError | None = None
        for address in self._addresses:
            try:
                raw = socket.create_connection((address, self.port), self.timeout)
            except OSError as error:
                last_error = error
                continue
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
            return
        raise last_error or OSError("no address to connect to")


def post_signed(*, url: str, body: bytes, headers: dict[str, str]) -> SendResult:
    """POST ``body`` to ``url``; the status code, or an error text without personal data."""
    timeout = float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 5))
    started = time.monotonic()

    def result(status: int | None, error: str = "") -> SendResult:
        return SendResult(status=status, error=error[:300], duration_ms=int((time.monotonic() - started) * 1000))

    try:
        host, port, addresses = target_addresses(url)
    except TargetRefused as refused:
        return result(None, f"refused: {refused}")
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = _PinnedHTTPSConnection(host, port, addresses=addresses, timeout=timeout, context=_ssl_context())
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Connection": "close",
            },
        )
        response = connection.getresponse()
        # Read (a little of) the answer so the connection closes cleanly; its content is not kept.
        response.read(1024)
        return result(response.status)
    except ssl.SSLError as error:
        return result(None, f"TLS error: {error.reason or type(error).__name__}")
    except TimeoutError:
        return result(None, "timed out")
    except (OSError, http.client.HTTPException) as error:
        return result(None, f"{type(error).__name__}: {error}")
    finally:
        connection.close()
