"""A database outage: probes still tell the truth, and pages say "try again" with a 503."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _signed_in_client() -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    return client


def _database_down(monkeypatch):
    def refuse(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(SessionStore, "load", refuse)


def test_liveness_never_touches_the_database_even_with_a_session(django_assert_num_queries):
    client = _signed_in_client()
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_a_probe_with_a_session_cookie_is_answered_when_the_session_cannot_be_read(monkeypatch):
    client = _signed_in_client()
    _database_down(monkeypatch)
    assert client.get("/healthz").status_code == 200
    # readiness reads only what it checks; the broken session store is never asked
    assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize(("language", "text"), [("en", "Temporarily unavailable"), ("zh-hans", "暂时无法使用")])
def test_a_page_during_a_database_outage_is_a_503_that_says_to_try_again(monkeypatch, language, text):
    client = _signed_in_client()
    _database_down(monkeypatch)
    response = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert text in body and "Traceback" not in body and "OperationalError" not in body


def test_an_api_call_during_a_database_outage_is_a_json_503(monkeypatch):
    client = _signed_in_client()
    _database_down(monkeypatch)
    response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response.json()["detail"].startswith("The service is temporarily unavailable")


def test_other_failures_stay_500(monkeypatch):
    client = _signed_in_client()

    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(SessionStore, "load", broken)
    assert client.get("/privacy/").status_code == 500
