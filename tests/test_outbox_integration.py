"""The outbox end to end: notification_send() -> Redis -> a real worker -> the mail backend."""

import time

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import OutboxEmail
from notifications.services import notification_send
from notifications.tasks import outbox_send
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_an_email_goes_through_redis_and_a_worker_exactly_once(celery_worker):
    user = UserFactory(language="en")
    with transaction.atomic():
        _, email = notification_send(recipient=user, kind="welcome")
    assert _wait_for(lambda: OutboxEmail.objects.get(pk=email.pk).state == OutboxEmail.State.SENT)

    # The broker delivers the same task again (a redelivery after a lost ack).
    outbox_send.apply_async(args=[email.pk])
    with celery_worker.app.connection_for_write() as conn:
        assert _wait_for(lambda: conn.default_channel.client.llen("celery") == 0)
    time.sleep(0.5)  # let the worker finish the message it took

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == "Welcome to the citizens' privacy portal"


def test_two_deliveries_queued_before_any_worker_send_once(transactional_db, settings):
    """Both copies wait in Redis; whichever runs second finds the row sent."""
    from celery.contrib.testing.worker import start_worker

    from privacy_portal.celery import app
    from tests.broker import broker_keys_delete

    user = UserFactory()
    app.conf.task_always_eager = False
    try:
        broker_keys_delete(app)
        with transaction.atomic():
            _, email = notification_send(recipient=user, kind="welcome")  # first copy, on commit
        outbox_send.apply_async(args=[email.pk])  # second copy
        with app.connection_for_write() as conn:
            assert conn.default_channel.client.llen("celery") == 2
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            assert _wait_for(lambda: OutboxEmail.objects.get(pk=email.pk).state == OutboxEmail.State.SENT)
            with app.connection_for_write() as conn:
                assert _wait_for(lambda: conn.default_channel.client.llen("celery") == 0)
            time.sleep(0.5)
    finally:
        app.conf.task_always_eager = True
        broker_keys_delete(app)
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1
