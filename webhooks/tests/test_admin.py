"""Endpoints, secrets and the delivery log in admin: privacy officers act, auditors read, others see nothing."""

import socket

import pytest
from django.db import connection

from audit.models import AuditEvent
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.tests.factories import webhook_endpoint_for_tests

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ADD = "/admin/webhooks/webhookendpoint/add/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    """hooks.example.com is public, inside.example.com private; nothing leaves the machine."""

    def fake(host, port, *args, **kwargs):
        address = {"hooks.example.com": "93.184.215.14", "inside.example.com": "10.0.0.8"}[host]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def officer_client(verified_client, officer):
    return verified_client(officer)


@pytest.fixture
def listener():
    from accounts.service_clients.tests.factories import service_client_register_for_test

    return service_client_register_for_test(scopes=["consent:events"])[0]


def form(client, **changes):
    data = {
        "client": str(client.pk),
        "url": "https://hooks.example.com/portal",
        "events": ["consent.changed"],
        "active": "on",
    }
    data.update(changes)
    return data


def test_an_officer_registers_an_endpoint_and_sees_its_secret_once(officer_client, officer, listener):
    answer = officer_client.post(ADD, form(listener), **EN)

    assert answer.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    page = answer.content.decode()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in page and "not shown again" in page
    # Stored encrypted, and not on the endpoint's own page.
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        assert endpoint.secret not in cursor.fetchone()[0]
    assert (
        endpoint.secret
        not in officer_client.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/").content.decode()
    )
    event = AuditEvent.objects.get(action="webhook.endpoint_created")
    assert (event.actor_id, event.target_id) == (officer.pk, str(endpoint.pk))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"url": "http://hooks.example.com/portal"}, "url", "must start with https://"),
        ({"url": "https://inside.example.com/portal"}, "url", "private, loopback"),
        ({"events": []}, "events", "This field is required"),
    ],
)
def test_a_bad_endpoint_is_a_field_error_with_nothing_saved(officer_client, listener, changes, field, message):
    answer = officer_client.post(ADD, form(listener, **changes), **EN)

    assert answer.status_code == 200
    assert message in str(answer.context["adminform"].form.errors[field])
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="webhook.").exists()


def test_rotation_shows_the_new_secret_once_and_keeps_the_old_for_the_grace_period(officer_client, officer):
    endpoint, old = webhook_endpoint_for_tests()
    url = f"/admin/webhooks/webhookendpoint/{endpoint.pk}/rotate-secret/"
    assert url in officer_client.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/", **EN).content.decode()
    assert officer_client.get(url, **EN).status_code == 200
    assert WebhookEndpoint.objects.get().secret == old  # a GET changes nothing

    answer = officer_client.post(url, **EN)

    endpoint.refresh_from_db()
    assert answer.status_code == 200 and endpoint.secret != old and endpoint.secret in answer.content.decode()
    assert endpoint.previous_secret == old and endpoint.signing_secrets() == [endpoint.secret, old]
    assert AuditEvent.objects.filter(action="webhook.secret_rotated", actor_id=officer.pk).exists()


def test_the_delivery_log_of_an_endpoint_filters_by_status(officer_client):
    endpoint, _ = webhook_endpoint_for_tests()
    other, _ = webhook_endpoint_for_tests()
    dead = WebhookDelivery.objects.create(endpoint=endpoint, event_type="consent.changed", status=DeliveryStatus.DEAD)
    WebhookDelivery.objects.create(endpoint=endpoint, event_type="consent.changed", status=DeliveryStatus.DELIVERED)
    WebhookDelivery.objects.create(endpoint=other, event_type="consent.changed", status=DeliveryStatus.DEAD)

    answer = officer_client.get(DELIVERIES, {"endpoint__id__exact": endpoint.pk, "status__exact": "dead"}, **EN)

    assert [d.pk for d in answer.context["cl"].result_list] == [dead.pk]
    assert officer_client.get(f"{DELIVERIES}{dead.pk}/change/", **EN).status_code == 200


def test_replay_queues_only_dead_or_delivered_deliveries(officer_client, django_capture_on_commit_callbacks):
    endpoint, _ = webhook_endpoint_for_tests()
    dead = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="consent.changed", status=DeliveryStatus.DEAD, attempts=8
    )
    pending = WebhookDelivery.objects.create(endpoint=endpoint, event_type="consent.changed", attempts=2)

    with django_capture_on_commit_callbacks() as queued:
        answer = officer_client.post(
            DELIVERIES, {"action": "replay", "_selected_action": [dead.pk, pending.pk]}, follow=True, **EN
        )

    dead.refresh_from_db()
    pending.refresh_from_db()
    assert (dead.status, dead.attempts) == (DeliveryStatus.PENDING, 0) and pending.attempts == 2
    assert len(queued) == 1
    assert "1 deliveries were skipped" in answer.content.decode()


@pytest.mark.parametrize("role", ["customer_service", "auditor_user"])
def test_other_roles_cannot_register_rotate_or_replay(request, verified_client, listener, role):
    if role == "auditor_user":
        from accounts.roles import StaffRole
        from tests.factories import StaffFactory

        request.getfixturevalue("groups")
        user = StaffFactory(role=StaffRole.AUDITOR, username="auditor")
    else:
        user = request.getfixturevalue(role)
    client = verified_client(user)
    endpoint, secret = webhook_endpoint_for_tests()
    dead = WebhookDelivery.objects.create(endpoint=endpoint, event_type="consent.changed", status=DeliveryStatus.DEAD)

    assert client.post(ADD, form(listener), **EN).status_code == 403
    assert client.post(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/rotate-secret/", **EN).status_code == 403
    client.post(DELIVERIES, {"action": "replay", "_selected_action": [dead.pk]}, **EN)

    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DEAD
    assert WebhookEndpoint.objects.get().secret == secret
    # Auditors read the log; customer service does not see it at all.
    expected = 200 if role == "auditor_user" else 403
    assert client.get(DELIVERIES, **EN).status_code == expected


def test_an_event_the_clients_scopes_do_not_allow_is_a_field_error(officer_client):
    from accounts.service_clients.tests.factories import service_client_register_for_test

    checker, _ = service_client_register_for_test(scopes=["consent:check"])

    answer = officer_client.post(ADD, form(checker, events=["consent.changed"]), **EN)

    assert "scopes do not allow these events: consent.changed" in str(answer.context["adminform"].form.errors["events"])
    assert not WebhookEndpoint.objects.exists()


def test_the_services_refuse_staff_without_the_permission(customer_service, listener):
    from django.core.exceptions import PermissionDenied

    from webhooks import services

    endpoint, _ = webhook_endpoint_for_tests(client=listener)
    dead = WebhookDelivery.objects.create(endpoint=endpoint, event_type="consent.changed", status=DeliveryStatus.DEAD)
    calls = [
        lambda: services.webhook_endpoint_create(
            client=listener, url="https://hooks.example.com/", events=["consent.changed"], actor=customer_service
        ),
        lambda: services.webhook_endpoint_update(
            endpoint=endpoint, url=endpoint.url, events=endpoint.events, active=False, actor=customer_service
        ),
        lambda: services.webhook_secret_rotate(endpoint=endpoint, actor=customer_service),
        lambda: services.webhook_deliveries_replay(deliveries=[dead], actor=customer_service),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert not AuditEvent.objects.filter(action__startswith="webhook.").exists()
