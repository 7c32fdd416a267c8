"""Bodies no client should send get a 400 that says why, never a 500, and nothing is stored."""

import pytest
from rest_framework.test import APIClient

from accounts.models import StepUpCheck
from accounts.two_factor.selectors import session_key_hash
from privacy_requests.models import PrivacyRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ENDPOINTS = [("patch", "/api/v1/me/"), ("post", "/api/v1/requests/")]


@pytest.fixture
def api():
    """A signed-in citizen who has just passed the step-up check that filing a request asks for."""
    citizen = UserFactory(language="en")
    client = APIClient()
    client.force_login(citizen)
    StepUpCheck.objects.create(
        user=citizen, method=StepUpCheck.Method.TOTP, session_key_hash=session_key_hash(client.session.session_key)
    )
    return client


def _send(api, method, url, body: bytes):
    return getattr(api, method)(url, body, content_type="application/json", **EN)


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 5000, b"[" * 40 + b"]" * 40])
def test_deeply_nested_json_is_refused(api, method, url, body):
    response = _send(api, method, url, body)
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is nested too deeply."
    assert response.json()["request_id"]
    assert not PrivacyRequest.objects.exists()


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_a_body_over_the_limit_is_refused(api, method, url, settings):
    settings.API_JSON_MAX_BYTES = 1000
    response = _send(api, method, url, b'{"kind": "' + b"x" * 2000 + b'"}')
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is too large."


@pytest.mark.parametrize(
    ("method", "url", "field"), [("post", "/api/v1/requests/", "kind"), ("patch", "/api/v1/me/", "address")]
)
def test_a_lone_surrogate_is_a_field_error(api, method, url, field):
    response = _send(api, method, url, b'{"%s": "\\ud800"}' % field.encode())
    assert response.status_code == 400
    assert response.json()[field] == ["This text contains characters that are not valid Unicode."]
    assert not PrivacyRequest.objects.exists()


def test_a_surrogate_pair_is_a_character_like_any_other(api):
    # U+1F600 written as an escaped pair is valid Unicode: it reaches the serializer, which judges the value.
    response = _send(api, "post", "/api/v1/requests/", b'{"kind": "\\ud83d\\ude00"}')
    assert response.status_code == 400
    assert "not valid Unicode" not in response.content.decode()


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b"NaN", b'{"kind": Infinity}'])
def test_broken_json_is_a_plain_400(api, body):
    response = _send(api, "post", "/api/v1/requests/", body)
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/nothing/", "/api/v1/nothing/", "/api/v2/requests/"])
def test_unmatched_api_paths_answer_json_404(client, path):
    response = client.get(path, **EN)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "Not found."
    assert response.json()["request_id"]


def test_unmatched_pages_still_answer_the_html_page(client):
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_refusal_is_in_the_readers_language():
    client = APIClient()
    client.force_authenticate(UserFactory(language="zh-hans"))
    body = b"[" * 50 + b"]" * 50
    response = client.patch("/api/v1/me/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求正文的嵌套层级过深。"


def test_unmatched_api_paths_answer_json_with_debug_on_too(client, settings):
    settings.DEBUG = True
    response = client.get("/api/v1/nothing/", **EN)
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."


def test_an_api_path_without_its_slash_is_still_redirected(client):
    response = client.get("/api/v1/consent-check?subject=1")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/consent-check/?subject=1"
