"""Bearer tokens on the API: cached principal (0 queries warm), immediate revocation, clear 401/403s."""

import pytest
from django.urls import include, path
from oauth2_provider.models import AccessToken
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.response import Response
from rest_framework.test import APIClient

from accounts.service_clients import principal as principal_module
from accounts.service_clients.permissions import HasServiceScope
from accounts.service_clients.scopes import CONSENT_CHECK, ERASURE
from accounts.service_clients.selectors import service_client_for_request
from accounts.service_clients.services import (
    service_client_deactivate,
    service_client_reactivate,
    service_client_secret_rotate,
    service_client_update,
)
from tests.factories import UserFactory

from .factories import _privacy_officer, access_token_obtain, service_client_register_for_test

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@api_view(["GET"])
@permission_classes([HasServiceScope(CONSENT_CHECK)])
@throttle_classes([])
def ping(request):
    return Response({"ok": True})


@api_view(["GET"])
@permission_classes([HasServiceScope(ERASURE)])
def whoami(request):
    client = service_client_for_request(request)
    return Response({"client": client.name, "user_authenticated": request.user.is_authenticated})


urlpatterns = [
    path("api/v1/test-ping/", ping),
    path("api/v1/test-whoami/", whoami),
    path("", include("privacy_portal.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def bearer(token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def test_a_warm_call_spends_no_query_on_authentication(service_client, django_assert_num_queries):
    _client, token = service_client(scopes=[CONSENT_CHECK])
    api = bearer(token)
    with django_assert_num_queries(1):  # cold: the token, its application and client in one query
        assert api.get("/api/v1/test-ping/").status_code == 200
    with django_assert_num_queries(0):
        assert api.get("/api/v1/test-ping/").status_code == 200


def test_the_cache_holds_the_principal_keyed_by_hash_never_the_token(service_client, settings):
    from django.core.cache import cache

    _client, token = service_client(scopes=[CONSENT_CHECK])
    bearer(token).get("/api/v1/test-ping/")
    key = principal_module.cache_key(principal_module.token_checksum(token))
    cached = cache.get(key)
    assert cached.scopes == frozenset({CONSENT_CHECK})
    assert token not in key and token not in repr(cached)
    assert settings.SERVICE_PRINCIPAL_CACHE_SECONDS <= 60


def test_the_view_sees_the_client_not_a_person(service_client):
    client, token = service_client(scopes=[ERASURE], name="archive service")
    assert bearer(token).get("/api/v1/test-whoami/").json() == {
        "client": "archive service",
        "user_authenticated": False,
    }


@pytest.mark.parametrize(
    "stop",
    [
        pytest.param(lambda client, officer: service_client_deactivate(actor=officer, client=client), id="deactivate"),
        pytest.param(lambda client, officer: service_client_secret_rotate(actor=officer, client=client), id="rotate"),
        pytest.param(lambda client, officer: AccessToken.objects.get().delete(), id="revoke"),
        pytest.param(
            lambda client, officer: service_client_update(
                actor=officer, client=client, name=client.name, scopes=[ERASURE]
            ),
            id="scope-taken-away",
        ),
    ],
)
def test_a_cached_token_stops_at_once(stop):
    client, secret = service_client_register_for_test(scopes=[CONSENT_CHECK, ERASURE])
    api = bearer(access_token_obtain(client, secret))
    assert api.get("/api/v1/test-ping/").status_code == 200  # now cached
    stop(client, _privacy_officer())
    answer = api.get("/api/v1/test-ping/", **EN)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_revocation_through_the_endpoint_stops_a_cached_token(client):
    service, secret = service_client_register_for_test(scopes=[CONSENT_CHECK])
    token = access_token_obtain(service, secret)
    api = bearer(token)
    assert api.get("/api/v1/test-ping/").status_code == 200
    import base64

    basic = base64.b64encode(f"{service.client_id}:{secret}".encode()).decode()
    assert client.post("/o/revoke_token/", {"token": token}, HTTP_AUTHORIZATION=f"Basic {basic}").status_code == 200
    assert api.get("/api/v1/test-ping/").status_code == 401


def test_a_deactivated_client_is_told_so_and_a_reactivated_one_needs_a_new_token():
    client, secret = service_client_register_for_test(scopes=[CONSENT_CHECK])
    token = access_token_obtain(client, secret)
    officer = _privacy_officer()
    service_client_deactivate(actor=officer, client=client)
    answer = bearer(token).get("/api/v1/test-ping/", **EN)
    assert answer.status_code == 401 and "not valid" in answer.json()["detail"]
    service_client_reactivate(actor=officer, client=client)
    assert bearer(token).get("/api/v1/test-ping/").status_code == 401
    assert bearer(access_token_obtain(client, secret)).get("/api/v1/test-ping/").status_code == 200


def test_an_expired_token_is_a_401_that_says_so(service_client):
    _client, token = service_client(scopes=[CONSENT_CHECK])
    AccessToken.objects.update(expires="2020-01-01T00:00:00Z")
    answer = bearer(token).get("/api/v1/test-ping/", **EN)
    assert answer.status_code == 401
    assert answer.json()["detail"] == "The access token has expired. Request a new one at /o/token/."


def test_a_cached_token_expires_on_time(service_client, monkeypatch):
    _client, token = service_client(scopes=[CONSENT_CHECK])
    api = bearer(token)
    assert api.get("/api/v1/test-ping/").status_code == 200
    AccessToken.objects.update(expires="2020-01-01T00:00:00Z")  # no signal: the cache still has it
    real_time = principal_module.time.time
    monkeypatch.setattr(principal_module.time, "time", lambda: real_time() + 3601)
    answer = api.get("/api/v1/test-ping/", **EN)
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


def test_a_token_without_the_scope_is_a_403_that_names_it(service_client):
    _client, token = service_client(scopes=[ERASURE])
    answer = bearer(token).get("/api/v1/test-ping/", **EN)
    assert answer.status_code == 403
    assert answer.json()["detail"] == "This client's access token does not carry the scope consent:check."


def test_the_messages_are_translated(service_client):
    _client, token = service_client(scopes=[ERASURE])
    answer = bearer(token).get("/api/v1/test-ping/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 403 and "consent:check" in answer.json()["detail"]
    assert "scope" not in answer.json()["detail"]
    unknown = bearer("x" * 30).get("/api/v1/test-ping/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert unknown.status_code == 401 and "/o/token/" in unknown.json()["detail"]
    assert "token is not valid" not in unknown.json()["detail"]


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("Bearer", "Malformed Authorization header"),
        ("Bearer a b", "Malformed Authorization header"),
        ("Token 0123456789abcdef", "Unsupported Authorization header"),
        ("Basic dXNlcjpwYXNz", "Unsupported Authorization header"),
        ("Bearer unknown-token", "unknown or has been revoked"),
        ("Bearer t\u00f6ken", "Malformed access token"),
    ],
)
def test_bad_authorization_headers_are_clear_401s(header, words):
    answer = APIClient().get("/api/v1/test-ping/", HTTP_AUTHORIZATION=header, **EN)
    assert answer.status_code == 401
    body = answer.json()
    assert words in body["detail"]
    assert answer["WWW-Authenticate"] == 'Bearer realm="api"'


def test_no_credentials_is_a_401_and_a_citizen_session_a_403():
    assert APIClient().get("/api/v1/test-ping/").status_code == 401
    api = APIClient()
    api.force_authenticate(UserFactory())
    answer = api.get("/api/v1/test-ping/", **EN)
    assert answer.status_code == 403
    assert answer.json()["detail"] == "This endpoint answers registered service clients only."
