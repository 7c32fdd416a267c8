"""A loopback SMTP server that accepts every message and only counts it.

The worker delivers over real SMTP, so the benchmark measures the same
connection setup and protocol exchange as production, without a mail server
whose own speed would blur the figure.
"""

import logging
import re
import socket
import threading
import time
from collections import Counter

from aiosmtpd.controller import Controller

# notifications.services.outbox_send puts the row id in the Message-ID, which
# tells a second delivery of one row from two different rows.
_OUTBOX_ID = re.compile(rb"^Message-ID:\s*<outbox-(\d+)@", re.IGNORECASE | re.MULTILINE)


class _CountingHandler:
    def __init__(self):
        self._lock = threading.Lock()
        self.messages = 0
        self.last_at: float | None = None
        self.per_outbox_id: Counter[int] = Counter()

    async def handle_DATA(self, server, session, envelope):
        match = _OUTBOX_ID.search(envelope.original_content or b"")
        with self._lock:
            self.messages += 1
            self.last_at = time.monotonic()
            if match:
                self.per_outbox_id[int(match.group(1))] += 1
        return "250 Message accepted for delivery"

    def reset(self) -> None:
        with self._lock:
            self.messages = 0
            self.last_at = None
            self.per_outbox_id.clear()

    def snapshot(self) -> tuple[int, int, float | None]:
        with self._lock:
            return self.messages, len(self.per_outbox_id), self.last_at


class SmtpSink:
    """Counts what arrives; read the figures from any thread.

    Times are ``time.monotonic()`` values, comparable with the caller's own.
    """

    def __init__(self):
        self._handler = _CountingHandler()
        self.host = "127.0.0.1"
        self.port = _free_port(self.host)
        self._controller = Controller(self._handler, hostname=self.host, port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> None:
        # aiosmtpd logs every SMTP command at INFO; at thousands of messages
        # that is noise on stderr and CPU taken from the worker being timed.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> "SmtpSink":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def reset(self) -> None:
        self._handler.reset()

    def snapshot(self) -> tuple[int, int, float | None]:
        """Return (messages received, distinct outbox rows among them, time of the last one)."""
        return self._handler.snapshot()


def _free_port(host: str) -> int:
    # aiosmtpd's Controller connects to its own port to check that it is up,
    # so it needs a real port number rather than 0.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
