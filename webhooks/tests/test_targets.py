"""Endpoint URLs: https only, and never an address inside a private network, at saving and at sending."""

import socket

import pytest
from django.utils import translation

from accounts.service_clients.tests.factories import service_client_register_for_test
from audit.models import AuditEvent
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import WebhookError, webhook_delivery_attempt, webhook_endpoint_create
from webhooks.targets import TargetRefused, target_addresses
from webhooks.tests.factories import webhook_endpoint_for_tests

PUBLIC = "93.184.215.14"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def dns(monkeypatch):
    """``dns("hooks.example.com", "10.0.0.5", ...)``: what the resolver answers for a host from now on."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        if not answers[host]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)

    def answer(host, *addresses):
        answers[host] = list(addresses)

    return answer


def test_a_public_https_url_is_accepted(dns):
    dns("hooks.example.com", PUBLIC)
    assert target_addresses("https://hooks.example.com:8443/portal") == ("hooks.example.com", 8443, [PUBLIC])


@pytest.mark.parametrize(
    ("url", "addresses", "message"),
    [
        ("http://hooks.example.com/", [PUBLIC], "https://"),
        ("ftp://hooks.example.com/", [PUBLIC], "https://"),
        ("https://user:pw@hooks.example.com/", [PUBLIC], "user name or password"),
        ("https:///nohost", [PUBLIC], "valid URL"),
        ("https://hooks.example.com:99999/", [PUBLIC], "valid URL"),
        ("https://hooks.example.com/", [], "cannot be found"),
        ("https://hooks.example.com/", ["127.0.0.1"], "private"),
        ("https://hooks.example.com/", ["10.1.2.3"], "private"),
        ("https://hooks.example.com/", ["192.168.0.10"], "private"),
        ("https://hooks.example.com/", ["172.16.5.4"], "private"),
        ("https://hooks.example.com/", ["100.64.0.1"], "private"),  # carrier-grade NAT
        ("https://hooks.example.com/", ["169.254.169.254"], "private"),  # cloud metadata
        ("https://hooks.example.com/", ["224.0.0.1"], "private"),
        ("https://hooks.example.com/", ["240.0.0.1"], "private"),
        ("https://hooks.example.com/", ["0.0.0.0"], "private"),  # noqa: S104 - an address to refuse
        ("https://hooks.example.com/", ["::1"], "private"),
        ("https://hooks.example.com/", ["fe80::1"], "private"),
        ("https://hooks.example.com/", ["fd00::1"], "private"),
        ("https://hooks.example.com/", ["::ffff:10.0.0.1"], "private"),
        # One bad address among good ones is enough: the connection could go to any of them.
        ("https://hooks.example.com/", [PUBLIC, "10.0.0.7"], "private"),
    ],
)
def test_urls_that_are_not_https_or_lead_inside_are_refused(dns, url, addresses, message):
    dns("hooks.example.com", *addresses)
    with pytest.raises(TargetRefused, match=message):
        target_addresses(url)


def test_literal_private_addresses_are_refused_too():
    with pytest.raises(TargetRefused, match="private"):
        target_addresses("https://127.0.0.1:8443/")
    with pytest.raises(TargetRefused, match="private"):
        target_addresses("https://[::1]/")


def test_the_test_setting_lets_loopback_through(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    assert target_addresses("https://127.0.0.1:8443/")[2] == ["127.0.0.1"]


@pytest.mark.django_db
def test_registering_a_private_target_is_a_field_error_and_nothing_is_stored(dns, officer):
    dns("hooks.example.com", "10.0.0.5")
    with pytest.raises(WebhookError) as refused:
        webhook_endpoint_create(
            client=service_client_register_for_test(scopes=["consent:events"])[0],
            url="https://hooks.example.com/",
            events=["consent.changed"],
            actor=officer,
        )
    assert set(refused.value.problems) == {"url"}
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="webhook.").exists()


@pytest.mark.django_db
def test_a_host_that_turns_private_after_registration_is_not_contacted(dns, monkeypatch):
    """DNS rebinding: the address is checked again before each delivery, and the check decides."""
    dns("hooks.example.com", PUBLIC)
    endpoint, _ = webhook_endpoint_for_tests(url="https://hooks.example.com/portal")
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event_type="consent.changed", payload={"subject": 1})
    connections = []
    monkeypatch.setattr(
        socket, "create_connection", lambda *a, **k: connections.append(a) or (_ for _ in ()).throw(OSError())
    )
    dns("hooks.example.com", "169.254.169.254")

    assert webhook_delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.PENDING

    assert connections == []
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.response_code is None and "private" in attempt.error
