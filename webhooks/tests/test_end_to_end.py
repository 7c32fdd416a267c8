"""The whole path with a real receiver process over HTTPS: publish, sign, deliver, retry, dead-letter, replay."""

import http.client
import json
import ssl
import time

import pytest
from django.utils import timezone

from accounts.service_clients.scopes import CONSENT_EVENTS
from accounts.service_clients.tests.factories import service_client_register_for_test
from audit.models import AuditEvent
from consents import services as consent_services
from consents.models import ConsentEvent, Purpose
from tests.factories import UserFactory
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from webhooks.services import delivery_body, webhook_endpoint_create
from webhooks.signing import signature_header, signature_verify
from webhooks.tasks import webhook_delivery_send
from webhooks.tests.receiver import accepted_events, free_port, running_receiver, tls_files

pytestmark = pytest.mark.django_db

MAX_ATTEMPTS = 3


@pytest.fixture
def tls(tmp_path, settings):
    files = tls_files(tmp_path)
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_CA_BUNDLE = str(files.cert)
    settings.WEBHOOK_MAX_ATTEMPTS = MAX_ATTEMPTS
    return files


def _post(port, tls, *, body: bytes, headers: dict) -> int:
    context = ssl.create_default_context(cafile=str(tls.cert))
    connection = http.client.HTTPSConnection("localhost", port, context=context, timeout=5)
    try:
        connection.request("POST", "/hooks", body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def _send_now(delivery):
    """Run the delivery task as the worker would, once its retry time has come."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    return webhook_delivery_send(delivery.pk)


def test_a_withdrawal_reaches_a_real_receiver_signed_and_failures_end_in_replay(
    tls, tmp_path, officer, verified_client, django_capture_on_commit_callbacks
):
    purpose = Purpose.objects.filter(kind="optional", sensitive=False).order_by("code").first()
    person = UserFactory()
    consent_services.consent_grant(subject=person, purpose=purpose)
    good_file, failing_file = tmp_path / "good.jsonl", tmp_path / "failing.jsonl"
    listener, _ = service_client_register_for_test(scopes=[CONSENT_EVENTS])
    second_listener, _ = service_client_register_for_test(scopes=[CONSENT_EVENTS])

    # 1. A registered endpoint receives the withdrawal, correctly signed.
    port = free_port()
    endpoint, secret = webhook_endpoint_create(
        client=listener, url=f"https://localhost:{port}/hooks", events=["consent.changed"], actor=officer
    )
    with running_receiver(tls=tls, secrets=[secret], accepted=good_file, port=port):
        with django_capture_on_commit_callbacks() as queued:
            event = consent_services.consent_withdraw(subject=person, purpose=purpose)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert len(queued) == 1 and delivery.status == DeliveryStatus.PENDING

        assert webhook_delivery_send(delivery.pk) == DeliveryStatus.DELIVERED

        [received] = accepted_events(good_file)
        assert received["event"] == {
            "id": str(delivery.event_id),
            "type": "consent.changed",
            "created_at": delivery.created_at.isoformat(),
            "data": {
                "subject": person.pk,
                "purpose": purpose.code,
                "partner": None,
                "state": "withdrawn",
                "effective_at": event.created_at.isoformat(),
                "ledger_event": event.pk,
                "ledger_hash": ConsentEvent.objects.get(pk=event.pk).hash,
            },
        }
        body = delivery_body(delivery)
        assert json.loads(body) == received["event"]
        signature_verify(secrets=[secret], timestamp=None, body=body, signature=received["signature"])
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.last_response_code) == (1, 200)
        # Running the task again sends nothing: it is delivered.
        assert webhook_delivery_send(delivery.pk) is None
        assert len(accepted_events(good_file)) == 1

        # 2. The receiver refuses a wrong signature, a stale one and a missing one.
        now = int(time.time())
        headers = {"X-Portal-Event-Id": str(delivery.event_id), "Content-Type": "application/json"}
        forged = signature_header(secrets=["not-the-secret"], timestamp=now, body=body)
        stale = signature_header(secrets=[secret], timestamp=now - 3600, body=body)
        assert (
            _post(
                port, tls, body=body, headers={**headers, "X-Portal-Timestamp": str(now), "X-Portal-Signature": forged}
            )
            == 401
        )
        assert (
            _post(
                port,
                tls,
                body=body,
                headers={**headers, "X-Portal-Timestamp": str(now - 3600), "X-Portal-Signature": stale},
            )
            == 401
        )
        assert _post(port, tls, body=body, headers=headers) == 400
        assert len(accepted_events(good_file)) == 1

    # 3. A receiver answering 500: retries with backoff, then a dead letter after the last attempt.
    failing_port = free_port()
    failing, failing_secret = webhook_endpoint_create(
        client=second_listener, url=f"https://localhost:{failing_port}/hooks", events=["consent.changed"], actor=officer
    )
    endpoint.active = False
    endpoint.save(update_fields=["active"])
    with running_receiver(tls=tls, secrets=[failing_secret], accepted=failing_file, port=failing_port, status=500):
        consent_services.consent_grant(subject=person, purpose=purpose)
        doomed = WebhookDelivery.objects.get(endpoint=failing)
        assert webhook_delivery_send(doomed.pk) == DeliveryStatus.PENDING
        doomed.refresh_from_db()
        assert doomed.next_attempt_at > timezone.now() and doomed.last_response_code == 500
        # Not yet due: a second task (a duplicate from the queue) does not send early.
        assert webhook_delivery_send(doomed.pk) is None
        assert _send_now(doomed) == DeliveryStatus.PENDING
        assert _send_now(doomed) == DeliveryStatus.DEAD
        assert _send_now(doomed) is None
    assert list(
        WebhookAttempt.objects.filter(delivery=doomed).order_by("number").values_list("number", "response_code")
    ) == [(1, 500), (2, 500), (3, 500)]
    assert accepted_events(failing_file) == []

    # 4. The receiver is fixed; a privacy officer replays the dead letter from admin and it arrives.
    with running_receiver(tls=tls, secrets=[failing_secret], accepted=failing_file, port=failing_port):
        admin = verified_client(officer)
        with django_capture_on_commit_callbacks(execute=True):
            answer = admin.post(
                "/admin/webhooks/webhookdelivery/",
                {"action": "replay", "_selected_action": [doomed.pk]},
                HTTP_ACCEPT_LANGUAGE="en",
            )
        assert answer.status_code == 302
        doomed.refresh_from_db()
        assert doomed.status == DeliveryStatus.DELIVERED
        [arrived] = accepted_events(failing_file)
        assert arrived["event"]["id"] == str(doomed.event_id)
        assert arrived["event"]["data"]["state"] == "granted"
    assert AuditEvent.objects.filter(action="webhook.delivery_replayed", target_id=str(doomed.pk)).exists()
