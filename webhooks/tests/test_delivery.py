"""Sending: what counts as delivered, retries with backoff, the beat scan, one sender per delivery, rotation."""

import http.server
import ssl
import threading
import time
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from webhooks import services
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from webhooks.services import retry_delay, webhook_deliveries_queue_due, webhook_delivery_attempt
from webhooks.signing import signature_verify
from webhooks.tests.factories import webhook_endpoint_for_tests
from webhooks.tests.receiver import tls_files

pytestmark = pytest.mark.django_db


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers with the server's ``status`` (and a Location for 3xx) after ``delay`` seconds."""

    def do_POST(self):
        server = self.server
        server.received.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
        time.sleep(server.delay)
        self.send_response(server.status)
        if 300 <= server.status < 400:
            self.send_header("Location", f"https://localhost:{server.server_address[1]}/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(tmp_path, settings):
    tls = tls_files(tmp_path)
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_CA_BUNDLE = str(tls.cert)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls.cert, tls.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.received, server.status, server.delay = [], 200, 0.0
    server.url = f"https://localhost:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _delivery(url, **endpoint):
    endpoint, secret = webhook_endpoint_for_tests(url=url, **endpoint)
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event_type="consent.changed", payload={"subject": 1})
    return delivery, secret


@pytest.mark.parametrize("status", [200, 202, 204])
def test_any_2xx_is_delivered(receiver, status):
    receiver.status = status
    delivery, _ = _delivery(receiver.url)
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.DELIVERED


def test_a_redirect_is_a_failure_and_is_not_followed(receiver):
    receiver.status = 302
    delivery, _ = _delivery(receiver.url)

    assert webhook_delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.PENDING

    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.last_response_code, delivery.last_error) == (302, "HTTP 302")


def test_a_slow_receiver_times_out(receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.delay = 1.0
    delivery, _ = _delivery(receiver.url)

    assert webhook_delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.PENDING

    delivery.refresh_from_db()
    assert delivery.last_response_code is None and "timed out" in delivery.last_error


def test_a_certificate_the_portal_does_not_trust_is_a_failure(receiver, settings):
    settings.WEBHOOK_CA_BUNDLE = ""
    delivery, _ = _delivery(receiver.url)

    assert webhook_delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.PENDING

    delivery.refresh_from_db()
    assert "TLS" in delivery.last_error and receiver.received == []


def test_headers_and_signature_of_a_delivery(receiver):
    delivery, secret = _delivery(receiver.url)
    webhook_delivery_attempt(delivery_id=delivery.pk)

    [(headers, body)] = receiver.received
    assert headers["X-Portal-Event-Id"] == str(delivery.event_id)
    assert headers["X-Portal-Event-Type"] == "consent.changed"
    assert headers["X-Portal-Delivery-Attempt"] == "1"
    assert headers["Content-Type"] == "application/json"
    signature_verify(
        secrets=[secret], timestamp=headers["X-Portal-Timestamp"], body=body, signature=headers["X-Portal-Signature"]
    )


def test_after_a_rotation_both_secrets_sign_until_the_grace_period_ends(receiver, officer):
    delivery, old = _delivery(receiver.url)
    new = services.webhook_secret_rotate(endpoint=delivery.endpoint, actor=officer, grace=timedelta(hours=1))
    webhook_delivery_attempt(delivery_id=delivery.pk)
    headers, body = receiver.received[-1]
    assert headers["X-Portal-Signature"].count("v1=") == 2
    for secret in (new, old):
        signature_verify(secrets=[secret], timestamp=None, body=body, signature=headers["X-Portal-Signature"])

    delivery.endpoint.previous_secret_expires_at = timezone.now() - timedelta(seconds=1)
    delivery.endpoint.save(update_fields=["previous_secret_expires_at"])
    second = WebhookDelivery.objects.create(endpoint=delivery.endpoint, event_type="consent.changed", payload={})
    webhook_delivery_attempt(delivery_id=second.pk)
    headers, body = receiver.received[-1]
    assert headers["X-Portal-Signature"].count("v1=") == 1
    signature_verify(secrets=[new], timestamp=None, body=body, signature=headers["X-Portal-Signature"])


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_RETRY_MAX_SECONDS = 100
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (12, 100)]:
        delays = {retry_delay(attempts).total_seconds() for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jitter: retries of many deliveries do not arrive together


def test_dead_after_the_configured_number_of_attempts(receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.status = 503
    delivery, _ = _delivery(receiver.url)
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.PENDING
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.DEAD
    assert WebhookAttempt.objects.filter(delivery=delivery, succeeded=False).count() == 2


def test_the_beat_scan_queues_due_deliveries_once_per_lease():
    endpoint, _ = webhook_endpoint_for_tests()
    now = timezone.now()
    due = WebhookDelivery.objects.create(endpoint=endpoint, event_type="consent.changed", next_attempt_at=now)
    later = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="consent.changed", next_attempt_at=now + timedelta(minutes=5)
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="consent.changed", next_attempt_at=now, status=DeliveryStatus.DEAD
    )
    # A worker died holding this one: its lease has run out.
    stale = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="consent.changed", next_attempt_at=now, status=DeliveryStatus.DELIVERING
    )

    assert sorted(webhook_deliveries_queue_due(now=now + timedelta(seconds=1))) == sorted([due.pk, stale.pk])
    assert webhook_deliveries_queue_due(now=now + timedelta(seconds=2)) == []
    # Queued but never run (a lost message): queued again when the queue lease ends; the later one is due by then.
    assert sorted(webhook_deliveries_queue_due(now=now + timedelta(minutes=6))) == sorted([due.pk, later.pk, stale.pk])


def test_the_beat_task_sends_what_a_broker_outage_left_behind(receiver, monkeypatch):
    from webhooks.tasks import webhook_deliveries_dispatch_due

    delivery, _ = _delivery(receiver.url)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(queued_until=None)

    assert webhook_deliveries_dispatch_due() == 1  # eager Celery: sent right here

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and len(receiver.received) == 1


def test_a_stale_sender_cannot_overwrite_the_outcome_of_a_newer_attempt(receiver):
    delivery, _ = _delivery(receiver.url)
    claimed = services._claim(delivery.pk)
    # Its lease runs out; another worker claims and delivers.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.DELIVERED

    assert services._record(claimed, status=500, error="HTTP 500", duration_ms=1) == DeliveryStatus.DELIVERED
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.last_response_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_delivery_locked_by_one_worker_is_skipped_by_another():
    endpoint, _ = webhook_endpoint_for_tests()
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event_type="consent.changed")
    locked, release, outcome = threading.Event(), threading.Event(), {}

    def first_worker():
        try:
            with transaction.atomic():
                WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert locked.wait(10)
        outcome["claim"] = services._claim(delivery.pk)
        outcome["scan"] = webhook_deliveries_queue_due(now=timezone.now() + timedelta(seconds=1))
    finally:
        release.set()
        thread.join(10)

    assert outcome == {"claim": None, "scan": []}
    assert services._claim(delivery.pk) is not None
