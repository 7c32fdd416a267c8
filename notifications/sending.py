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
(memory, console, a custom one) gets ordinary ``EmailMessage`` objects. The
``Date`` header is the one of the text's rendering, seconds earlier.

Every message has two parts: the stored text, and HTML made from it with the
project's email template (``notifications/email.html``: the text's paragraphs,
its portal links as ``<a>``), in the language the row was written in.

Also here: which rows a batch may send (``SendClaim``) and the statements
that read and mark them.
"""

import functools
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.db import connections
from django.template.loader import render_to_string
from django.utils import translation

from core.site import site_url

from .links import message_html
from .models import OutboxEmail

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


def email_html(*, subject: str, body: str, language: str) -> str:
    """The HTML part: the text's paragraphs and portal links, in the project's email template."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return render_to_string(
            "notifications/email.html",
            {
                "language": translation.get_language(),
                "subject": subject,
                # Paths spelled out on SITE_URL: a mail client has no page to resolve them against.
                "body_html": message_html(body, absolute=True),
                "portal_url": site_url("/"),
            },
        )


def email_message(
    *, outbox_id: int, to_address: str, subject: str, body: str, language: str = "", connection=None
) -> EmailMessage:
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to_address],
        headers={"Message-ID": message_id(outbox_id)},
        connection=connection,
    )
    message.attach_alternative(email_html(subject=subject, body=body, language=language), "text/html")
    return message


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
        self._rendered: dict[tuple[str, str, str], _Rendered] = {}
        self._from: str | None = None

    def send(self, *, outbox_id: int, to_address: str, subject: str, body: str, language: str = "") -> None:
        """Send one message or raise; the caller records a failure and closes the connection."""
        # Opens it the first time (and after a failure); a no-op while open.
        self.connection.open()
        if not self._direct or len(to_address) > _LONGEST_PLAIN or not _PLAIN_ADDRESS.fullmatch(to_address):
            email_message(
                outbox_id=outbox_id,
                to_address=to_address,
                subject=subject,
                body=body,
                language=language,
                connection=self.connection,
            ).send()
            return
        data = self._bytes(outbox_id=outbox_id, to_address=to_address, subject=subject, body=body, language=language)
        self.connection.connection.sendmail(self._sender(), [to_address], data)

    def _sender(self) -> str:
        if self._from is None:
            self._from = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
        return self._from

    def _bytes(self, *, outbox_id: int, to_address: str, subject: str, body: str, language: str) -> bytes:
        rendered = self._rendered.get((subject, body, language))
        if rendered is None:
            rendered = self._rendered[(subject, body, language)] = _render(
                subject=subject, body=body, language=language
            )
        head = list(rendered.head)
        head[rendered.to_at] = f"To: {to_address}\r\n".encode("ascii")
        head[rendered.id_at] = f"Message-ID: {message_id(outbox_id)}\r\n".encode("ascii")
        return b"".join(head) + b"\r\n" + rendered.body


def _render(*, subject: str, body: str, language: str) -> _Rendered:
    message = email_message(
        outbox_id=_ID_STANDIN, to_address=_TO_STANDIN, subject=subject, body=body, language=language
    ).message()
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


# The first key of the outbox's advisory locks (the second is the row id): "OUTB".
LOCK_CLASS = 0x4F555442


class SendClaim:
    """The rows of a batch this worker may send, each under an advisory lock for the block's duration.

    Row locks would hold a transaction open across every message, so a
    mark could not commit until the last one went out. Advisory locks belong
    to the session instead: the rows are marked one by one while the claim
    stands, and a killed worker's locks go with its connection. The read
    skips rows someone else holds a row lock on (an admin retry, the pending
    scan pushing its lease), as the per-row transactions did. SQLite (``make
    run``) has neither kind of lock and runs tasks in-process anyway.
    """

    def __init__(self, db, outbox_ids: list[int]):
        self.db = db
        self.ids = sorted(set(outbox_ids))
        self.locked: list[int] = []
        self.postgresql = db.vendor == "postgresql"

    def __enter__(self) -> list[tuple]:
        statements = send_statements(self.db.alias)
        with self.db.cursor() as cursor:
            if not self.postgresql:
                self.locked = self.ids
            else:
                cursor.execute("SET synchronous_commit TO OFF")
                # Locked first, read after: a row another worker marked sent before
                # letting go of it then reads as sent.
                cursor.execute(
                    "SELECT i FROM unnest(%s::bigint[]) AS i WHERE pg_try_advisory_lock(%s, (i %% 2147483648)::int)",
                    [self.ids, LOCK_CLASS],
                )
                self.locked = [outbox_id for (outbox_id,) in cursor.fetchall()]
            if not self.locked:
                return []
            # SQLite takes the list as JSON (json_each), PostgreSQL as an array.
            cursor.execute(statements.claim, [self.locked if self.postgresql else json.dumps(self.locked)])
            return cursor.fetchall()

    def __exit__(self, *exc_info) -> None:
        if not self.postgresql:
            return
        with self.db.cursor() as cursor:
            if self.locked:
                cursor.execute(
                    "SELECT count(pg_advisory_unlock(%s, (i %% 2147483648)::int)) FROM unnest(%s::bigint[]) AS i",
                    [LOCK_CLASS, self.locked],
                )
            cursor.execute("RESET synchronous_commit")


@dataclass(frozen=True)
class SendStatements:
    claim: str
    mark_sent: str


@functools.cache
def send_statements(alias: str) -> SendStatements:
    """The statements every batch runs, written once per database.

    Built through the ORM each time they cost more CPU than the SMTP exchange
    (measured: about 0.8 of 2 ms a message); the table and column names still
    come from the model, and every value is a parameter.

    The claim looks the rows up by id alone and checks the state in Python:
    with ``state = 'pending'`` in the WHERE clause, statistics that still say
    "nothing is pending" (taken before a fan-out queued 100,000 rows) led the
    planner to walk the partial index of pending rows instead of the primary
    key: 40 ms a message (measured) instead of a fraction of one.
    """
    db = connections[alias]
    quote = db.ops.quote_name
    table = quote(OutboxEmail._meta.db_table)
    column = {f.name: quote(f.column) for f in OutboxEmail._meta.concrete_fields if f.column}
    if db.vendor == "postgresql":
        rows, skip = f"{column['id']} = ANY(%s)", db.ops.for_update_sql(skip_locked=True)
    else:
        rows, skip = f"{column['id']} IN (SELECT value FROM json_each(%s))", ""  # noqa: S608
    return SendStatements(
        claim=(
            f"SELECT {column['id']}, {column['state']}, {column['to_address']}, {column['subject']},"  # noqa: S608
            f" {column['body']}, {column['sealed_body']}, {column['attempts']}, {column['language']} FROM {table}"
            f" WHERE {rows} ORDER BY {column['id']} {skip}"
        ),
        mark_sent=(
            f"UPDATE {table} SET {column['attempts']} = %s, {column['state']} = %s,"  # noqa: S608
            f" {column['sent_at']} = %s, {column['last_error']} = '', {column['sealed_body']} = ''"
            f" WHERE {column['id']} = %s"
        ),
    )
