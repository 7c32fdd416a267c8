"""``/api/v1/requests/``: create (step-up enforced), list, read, withdraw; nobody else's requests."""

import pytest
from rest_framework.test import APIClient

from accounts.service_clients.scopes import ERASURE
from consents.models import ConsentState, Purpose
from consents.services import consent_grant
from privacy_requests import services
from privacy_requests.models import PrivacyRequest, RequestState
from tests.factories import UserFactory, step_up_passed

pytestmark = pytest.mark.django_db
URL = "/api/v1/requests/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _file(user, kind="access"):
    check = step_up_passed(user)
    return services.privacy_request_create(requester=user, kind=kind, details={}, identity_check=check)


def test_anonymous_callers_get_nothing():
    client = APIClient()
    assert client.get(URL).status_code in (401, 403)
    assert client.post(URL, {"kind": "access"}, format="json").status_code in (401, 403)


def test_create_without_step_up_is_a_clear_403(api):
    response = api.post(URL, {"kind": "access"}, format="json", **EN)
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "step_up_required"
    assert "one-time code" in body["detail"] and body["step_up_url"].startswith("http")
    assert not PrivacyRequest.objects.exists()


def test_a_service_client_cannot_file_requests(citizen, service_client):
    _client, token = service_client(scopes=[ERASURE])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.post(URL, {"kind": "access"}, format="json").status_code == 403
    assert not PrivacyRequest.objects.exists()


def test_create_records_the_step_up_check(api, citizen):
    check = step_up_passed(citizen, client=api)
    response = api.post(URL, {"kind": "export", "details": {"note": "for my bank"}}, format="json", **EN)
    assert response.status_code == 201, response.content
    body = response.json()
    request = PrivacyRequest.objects.get(pk=body["id"])
    assert request.identity_check == check and request.channel == "api"
    assert body["state"] == "identity_verified" and body["due_date"] and body["reference"].startswith("PR-")
    assert body["details"] == {"note": "for my bank"}
    assert [event["action"] for event in body["events"]] == ["submitted", "verify"]


def test_create_checks_details_like_the_page(api, citizen):
    step_up_passed(citizen, client=api)
    response = api.post(
        URL, {"kind": "correction", "details": {"field": "phone", "new_value": "123", "reason": ""}}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["details"]
    assert "new_value" in errors and "reason" in errors
    assert api.post(URL, {"kind": "cancellation"}, format="json").status_code == 400
    assert not PrivacyRequest.objects.exists()


def test_duplicate_is_409_with_the_open_request(api, citizen):
    first = _file(citizen)
    step_up_passed(citizen, client=api)
    response = api.post(URL, {"kind": "access"}, format="json")
    assert response.status_code == 409
    assert response.json()["open_request"]["reference"] == first.reference


def test_withdrawal_completes_at_once(api, citizen):
    purpose = Purpose.objects.get(code="surveys")
    consent_grant(subject=citizen, purpose=purpose)
    step_up_passed(citizen, client=api)
    response = api.post(URL, {"kind": "withdrawal", "details": {"purposes": ["surveys"]}}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "completed"
    assert ConsentState.objects.get(subject=citizen, purpose=purpose, partner=None).granted is False


def test_list_and_read_only_my_own(api, citizen):
    mine = _file(citizen)
    theirs = _file(UserFactory())
    listed = api.get(URL).json()
    assert [row["reference"] for row in listed["results"]] == [mine.reference]
    assert api.get(f"{URL}{mine.pk}/").json()["reference"] == mine.reference
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404


def test_withdraw(api, citizen):
    mine = _file(citizen)
    theirs = _file(UserFactory())
    assert api.post(f"{URL}{theirs.pk}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == RequestState.IDENTITY_VERIFIED
    response = api.post(f"{URL}{mine.pk}/withdraw/")
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    again = api.post(f"{URL}{mine.pk}/withdraw/", **EN)
    assert again.status_code == 409 and again.json()["code"] == "not_allowed"


def test_requests_are_in_the_openapi_schema(api):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/v1/requests/", "/api/v1/requests/{request_id}/", "/api/v1/requests/{request_id}/withdraw/"):
        assert path in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/requests/"]


def test_daily_export_limit_is_429_with_retry_after(api, citizen):
    for _ in range(3):
        services.privacy_request_withdraw(request=_file(citizen, "export"), actor=citizen)
    step_up_passed(citizen, client=api)
    response = api.post(URL, {"kind": "access"}, format="json", **EN)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert PrivacyRequest.objects.filter(requester=citizen).count() == 3
