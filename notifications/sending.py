"""Putting outbox emails on the wire: one MIME rendering per text, not per person.

A fan-out sends the same subject and body to thousands of addresses. Building
each message through ``EmailMessage`` (MIME objects, header encoding of the
Chinese subject, address parsing three times, the generator) cost as much CPU
as the SMTP exchange itself (measured: about 2.5 of 7 ms a message under the
profiler). So a ``Courier`` renders each distinct text once, through
``EmailMessage`` as before, and then only swaps the two header lines that
differ per message: ``To`` and ``Message-ID``. Only addresses that come out of
Django's address handling unchanged take this path (plain ASCII, no display
name, short enough not to be folded); any other goes through ``EmailMessage``
whole. Only Django's own SMTP backend is driven directly; any other backend
(memory, console, a custom one) gets ordinary ``EmailMessage`` objects.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address

# An address Django's sanitize_address returns as it is and the generator writes
# on one line (78 characters with "To: ").
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_LONGEST_PLAIN = 70
# Stand-ins rendered into the shared head and swapped for each message's own values.
_TO_STANDIN = "outbox-to@standin.invalid"
_ID_STANDIN = 0


def message_id(outbox_id: int) -> str:
    # One Message-ID per row, however often it is tried, so mail systems can
    # recognise a resend as the same message.
    return f"<outbox-{outbox_id}@{settings.OUTBOX_MESSAGE_ID_DOMAIN}>"


def email_message(*, outbox_id: int, to_address: str, subject: str, body: str, connection=None) -> EmailMessage:
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to_address],
        headers={"Message-ID": message_id(outbox_id)},
        connection=connection,
    )


@dataclass(frozen=True)
class _Rendered:
    head: list[bytes]  # header fields, each with its folded lines and final CRLF
    to_at: int
    id_at: int
    body: bytes


class Courier:
    """Sends outbox emails over one open mail connection, rendering each distinct text once."""

    def __init__(self, connection):
        self.connection = connection
        self._direct = type(connection) is SmtpBackend
        self._rendered: dict[tuple[str, str], _Rendered] = {}
        self._from: str | None = None

    def send(self, *, outbox_id: int, to_address: str, subject: str, body: str) -> None:
        """Send one message or raise; the caller records a failure and closes the connection."""
        # Opens it the first time (and after a failure); a no-op while open.
        self.connection.open()
        if not self._direct or len(to_address) > _LONGEST_PLAIN or not _PLAIN_ADDRESS.fullmatch(to_address):
            email_message(
                outbox_id=outbox_id, to_address=to_address, subject=subject, body=body, connection=self.connection
            ).send()
            return
        data = self._bytes(outbox_id=outbox_id, to_address=to_address, subject=subject, body=body)
        self.connection.connection.sendmail(self._sender(), [to_address], data)

    def _sender(self) -> str:
        if self._from is None:
            self._from = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
        return self._from

    def _bytes(self, *, outbox_id: int, to_address: str, subject: str, body: str) -> bytes:
        rendered = self._rendered.get((subject, body))
        if rendered is None:
            rendered = self._rendered[(subject, body)] = _render(subject=subject, body=body)
        head = list(rendered.head)
        head[rendered.to_at] = f"To: {to_address}\r\n".encode("ascii")
        head[rendered.id_at] = f"Message-ID: {message_id(outbox_id)}\r\n".encode("ascii")
        return b"".join(head) + b"\r\n" + rendered.body


def _render(*, subject: str, body: str) -> _Rendered:
    message = email_message(outbox_id=_ID_STANDIN, to_address=_TO_STANDIN, subject=subject, body=body).message()
    data = message.as_bytes(linesep="\r\n")
    head_text, separator, body_bytes = data.partition(b"\r\n\r\n")
    if not separator:
        raise ValueError("a rendered email has no header/body separator")
    fields: list[bytes] = []
    for line in head_text.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line + b"\r\n"  # a folded continuation of the field before
        else:
            fields.append(line + b"\r\n")
    names = [field.split(b":", 1)[0].lower() for field in fields]
    return _Rendered(head=fields, to_at=names.index(b"to"), id_at=names.index(b"message-id"), body=body_bytes)
