"""Interest signals from platform services: kept only with consent, refused whole otherwise, seen by the person."""

import pytest
from rest_framework.test import APIClient

from accounts.service_clients.scopes import CONSENT_CHECK, INTERESTS_WRITE
from audit.models import AuditEvent
from consents.models import ConsentChannel, InterestTag
from consents.personalisation import services
from consents.personalisation.selectors import recommendations_purpose
from consents.services import consent_withdraw
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/interest-signals/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def service(service_client):
    client, token = service_client(scopes=[INTERESTS_WRITE])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client, api


def opt_in(user):
    services.recommendations_opt_in(subject=user, actor=user, channel=ConsentChannel.WEB)


def tags_of(user):
    return sorted(InterestTag.objects.filter(user=user).values_list("tag", flat=True))


def test_a_signal_for_a_consenting_person_is_kept_and_shown_to_them(service, citizen):
    client, api = service
    opt_in(citizen)
    answer = api.post(URL, {"subject": citizen.pk, "tags": ["Transport", "公积金", "transport"]}, format="json")
    assert answer.status_code == 201
    assert answer.json() == {"subject": citizen.pk, "recorded": ["transport", "公积金"]}
    assert tags_of(citizen) == ["transport", "公积金"]

    # The person sees them through their own API, and the audit names the service, never the tags.
    own = APIClient()
    own.force_login(citizen)
    assert sorted(tag["tag"] for tag in own.get("/api/v1/consents/interests/").json()["results"]) == [
        "transport",
        "公积金",
    ]
    event = AuditEvent.objects.get(action="interests.signals_recorded")
    assert event.details == {"service_client_id": client.pk, "count": 2}
    assert "transport" not in str(event.details)


def test_sending_a_tag_again_keeps_it_once(service, citizen):
    _client, api = service
    opt_in(citizen)
    api.post(URL, {"subject": citizen.pk, "tags": ["taxation"]}, format="json")
    again = api.post(URL, {"subject": citizen.pk, "tags": ["taxation", "housing"]}, format="json")
    assert again.status_code == 201
    assert tags_of(citizen) == ["housing", "taxation"]


def test_without_consent_the_signal_is_refused_and_nothing_kept(service, citizen):
    _client, api = service
    answer = api.post(URL, {"subject": citizen.pk, "tags": ["transport"]}, format="json", **EN)
    assert answer.status_code == 409
    assert answer.json()["reason"] == "not_granted"
    assert "not agreed to personalised recommendations" in answer.json()["detail"]
    assert not InterestTag.objects.exists()
    assert not AuditEvent.objects.filter(action="interests.signals_recorded").exists()


def test_after_withdrawal_signals_are_refused_and_earlier_tags_are_gone(service, citizen):
    _client, api = service
    opt_in(citizen)
    api.post(URL, {"subject": citizen.pk, "tags": ["transport"]}, format="json")
    # Withdrawn from the dashboard (the generic path), not the recommendations panel.
    consent_withdraw(subject=citizen, purpose=recommendations_purpose(), channel=ConsentChannel.WEB, actor=citizen)
    assert tags_of(citizen) == []
    answer = api.post(URL, {"subject": citizen.pk, "tags": ["transport"]}, format="json")
    assert answer.status_code == 409 and answer.json()["reason"] == "withdrawn"
    assert tags_of(citizen) == []


def test_an_unknown_or_closed_account_is_404(service):
    _client, api = service
    assert api.post(URL, {"subject": 987654321, "tags": ["transport"]}, format="json").status_code == 404
    closed = UserFactory(is_active=False)
    assert api.post(URL, {"subject": closed.pk, "tags": ["transport"]}, format="json").status_code == 404
    assert not InterestTag.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"subject": 1, "tags": []},
        {"subject": 1, "tags": ["   "]},
        {"subject": 1, "tags": ["x" * 51]},
        {"subject": 1, "tags": [f"t{n}" for n in range(21)]},
        {"subject": "one", "tags": ["transport"]},
        {"tags": ["transport"]},
    ],
)
def test_malformed_signals_are_400_with_nothing_kept(service, citizen, body):
    _client, api = service
    opt_in(citizen)
    body = {**body, "subject": citizen.pk} if body.get("subject") == 1 else body
    answer = api.post(URL, body, format="json", **EN)
    assert answer.status_code == 400
    assert not InterestTag.objects.exists()


def test_broken_json_is_a_400(service):
    _client, api = service
    answer = api.post(URL, data="{nope", content_type="application/json", **EN)
    assert answer.status_code == 400


def test_only_clients_with_the_interests_scope_may_send(service_client, citizen):
    opt_in(citizen)
    _client, token = service_client(scopes=[CONSENT_CHECK])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.post(URL, {"subject": citizen.pk, "tags": ["transport"]}, format="json").status_code == 403
    person = APIClient()
    person.force_login(citizen)
    assert person.post(URL, {"subject": citizen.pk, "tags": ["transport"]}, format="json").status_code == 403
    assert APIClient().post(URL, {"subject": citizen.pk, "tags": ["x"]}, format="json").status_code == 401
    assert not InterestTag.objects.exists()


def test_the_refusal_is_translated(service, citizen):
    _client, api = service
    answer = api.post(URL, {"subject": citizen.pk, "tags": ["x" * 60]}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 400
    refused = api.post(URL, {"subject": citizen.pk, "tags": ["交通"]}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "此人未同意个性化推荐，未记录任何内容。"
