"""A service's API call skips the browser's middlewares; a person's request runs them all."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.service_clients.scopes import CONSENT_CHECK
from privacy_portal.middleware import BrowserMiddleware, browser_middleware_check
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/consent-check/"


def test_a_service_call_carries_no_session_cookie_and_a_csp_that_allows_nothing(service_client):
    _client, token = service_client(scopes=[CONSENT_CHECK])
    citizen = CitizenFactory()
    api = APIClient()
    answer = api.get(CHECK, {"subject": citizen.pk, "purpose": "surveys"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200
    assert answer.json()["allowed"] is False
    assert answer["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "sessionid" not in answer.cookies and "Cookie" not in answer.get("Vary", "")
    # Still what every answer gets from the middlewares outside the browser's.
    assert answer["X-Request-ID"] and answer["X-Frame-Options"] == "DENY"


def test_a_citizens_session_does_not_sign_in_a_call_with_a_bearer_token(client):
    citizen = CitizenFactory()
    client.force_login(citizen)
    assert client.get("/api/v1/me/").status_code == 200
    refused = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert refused.status_code == 401
    assert refused.json()["detail"]


def test_a_person_in_a_browser_still_gets_the_pages_policy_and_session(client):
    citizen = CitizenFactory()
    client.force_login(citizen)
    page = client.get("/")
    assert page.status_code == 200
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "no-store" in page["Cache-Control"]


def test_a_browser_middleware_with_a_view_hook_is_refused(settings):
    settings.BROWSER_MIDDLEWARE = [*settings.BROWSER_MIDDLEWARE, "django.middleware.csrf.CsrfViewMiddleware"]
    with pytest.raises(ImproperlyConfigured, match="process_view"):
        BrowserMiddleware(lambda request: HttpResponse())


def test_only_api_calls_with_credentials_skip_the_browser(settings):
    seen = []
    settings.BROWSER_MIDDLEWARE = ["privacy_portal.tests.test_browser_middleware.Recording"]
    Recording.seen = seen
    middleware = BrowserMiddleware(lambda request: HttpResponse())
    factory = RequestFactory()
    middleware(factory.get("/api/v1/consent-check/", HTTP_AUTHORIZATION="Bearer x"))
    middleware(factory.get("/api/v1/me/"))
    middleware(factory.get("/requests/", HTTP_AUTHORIZATION="Bearer x"))
    assert seen == ["/api/v1/me/", "/requests/"]


class Recording:
    seen: list = []

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self.seen.append(request.path)
        return self.get_response(request)


def test_the_deployments_middlewares_pass_the_check():
    assert browser_middleware_check() == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda s: setattr(s, "MIDDLEWARE", [m for m in s.MIDDLEWARE if not m.endswith("BrowserMiddleware")]), "E120"),
        (
            lambda s: setattr(s, "BROWSER_MIDDLEWARE", [m for m in s.BROWSER_MIDDLEWARE if "messages" not in m]),
            "E121",
        ),
        (lambda s: setattr(s, "BROWSER_MIDDLEWARE", list(reversed(s.BROWSER_MIDDLEWARE))), "E122"),
    ],
)
def test_the_check_names_what_admin_would_miss(settings, change, error):
    change(settings)
    assert [found.id for found in browser_middleware_check()] == [f"privacy_portal.{error}"]
