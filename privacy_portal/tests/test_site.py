"""The site-wide behaviour every page shares."""

import logging

import pytest
from django.test import Client
from django.urls import path

from core.logging import RequestIdFilter
from core.request_reference import request_reference_grouped
from privacy_portal import urls as root_urls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_home_page_is_public_and_in_chinese_by_default(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "您的个人信息，由您做主" in html
    assert 'href="#main"' in html and '<main id="main"' in html
    assert "12345" in html
    assert "no-store" not in page.get("Cache-Control", "")


def test_switching_language_to_english_sticks(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Your personal information, in your hands" in html


def test_switching_language_is_remembered_on_the_account(client):
    user = UserFactory(language="zh-hans")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"


def test_language_switch_refuses_foreign_redirects(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example.com/"})
    assert response["Location"] == "/"


def test_security_headers_on_every_page(client):
    page = client.get("/")
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert len(page["X-Request-ID"]) >= 8


def test_signed_in_pages_are_never_cached(client):
    client.force_login(UserFactory())
    page = client.get("/")
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]


def test_no_inline_script_anywhere_on_the_layout(client):
    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    assert "<script>" not in html and "onclick=" not in html


@pytest.mark.parametrize(
    ("language", "text"),
    [("zh-hans", "页面不存在"), ("en", "Page not found")],
)
def test_friendly_404_in_both_languages_with_request_id(client, language, text):
    page = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language, HTTP_X_REQUEST_ID="support-case-1234")
    assert page.status_code == 404
    html = page.content.decode()
    assert text in html
    # A client cannot choose the reference staff will look up: the portal makes its own.
    assert "support-case-1234" not in html and page["X-Request-ID"] != "support-case-1234"
    assert request_reference_grouped(page["X-Request-ID"]) in html


def _boom(request):
    raise RuntimeError("database exploded for 440103199001011234")


urlpatterns = [*root_urls.urlpatterns, path("boom/", _boom)]
handler500 = root_urls.handler500


@pytest.mark.urls("privacy_portal.tests.test_site")
@pytest.mark.parametrize(("language", "text"), [("zh-hans", "出错了"), ("en", "Something went wrong")])
def test_server_error_page_shows_request_id_and_no_traceback(language, text):
    client = Client(raise_request_exception=False)
    page = client.get("/boom/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 500
    html = page.content.decode()
    assert text in html
    reference = page["X-Request-ID"]
    assert len(reference) == 8 and reference.isalnum() and not set(reference) & set("0O1IL")
    assert f"{reference[:4]}-{reference[4:]}</code>" in html
    assert "Traceback" not in html and "RuntimeError" not in html and "440103" not in html


@pytest.mark.urls("privacy_portal.tests.test_site")
def test_the_log_record_of_a_server_error_carries_the_reference_on_the_page():
    records = []
    handler = logging.Handler()
    handler.addFilter(RequestIdFilter())
    handler.emit = records.append
    logging.getLogger("django.request").addHandler(handler)
    try:
        page = Client(raise_request_exception=False).get("/boom/", HTTP_ACCEPT_LANGUAGE="en")
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    reference = page["X-Request-ID"]
    assert len(reference) == 8
    assert [record.request_id for record in records if record.levelno >= logging.ERROR] == [reference]
    assert f"{reference[:4]}-{reference[4:]}" in page.content.decode()


def test_healthz_is_liveness_only_and_asks_no_dependency(client, settings, monkeypatch):
    """A broken database or broker must not make a load balancer pull the node."""
    from django.db import connection

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(connection, "ensure_connection", _refused)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def _refused(*args, **kwargs):
    from django.db import OperationalError

    raise OperationalError("connection refused")


@pytest.fixture
def fresh_readiness(monkeypatch):
    """Forget this process's memo that every migration is applied."""
    from privacy_portal import health

    monkeypatch.setattr(health, "_migrations_applied", False)


def test_readyz_is_ready_with_the_database_migrated(client, settings, fresh_readiness):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/14"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok", "broker": "ok"}


def test_readyz_reports_an_unreachable_broker_but_stays_ready(client, settings, fresh_readiness):
    from privacy_portal.celery import app

    original = app.conf.broker_url  # before the setting changes: the first read loads it
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 200
    assert response.json()["broker"] == "unreachable"


def test_readyz_is_503_while_a_migration_is_missing(client, fresh_readiness):
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder(connection).record_unapplied("audit", "0004_event_key_id")  # one in the middle
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"
    assert response.json()["status"] == "unavailable"
    # Applied again (migrate ran): ready without a restart.
    MigrationRecorder(connection).record_applied("audit", "0004_event_key_id")
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_while_the_database_is_unreachable(client, monkeypatch, fresh_readiness):
    from django.db import connection

    monkeypatch.setattr(connection, "ensure_connection", _refused)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert "Traceback" not in response.content.decode()


def test_readyz_in_process_mode(client, settings, fresh_readiness):
    settings.CELERY_BROKER_URL = ""
    assert client.get("/readyz").json()["broker"] == "in-process"


def test_policy_page_is_public(client):
    assert client.get("/policy/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_signed_in_person_sees_their_saved_language_on_a_new_device(client):
    client.force_login(UserFactory(language="en"))
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="en">' in html
