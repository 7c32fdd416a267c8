"""The batch send task over real SMTP (a loopback aiosmtpd server): one connection for the whole batch."""

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
def test_a_row_another_worker_is_sending_is_skipped_not_sent_twice(smtp_server):
    # Written directly: email_enqueue would send it at once (eager tasks, real commits here).
    row = OutboxEmail.objects.create(
        to_address="p@example.cn",
        kind="security_incident",
        language="en",
        subject="s",
        body="b",
        next_attempt_at=timezone.now(),
    )
    other_worker = connections.create_connection("default")
    try:
        other_worker.set_autocommit(False)
        with other_worker.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {OutboxEmail._meta.db_table} WHERE id = %s FOR UPDATE", [row.pk])  # noqa: S608
        assert outbox_send_batch([row.pk]) == 0  # locked: someone else is sending it
        assert smtp_server.sessions == []
    finally:
        other_worker.rollback()
        other_worker.close()

    assert outbox_send_batch([row.pk]) == 1
    assert outbox_send_batch([row.pk]) == 0  # and once sent, never again
    assert len(smtp_server.sessions) == 1


def _without_date(data: bytes) -> bytes:
    # smtplib ends the data with a line break if it has none.
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


def test_a_batch_claims_and_marks_its_rows_a_group_at_a_time(smtp_server, django_assert_max_num_queries):
    from notifications.services import SEND_GROUP

    ids = [
        email_enqueue(to_address=f"p{i}@example.cn", kind="security_incident", language="en", subject="s", body="b").pk
        for i in range(2 * SEND_GROUP)
    ]

    # Per group: its savepoint, the claim, the update, the release; nothing per message.
    with django_assert_max_num_queries(8):
        assert outbox_send_batch(ids) == 2 * SEND_GROUP

    assert OutboxEmail.objects.filter(pk__in=ids, state=OutboxEmail.State.SENT, attempts=1).count() == 2 * SEND_GROUP
