"""The batch send task over real SMTP (a loopback aiosmtpd server): one connection for the whole batch."""

import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.db import connections
from django.utils import timezone

from notifications.models import OutboxEmail
from notifications.services import email_enqueue
from notifications.tasks import outbox_send_batch

pytestmark = pytest.mark.django_db


class _Sessions:
    def __init__(self):
        self.sessions = []
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.sessions.append(id(session))
        self.received.append((envelope.rcpt_tos, envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = _Sessions()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="localhost")
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


def test_a_batch_goes_out_over_one_smtp_connection(smtp_server):
    ids = [
        email_enqueue(to_address=f"p{i}@example.cn", kind="security_incident", language="en", subject="s", body="b").pk
        for i in range(4)
    ]

    assert outbox_send_batch(ids) == 4

    assert len(smtp_server.sessions) == 4
    assert len(set(smtp_server.sessions)) == 1
    assert OutboxEmail.objects.filter(pk__in=ids, state=OutboxEmail.State.SENT).count() == 4


def test_a_refused_connection_leaves_rows_pending_for_retry(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    row = email_enqueue(to_address="p@example.cn", kind="security_incident", language="en", subject="s", body="b")

    assert outbox_send_batch([row.pk]) == 0

    row.refresh_from_db()
    assert row.state == OutboxEmail.State.PENDING
    assert row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "hold",
    [
        # Another worker's batch holds its rows' advisory locks while it sends them.
        "SELECT pg_advisory_lock(%s, %s)",
        # A row lock: the pending scan pushing the row's lease, an admin retry.
        "SELECT id FROM notifications_outboxemail WHERE %s > 0 AND id = %s FOR UPDATE",
    ],
)
def test_a_row_another_worker_is_sending_is_skipped_not_sent_twice(smtp_server, hold):
    from notifications.sending import LOCK_CLASS

    # Written directly: email_enqueue would send it at once (eager tasks, real commits here).
    row = OutboxEmail.objects.create(
        to_address="p@example.cn",
        kind="security_incident",
        language="en",
        subject="s",
        body="b",
        next_attempt_at=timezone.now(),
    )
    assert OutboxEmail._meta.db_table == "notifications_outboxemail"
    other_worker = connections.create_connection("default")
    try:
        other_worker.set_autocommit(False)
        with other_worker.cursor() as cursor:
            cursor.execute(hold, [LOCK_CLASS, row.pk])
        assert outbox_send_batch([row.pk]) == 0  # locked: someone else is sending it
        assert smtp_server.sessions == []
    finally:
        other_worker.rollback()
        other_worker.close()  # a session's advisory locks go with it

    assert outbox_send_batch([row.pk]) == 1
    assert outbox_send_batch([row.pk]) == 0  # and once sent, never again
    assert len(smtp_server.sessions) == 1


def _without_date(data: bytes) -> bytes:
    # smtplib ends the data with a line break if it has none. The MIME boundary
    # between the text and HTML parts is random in each rendering.
    data = re.sub(rb"={15}\d+==", b"=boundary=", data)
    return b"\r\n".join(line for line in data.rstrip(b"\r\n").split(b"\r\n") if not line.startswith(b"Date:"))


@pytest.mark.parametrize(
    "address",
    [
        "zhang.san@example.cn",
        # Not plain: a display name and a non-ASCII mailbox go through Django's address handling whole.
        "Zhang San <zhang.san@example.cn>",
        "张三@例子.中国",
    ],
)
def test_each_message_is_what_django_would_have_sent_byte_for_byte(smtp_server, address):
    from notifications.sending import email_message

    subject, body = "数据安全事件通知：请修改密码", "我们发现了一起数据安全事件。\n\n请修改密码。"
    rows = [
        email_enqueue(to_address=address, kind="security_incident", language="zh-hans", subject=subject, body=body)
        for _ in range(3)
    ]

    assert outbox_send_batch([row.pk for row in rows]) == 3

    for row, (recipients, data) in zip(rows, smtp_server.received, strict=True):
        expected = email_message(outbox_id=row.pk, to_address=address, subject=subject, body=body).message()
        assert _without_date(data) == _without_date(expected.as_bytes(linesep="\r\n"))
        assert len(recipients) == 1
    assert len({data for _to, data in smtp_server.received}) == 3  # each with its own Message-ID


def test_a_batch_costs_one_statement_a_message_and_a_few_more(smtp_server, django_assert_max_num_queries):
    ids = [
        email_enqueue(to_address=f"p{i}@example.cn", kind="security_incident", language="en", subject="s", body="b").pk
        for i in range(60)
    ]

    # The claim (synchronous_commit off, locks, read) and its release (unlock, reset), then one mark per message.
    with django_assert_max_num_queries(60 + 5):
        assert outbox_send_batch(ids) == 60

    assert OutboxEmail.objects.filter(pk__in=ids, state=OutboxEmail.State.SENT, attempts=1).count() == 60


@pytest.mark.django_db(transaction=True)
def test_each_accepted_message_is_marked_sent_before_the_next_goes_out(smtp_server, monkeypatch):
    # Written directly: email_enqueue would send them at once (eager tasks, real commits here).
    rows = OutboxEmail.objects.bulk_create(
        OutboxEmail(
            to_address=f"p{i}@example.cn",
            kind="security_incident",
            language="en",
            subject="s",
            body="b",
            next_attempt_at=timezone.now(),
        )
        for i in range(4)
    )
    observer = connections.create_connection("default")
    observer.inc_thread_sharing()  # read from the SMTP server's thread
    sent_when_accepted = []
    original = _Sessions.handle_DATA

    async def handle_data(self, server, session, envelope):
        # What a worker killed right now would leave behind: every earlier message marked sent.
        with observer.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {OutboxEmail._meta.db_table} WHERE state = 'sent'")  # noqa: S608
            sent_when_accepted.append(cursor.fetchone()[0])
        return await original(self, server, session, envelope)

    monkeypatch.setattr(_Sessions, "handle_DATA", handle_data)
    try:
        assert outbox_send_batch([row.pk for row in rows]) == 4
    finally:
        observer.dec_thread_sharing()
        observer.close()

    assert sent_when_accepted == [0, 1, 2, 3]
