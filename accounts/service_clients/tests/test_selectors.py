"""Who holds a scope, and who is calling."""

import pytest
from rest_framework.test import APIRequestFactory

from accounts.service_clients.authentication import ServiceClientAuthentication
from accounts.service_clients.scopes import CONSENT_CHECK, CONSENT_EVENTS, ERASURE
from accounts.service_clients.selectors import service_client_for_request, service_clients_with_scope
from accounts.service_clients.services import service_client_deactivate

from .factories import _privacy_officer, service_client_register_for_test

pytestmark = pytest.mark.django_db


def test_clients_with_a_scope_are_the_active_ones_holding_it():
    archive, _ = service_client_register_for_test(scopes=[ERASURE, CONSENT_CHECK], name="archive")
    billing, _ = service_client_register_for_test(scopes=[ERASURE], name="billing")
    service_client_register_for_test(scopes=[CONSENT_CHECK], name="recommendations")
    retired, _ = service_client_register_for_test(scopes=[ERASURE], name="retired")
    service_client_deactivate(actor=_privacy_officer(), client=retired)
    assert list(service_clients_with_scope(ERASURE)) == [archive, billing]
    assert list(service_clients_with_scope(CONSENT_EVENTS)) == []


def test_the_client_for_a_request(service_client):
    from rest_framework.request import Request

    client, token = service_client(scopes=[ERASURE])
    request = Request(
        APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}"),
        authenticators=[ServiceClientAuthentication()],
    )
    assert service_client_for_request(request) == client
    anonymous = Request(APIRequestFactory().get("/"), authenticators=[ServiceClientAuthentication()])
    assert service_client_for_request(anonymous) is None
