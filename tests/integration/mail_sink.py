"""A loopback SMTP server that records who received what, and can leave one message unanswered.

The fault tests count deliveries per recipient address: "exactly one email
each" is a claim about what reached the mail server, not about outbox rows.
Holding one message's DATA without ever answering lets a test kill the
worker at a known point: while a send is in flight and before the server
accepted it.
"""

import asyncio
import logging
import threading
from collections import Counter

from aiosmtpd.controller import Controller

from .processes import free_port


class _RecordingHandler:
    def __init__(self):
        self._lock = threading.Lock()
        self._arrivals = 0
        self._hold_at: int | None = None
        self.accepted: Counter[str] = Counter()
        self.held_recipients: list[str] = []
        self.holding = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self._arrivals += 1
            hold = self._arrivals == self._hold_at
        if hold:
            self.held_recipients = [address.lower() for address in envelope.rcpt_tos]
            self.holding.set()
            # Never answered. When the sender's process dies its socket
            # closes, aiosmtpd cancels this coroutine, and the message is
            # dropped like any message whose sender vanished before "250".
            await asyncio.Event().wait()
        with self._lock:
            for address in envelope.rcpt_tos:
                self.accepted[address.lower()] += 1
        return "250 Message accepted"

    def hold_at(self, arrival: int) -> None:
        with self._lock:
            self._hold_at = self._arrivals + arrival


class RecordingSmtpSink:
    """Start, point a worker at ``url``, then read ``accepted()`` from the test."""

    def __init__(self):
        self.host = "127.0.0.1"
        self.port = free_port()
        self._handler = _RecordingHandler()
        self._controller = Controller(self._handler, hostname=self.host, port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def holding(self) -> threading.Event:
        """Set once the held message has arrived (and is being kept waiting)."""
        return self._handler.holding

    @property
    def held_recipients(self) -> list[str]:
        """The addressees of the message left unanswered (empty until it arrives)."""
        return list(self._handler.held_recipients)

    def start(self) -> None:
        # aiosmtpd logs every command at INFO: thousands of lines per test.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def hold_message(self, arrival: int) -> None:
        """Never answer the ``arrival``-th message from now on (1 = the next one)."""
        self._handler.hold_at(arrival)

    def accepted(self) -> Counter[str]:
        """Messages accepted so far, per recipient address (lower case)."""
        with self._handler._lock:
            return Counter(self._handler.accepted)

    def accepted_total(self) -> int:
        return sum(self.accepted().values())
