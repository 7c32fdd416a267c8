"""POST /o/token/: client credentials only, a client's own scopes only, tokens that live at most an hour."""

import base64

import pytest
from django.conf import settings
from oauth2_provider.models import AccessToken

from accounts.service_clients.principal import token_checksum
from accounts.service_clients.scopes import CONSENT_CHECK, ERASURE
from accounts.service_clients.services import service_client_deactivate

from .factories import _privacy_officer, service_client_register_for_test

pytestmark = pytest.mark.django_db


def basic(client, secret):
    return "Basic " + base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()


def token_request(http, client, secret, **data):
    return http.post(
        "/o/token/", {"grant_type": "client_credentials", **data}, HTTP_AUTHORIZATION=basic(client, secret)
    )


def test_a_client_gets_a_bearer_token_with_its_scopes_for_at_most_an_hour(client):
    service, secret = service_client_register_for_test(scopes=[CONSENT_CHECK, ERASURE])
    answer = token_request(client, service, secret)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert set(body["scope"].split()) == {CONSENT_CHECK, ERASURE}
    assert 0 < body["expires_in"] <= 3600
    assert settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"] <= 3600
    assert "refresh_token" not in body


def test_only_a_hash_of_the_token_and_the_secret_is_stored(client):
    service, secret = service_client_register_for_test(scopes=[CONSENT_CHECK])
    token = token_request(client, service, secret).json()["access_token"]
    row = AccessToken.objects.get(application=service.application)
    assert row.token == "" and row.token_checksum == token_checksum(token)
    service.application.refresh_from_db()
    assert secret not in service.application.client_secret


def test_a_client_may_narrow_its_scopes_but_not_widen_them(client):
    service, secret = service_client_register_for_test(scopes=[CONSENT_CHECK, ERASURE])
    assert token_request(client, service, secret, scope=ERASURE).json()["scope"] == ERASURE
    refused = token_request(client, service, secret, scope="interests:write")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"


@pytest.mark.parametrize(
    "data",
    [
        {"grant_type": "password", "username": "x", "password": "y"},
        {"grant_type": "authorization_code", "code": "x", "redirect_uri": "https://x.example/"},
        {"grant_type": "refresh_token", "refresh_token": "x"},
    ],
)
def test_no_grant_but_client_credentials(client, data):
    service, secret = service_client_register_for_test(scopes=[CONSENT_CHECK])
    answer = client.post("/o/token/", data, HTTP_AUTHORIZATION=basic(service, secret))
    assert answer.status_code in (400, 401)
    assert answer.json()["error"] in ("unauthorized_client", "invalid_grant", "unsupported_grant_type")
    assert not AccessToken.objects.exists()


def test_a_wrong_secret_or_a_deactivated_client_gets_no_token(client):
    service, secret = service_client_register_for_test(scopes=[CONSENT_CHECK])
    assert token_request(client, service, "wrong").status_code == 401
    service_client_deactivate(actor=_privacy_officer(), client=service)
    refused = token_request(client, service, secret)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize("path", ["/o/authorize/", "/o/applications/", "/o/authorized_tokens/", "/o/introspect/"])
def test_only_the_token_endpoints_are_mounted(client, path):
    assert client.get(path).status_code == 404


def test_revocation_endpoint_revokes(client):
    service, secret = service_client_register_for_test(scopes=[CONSENT_CHECK])
    token = token_request(client, service, secret).json()["access_token"]
    answer = client.post("/o/revoke_token/", {"token": token}, HTTP_AUTHORIZATION=basic(service, secret))
    assert answer.status_code == 200
    assert not AccessToken.objects.exists()
