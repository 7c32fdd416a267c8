import pytest
from django.db import transaction

from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import webhook_event_publish
from webhooks.tests.factories import webhook_endpoint_for_tests

pytestmark = pytest.mark.django_db


def test_an_event_is_written_once_per_subscribed_active_endpoint(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("webhooks.tasks.webhook_delivery_send.apply_async", lambda args: sent.append(args[0]))
    subscribed, _ = webhook_endpoint_for_tests(events=["consent.changed"])
    webhook_endpoint_for_tests(events=["request.completed"])
    webhook_endpoint_for_tests(events=["consent.changed"], active=False)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        deliveries = webhook_event_publish(event_type="consent.changed", payload={"subject": 7})

    assert [d.endpoint_id for d in deliveries] == [subscribed.pk]
    row = WebhookDelivery.objects.get()
    assert (row.status, row.payload, row.attempts) == (DeliveryStatus.PENDING, {"subject": 7}, 0)
    assert sent == [row.pk]


def test_client_ids_limit_the_event_to_those_clients():
    webhook_endpoint_for_tests(events=["erasure.requested"])
    two, _ = webhook_endpoint_for_tests(events=["erasure.requested"])

    deliveries = webhook_event_publish(
        event_type="erasure.requested", payload={"request": 1}, client_ids=[two.client_id]
    )

    assert [d.endpoint_id for d in deliveries] == [two.pk]


def test_a_rolled_back_change_leaves_no_delivery():
    webhook_endpoint_for_tests()

    with pytest.raises(RuntimeError), transaction.atomic():
        webhook_event_publish(event_type="consent.changed", payload={"subject": 7})
        raise RuntimeError("the change failed")

    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{"email": "zhang.wei@example.cn"}, {"phone": "13812345678"}, {"nested": {"subject": 1}}],
)
def test_a_payload_with_personal_values_or_nesting_is_refused(payload):
    webhook_endpoint_for_tests()

    with pytest.raises((TypeError, ValueError)):
        webhook_event_publish(event_type="consent.changed", payload=payload)

    assert not WebhookDelivery.objects.exists()


def test_an_unknown_event_type_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        webhook_event_publish(event_type="consent.exploded", payload={})


def test_only_active_clients_holding_a_scope_for_the_event_receive_it():
    from accounts.service_clients.scopes import CONSENT_CHECK, CONSENT_EVENTS, ERASURE
    from accounts.service_clients.tests.factories import service_client_register_for_test

    checker, _ = service_client_register_for_test(scopes=[CONSENT_CHECK])
    eraser, _ = service_client_register_for_test(scopes=[ERASURE])
    listener, _ = service_client_register_for_test(scopes=[CONSENT_EVENTS])
    gone, _ = service_client_register_for_test(scopes=[CONSENT_EVENTS])
    gone.active = False
    gone.save(update_fields=["active"])
    endpoints = {
        client.pk: webhook_endpoint_for_tests(client=client, events=["consent.changed", "erasure.requested"])[0]
        for client in (checker, eraser, listener, gone)
    }

    consent = webhook_event_publish(event_type="consent.changed", payload={"subject": 1})
    erasure = webhook_event_publish(event_type="erasure.requested", payload={"request": 1})

    assert [d.endpoint_id for d in consent] == [endpoints[listener.pk].pk]
    assert [d.endpoint_id for d in erasure] == [endpoints[eraser.pk].pk]


def test_hashes_uuids_and_times_are_ids_even_when_they_hold_a_run_of_digits():
    webhook_endpoint_for_tests()
    payload = {
        # Eleven digits starting with 1, as a mobile number would.
        "ledger_hash": "13812345678" + "a" * 53,
        "event": "13812345-6789-4abc-8def-0123456789ab",
        "effective_at": "2026-12-03T07:00:00.123456+00:00",
    }

    [delivery] = webhook_event_publish(event_type="consent.changed", payload=payload)

    assert delivery.payload == payload
