from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.models import InboxMessage, OutboxEmail
from notifications.services import notification_send
from notifications.tasks import outbox_dispatch_pending
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    """A mail backend whose server refuses every message."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server refused recipient zhang.san@example.cn")


def test_notify_writes_inbox_and_outbox_and_sends_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        inbox, email = notification_send(recipient=user, kind="welcome")
        assert len(mail.outbox) == 0, "nothing may be sent before the transaction commits"
    assert inbox.recipient == user and not inbox.read_at
    assert email.state == OutboxEmail.State.PENDING and email.to_address == user.email
    assert len(callbacks) == 1

    callbacks[0]()  # the commit happens: the task runs (eagerly in tests)

    email.refresh_from_db()
    assert email.state == OutboxEmail.State.SENT and email.sent_at
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]


def test_a_rolled_back_change_notifies_nobody(django_capture_on_commit_callbacks):
    user = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notification_send(recipient=user, kind="welcome")
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not InboxMessage.objects.exists() and not OutboxEmail.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("language", "expected_subject"),
    [("zh-hans", "欢迎使用公民隐私服务门户"), ("en", "Welcome to the citizens' privacy portal")],
)
def test_messages_are_written_in_the_recipients_language(
    language, expected_subject, django_capture_on_commit_callbacks
):
    user = UserFactory(language=language)
    with django_capture_on_commit_callbacks(execute=True):
        inbox, _ = notification_send(recipient=user, kind="welcome")
    assert inbox.subject == expected_subject
    assert mail.outbox[0].subject == expected_subject


def test_unknown_kind_is_refused_at_the_call_site():
    with pytest.raises(ValueError, match="unknown notification kind"):
        notification_send(recipient=UserFactory(), kind="no_such_kind")


def test_sending_the_same_row_twice_sends_one_email(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False):
        _, email = notification_send(recipient=user, kind="welcome")
    assert services.outbox_send(outbox_id=email.pk) is True
    assert services.outbox_send(outbox_id=email.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_without_personal_data_and_retried_later(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "notifications.tests.test_outbox.FailingBackend"
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _, email = notification_send(recipient=user, kind="welcome")
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.PENDING
    assert email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error
    assert "zhang.san@example.cn" not in email.last_error
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=90)

    # The scan leaves it alone until its backoff has passed ...
    assert outbox_dispatch_pending() == 0
    # ... and sends it once the time has come and the server is back.
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_dispatch_pending() == 1
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.SENT and email.attempts == 2
    assert len(mail.outbox) == 1


def test_backoff_grows_and_gives_up_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = "notifications.tests.test_outbox.FailingBackend"
    user = UserFactory()
    with transaction.atomic():
        _, email = notification_send(recipient=user, kind="welcome")
    delays = []
    for _ in range(services.MAX_ATTEMPTS - 1):
        before = timezone.now()
        services.outbox_send(outbox_id=email.pk)
        email.refresh_from_db()
        delays.append(email.next_attempt_at - before)
    assert [round(d.total_seconds() / 60) for d in delays] == [2, 4, 8, 16, 32, 60, 60]
    assert email.state == OutboxEmail.State.PENDING
    services.outbox_send(outbox_id=email.pk)
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.FAILED and email.attempts == services.MAX_ATTEMPTS


def test_rows_left_pending_by_a_broker_outage_are_dispatched_by_the_scan(django_capture_on_commit_callbacks):
    user = UserFactory()
    # The on-commit dispatch never reaches a worker (the broker was down).
    with django_capture_on_commit_callbacks(execute=False):
        _, email = notification_send(recipient=user, kind="welcome")
    assert outbox_dispatch_pending() == 0, "a fresh row is the on-commit dispatch's job"
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert outbox_dispatch_pending() == 1
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.SENT
    assert len(mail.outbox) == 1


def test_notify_succeeds_while_the_broker_is_unreachable(settings, django_capture_on_commit_callbacks):
    from privacy_portal.celery import app

    user = UserFactory()
    app.conf.task_always_eager = False
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _, email = notification_send(recipient=user, kind="welcome")
    finally:
        app.conf.broker_url = original
        app.conf.task_always_eager = True
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.PENDING
    assert mail.outbox == []


def test_admin_retry_puts_failed_rows_back_in_line(verified_client, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "notifications.tests.test_outbox.FailingBackend"
    user = UserFactory()
    _, email = notification_send(recipient=user, kind="welcome")
    OutboxEmail.objects.filter(pk=email.pk).update(state=OutboxEmail.State.FAILED)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    officer = UserFactory(is_staff=True, is_superuser=True)
    client = verified_client(officer)
    page = client.get("/admin/notifications/outboxemail/")
    assert page.status_code == 200
    assert user.email.encode() not in page.content, "addresses are masked in admin"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/notifications/outboxemail/",
            {"action": "retry_now", "_selected_action": [email.pk]},
            follow=True,
        )
    assert response.status_code == 200
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.SENT
    assert len(mail.outbox) == 1
