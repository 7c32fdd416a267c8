"""``/api/v1/consents/``: the citizen's own consents over the API."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import StepUpCheck
from accounts.service_clients.scopes import SCOPES
from consents import services
from consents.models import ConsentEvent, ConsentState, DataCategory, Partner, Purpose
from tests.factories import UserFactory, step_up_passed

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def purpose(code):
    return Purpose.objects.get(code=code)


def state(user, code, partner=None):
    return ConsentState.objects.filter(subject=user, purpose__code=code, partner__code=partner).first()


@pytest.fixture
def health():
    """A sensitive purpose decided in the purpose list itself (the catalogue's sensitive ones all have panels)."""
    category = DataCategory.objects.create(code="health", name_zh="健康信息", name_en="Health data", sensitive=True)
    created = Purpose.objects.create(
        code="health_reminders",
        name_zh="健康提醒",
        name_en="Health reminders",
        description_zh="提醒您参加体检。",
        description_en="Reminding you of health check-ups.",
        kind="optional",
        sensitive=True,
        legal_basis="consent",
        display_order=300,
    )
    created.data_categories.set([category])
    return created


def test_list_shows_state_per_purpose_and_partner(api, citizen):
    services.consent_grant(subject=citizen, purpose=purpose("surveys"))
    body = api.get("/api/v1/consents/").json()
    assert body["policy_version"] == "2026.1"
    purposes = {entry["code"]: entry for entry in body["purposes"]}
    assert purposes["surveys"]["state"] == "granted"
    assert purposes["surveys"]["policy_version"] == "2026.1"
    assert purposes["surveys"]["partners"][0]["code"] == "survey_partner"
    assert purposes["surveys"]["partners"][0]["state"] == "not_decided"
    assert purposes["surveys"]["partners"][0]["agreement_in_force"] is True
    assert purposes["service_provision"]["state"] == "basic"
    assert purposes["recommendations"]["state"] == "not_decided"
    assert purposes["recommendations"]["changed_in"] == "interests"
    assert purposes["surveys"]["changed_in"] is None


def test_grant_and_withdraw_a_plain_purpose(api, citizen):
    granted = api.post("/api/v1/consents/grant/", {"purpose": "surveys"}, format="json")
    assert granted.status_code == 200
    assert granted.json()["state"] == "granted" and granted.json()["policy_version"] == "2026.1"
    assert state(citizen, "surveys").channel == "api"
    withdrawn = api.post("/api/v1/consents/withdraw/", {"purpose": "surveys"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert state(citizen, "surveys").granted is False


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        # Malformed: 400.
        ({"purpose": "not a slug!"}, "purpose", 400),
        ({}, "purpose", 400),
        # Well formed, naming nothing that exists: 404.
        ({"purpose": "no_such_purpose"}, "purpose", 404),
        ({"purpose": "surveys", "partner": "nobody"}, "partner", 404),
        # Well formed and existing, but the rules say no: 409.
        ({"purpose": "surveys", "partner": "face_provider"}, "partner", 409),
        ({"purpose": "service_provision"}, "purpose", 409),
        ({"purpose": "service_taxation"}, "purpose", 409),
        ({"purpose": "location_services"}, "purpose", 409),
        ({"purpose": "face_verification", "partner": "face_provider"}, "purpose", 409),
    ],
)
def test_bad_unknown_or_refused_codes_answer_with_field_errors(api, citizen, body, field, status):
    for endpoint in ("grant", "withdraw"):
        answer = api.post(f"/api/v1/consents/{endpoint}/", body, format="json", **EN)
        assert answer.status_code == status
        assert field in answer.json()
    assert not ConsentEvent.objects.filter(subject=citizen).exists()


def test_sensitive_grant_needs_step_up_with_a_clear_403(health, api, citizen):
    answer = api.post("/api/v1/consents/grant/", {"purpose": "health_reminders"}, format="json", **EN)
    assert answer.status_code == 403
    body = answer.json()
    assert body["code"] == "step_up_required"
    assert body["step_up_url"].endswith("/account/two-factor/step-up/")
    assert "one-time code" in body["detail"]
    assert state(citizen, "health_reminders") is None

    step_up_passed(citizen, client=api)
    assert api.post("/api/v1/consents/grant/", {"purpose": "health_reminders"}, format="json").status_code == 200
    assert state(citizen, "health_reminders").granted is True


def test_partner_sharing_needs_step_up_but_withdrawal_never_does(health, api, citizen):
    services.consent_grant(subject=citizen, purpose=purpose("surveys"))
    change = {"purpose": "surveys", "partner": "survey_partner"}
    assert api.post("/api/v1/consents/grant/", change, format="json").status_code == 403
    check = step_up_passed(citizen, client=api)
    assert api.post("/api/v1/consents/grant/", change, format="json").json()["partner"] == "survey_partner"
    StepUpCheck.objects.filter(pk=check.pk).update(verified_at=timezone.now() - datetime.timedelta(hours=1))
    assert api.post("/api/v1/consents/withdraw/", change, format="json").status_code == 200
    assert state(citizen, "surveys", "survey_partner").granted is False
    services.consent_grant(subject=citizen, purpose=purpose("health_reminders"))
    assert api.post("/api/v1/consents/withdraw/", {"purpose": "health_reminders"}, format="json").status_code == 200


def test_expired_partner_agreement_is_a_409(api, citizen):
    services.consent_grant(subject=citizen, purpose=purpose("surveys"))
    Partner.objects.filter(code="survey_partner").update(agreement_expires_on=datetime.date(2020, 1, 1))
    step_up_passed(citizen, client=api)
    answer = api.post(
        "/api/v1/consents/grant/", {"purpose": "surveys", "partner": "survey_partner"}, format="json", **EN
    )
    assert answer.status_code == 409 and "expired" in answer.json()["partner"][0]


def test_service_clients_can_never_grant_for_a_person(health, citizen, service_client):
    _client, token = service_client(scopes=list(SCOPES))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.post("/api/v1/consents/grant/", {"purpose": "health_reminders"}, format="json").status_code == 403
    assert client.post("/api/v1/consents/grant/", {"purpose": "surveys"}, format="json").status_code == 403
    assert not ConsentState.objects.filter(subject=citizen).exists()


def test_minor_cannot_grant_but_may_withdraw(citizen):
    minor = UserFactory(is_minor=True, language="en")
    client = APIClient()
    client.force_login(minor)
    answer = client.post("/api/v1/consents/grant/", {"purpose": "surveys"}, format="json", **EN)
    assert answer.status_code == 403 and answer.json()["code"] == "guardian_decides"
    assert state(minor, "surveys") is None
    assert client.get("/api/v1/consents/").status_code == 200  # reading is fine
    assert client.post("/api/v1/consents/withdraw/", {"purpose": "surveys"}, format="json").status_code == 200
    assert state(minor, "surveys").granted is False


def test_session_callers_need_the_csrf_token(citizen):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(citizen)
    answer = client.post("/api/v1/consents/grant/", {"purpose": "surveys"}, format="json")
    assert answer.status_code == 403
    assert state(citizen, "surveys") is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/consents/"),
        ("post", "/api/v1/consents/grant/"),
        ("post", "/api/v1/consents/withdraw/"),
        ("get", "/api/v1/consents/history/"),
        ("get", "/api/v1/consents/receipt/"),
    ],
)
def test_anonymous_callers_are_refused(method, path):
    answer = getattr(APIClient(), method)(path, {"purpose": "surveys"}, format="json")
    assert answer.status_code in (401, 403)


def test_history_is_paged_and_only_ones_own(api, citizen):
    other = UserFactory()
    services.consent_grant(subject=other, purpose=purpose("surveys"))
    surveys = purpose("surveys")
    for n in range(23):
        (services.consent_grant if n % 2 == 0 else services.consent_withdraw)(subject=citizen, purpose=surveys)
    first = api.get("/api/v1/consents/history/").json()
    assert first["count"] == 23 and len(first["results"]) == 20 and first["next"]
    event = first["results"][0]
    assert event["purpose"] == "surveys" and event["action"] == "granted" and event["actor"] == "self"
    assert event["channel"] == "web" and event["partner"] is None and event["policy_version"] == "2026.1"
    assert len(api.get("/api/v1/consents/history/?page=2").json()["results"]) == 3


def test_receipt_over_the_api(api, citizen):
    services.consent_grant(subject=citizen, purpose=purpose("surveys"))
    answer = api.get("/api/v1/consents/receipt/")
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    body = answer.json()
    assert body["jurisdiction"] == "CN" and body["version"] == "KI-CR-v1.1.0"
    assert "surveys" in {entry["purposeCode"] for entry in body["services"][0]["purposes"]}


def test_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/consents/",
        "/api/v1/consents/grant/",
        "/api/v1/consents/withdraw/",
        "/api/v1/consents/history/",
        "/api/v1/consents/receipt/",
    ):
        assert f'"{path}"' in schema or f"{path}:" in schema
