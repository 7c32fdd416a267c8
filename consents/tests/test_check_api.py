import pytest
from rest_framework.test import APIClient

from accounts.service_clients.scopes import CONSENT_CHECK
from consents import services
from consents.models import Purpose
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_api(service_client):
    _client, token = service_client(scopes=[CONSENT_CHECK], name="svc-transport")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def test_service_gets_allowed_with_reason_and_policy_version(service_api):
    citizen = UserFactory()
    services.consent_grant(subject=citizen, purpose=Purpose.objects.get(code="recommendations"))
    answer = service_api.get("/api/v1/consent-check/", {"subject": citizen.pk, "purpose": "recommendations"})
    assert answer.status_code == 200
    assert answer.json() == {
        "allowed": True,
        "reason": "granted",
        "policy_version": "2026.1",
        "purpose": "recommendations",
        "partner": None,
    }


def test_service_gets_no_for_a_withdrawn_purpose(service_api):
    citizen = UserFactory()
    recommendations = Purpose.objects.get(code="recommendations")
    services.consent_grant(subject=citizen, purpose=recommendations)
    services.consent_withdraw(subject=citizen, purpose=recommendations)
    answer = service_api.get("/api/v1/consent-check/", {"subject": citizen.pk, "purpose": "recommendations"}).json()
    assert answer["allowed"] is False and answer["reason"] == "withdrawn"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"purpose": "no_such_purpose"}, "purpose"),
        ({"purpose": "face_verification", "partner": "nobody"}, "partner"),
        ({"purpose": "not a slug!"}, "purpose"),
    ],
)
def test_unknown_purpose_or_partner_is_a_clear_400(service_api, params, field):
    citizen = UserFactory()
    answer = service_api.get("/api/v1/consent-check/", {"subject": citizen.pk, **params}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert field in answer.json()


def test_missing_subject_is_400_and_unknown_subject_404(service_api):
    assert service_api.get("/api/v1/consent-check/", {"purpose": "surveys"}).status_code == 400
    assert service_api.get("/api/v1/consent-check/", {"subject": 999999, "purpose": "surveys"}).status_code == 404


def test_citizens_and_anonymous_callers_cannot_use_the_check():
    citizen = UserFactory()
    api = APIClient()
    assert api.get("/api/v1/consent-check/", {"subject": citizen.pk, "purpose": "surveys"}).status_code in (401, 403)
    api.force_authenticate(citizen)
    assert api.get("/api/v1/consent-check/", {"subject": citizen.pk, "purpose": "surveys"}).status_code == 403


def test_a_query_written_differently_gets_the_same_answer(service_api):
    # Plain queries skip the serializer; padded, zero-led or blank-partner ones go through it.
    citizen = UserFactory()
    services.consent_grant(subject=citizen, purpose=Purpose.objects.get(code="recommendations"))
    plain = service_api.get("/api/v1/consent-check/", {"subject": citizen.pk, "purpose": "recommendations"})
    for subject, extra in [(f" {citizen.pk} ", {}), (f"00{citizen.pk}", {}), (str(citizen.pk), {"partner": ""})]:
        answer = service_api.get("/api/v1/consent-check/", {"subject": subject, "purpose": "recommendations", **extra})
        assert answer.status_code == 200 and answer.json() == plain.json()


@pytest.mark.parametrize("subject", ["0", "-3", "1e3", "x"])
def test_a_subject_that_is_not_a_positive_id_is_a_400_on_subject(service_api, subject):
    answer = service_api.get("/api/v1/consent-check/", {"subject": subject, "purpose": "surveys"})
    assert answer.status_code == 400 and "subject" in answer.json()


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json; q=0.9, */*; q=0.1"])
def test_the_answer_is_json_for_every_client_that_accepts_it(service_api, accept):
    citizen = UserFactory()
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    answer = service_api.get("/api/v1/consent-check/", {"subject": citizen.pk, "purpose": "recommendations"}, **headers)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    assert answer.content == (
        b'{"allowed":false,"reason":"not_granted","policy_version":null,"purpose":"recommendations","partner":null}'
    )


def test_a_client_that_accepts_no_json_is_told_so(service_api):
    citizen = UserFactory()
    answer = service_api.get(
        "/api/v1/consent-check/", {"subject": citizen.pk, "purpose": "recommendations"}, HTTP_ACCEPT="text/html"
    )
    assert answer.status_code == 406
