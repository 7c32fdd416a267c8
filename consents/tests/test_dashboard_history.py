"""Consent history (paged, one's own only) and the downloadable consent receipt."""

import json
import uuid

import pytest

from consents import services
from consents.models import ConsentChannel, ConsentSubject, Partner, Purpose
from tests.factories import GuardianLinkFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def purpose(code):
    return Purpose.objects.get(code=code)


def test_history_lists_events_newest_first_with_who_acted(client, citizen):
    staff = UserFactory(is_staff=True)
    surveys = purpose("surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    services.consent_grant(subject=citizen, purpose=surveys, partner=Partner.objects.get(code="survey_partner"))
    services.consent_withdraw(subject=citizen, purpose=purpose("personal_settings"), channel="staff", actor=staff)
    client.force_login(citizen)
    page = client.get("/privacy/history/", **EN)
    assert page.status_code == 200
    rows = page.context["events"]
    assert [(e.purpose.code, e.action, e.actor_label) for e in rows] == [
        ("personal_settings", "withdrawn", "staff"),
        ("surveys", "granted", "you"),
        ("surveys", "granted", "you"),
    ]
    html = page.content.decode()
    assert "Survey supplier (sandbox)" in html and "Survey invitations" in html
    assert "Staff on the person&#x27;s behalf" in html or "Staff on the person's behalf" in html


def test_history_is_paged_twenty_a_page(client, citizen):
    surveys = purpose("surveys")
    for n in range(25):
        (services.consent_grant if n % 2 == 0 else services.consent_withdraw)(subject=citizen, purpose=surveys)
    client.force_login(citizen)
    first = client.get("/privacy/history/", **EN)
    assert len(first.context["events"]) == 20
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/privacy/history/?page=2")
    assert len(second.context["events"]) == 5
    assert client.get("/privacy/history/?page=nonsense").status_code == 200


def test_history_shows_only_ones_own_events(client, citizen):
    other = UserFactory()
    services.consent_grant(subject=other, purpose=purpose("surveys"))
    client.force_login(citizen)
    assert list(client.get("/privacy/history/").context["events"]) == []
    assert client.get(f"/privacy/for/{other.pk}/history/").status_code == 404


def test_history_needs_sign_in(client):
    assert client.get("/privacy/history/").status_code == 302


def test_ward_history_names_the_guardian(client, citizen):
    minor = UserFactory(is_minor=True, language="en")
    GuardianLinkFactory(guardian=citizen, minor=minor)
    services.consent_grant(subject=minor, purpose=purpose("surveys"), channel=ConsentChannel.GUARDIAN, actor=citizen)
    client.force_login(minor)
    assert [e.actor_label for e in client.get("/privacy/history/", **EN).context["events"]] == ["your guardian"]
    client.force_login(citizen)
    assert [e.actor_label for e in client.get(f"/privacy/for/{minor.pk}/history/", **EN).context["events"]] == ["you"]


# -- Receipt ------------------------------------------------------------------------------------------


def _receipt(client, **headers):
    response = client.get("/privacy/receipt.json", **headers)
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_receipt_is_a_no_store_attachment_after_kantara(client, citizen):
    surveys = purpose("surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    services.consent_grant(subject=citizen, purpose=surveys, partner=Partner.objects.get(code="survey_partner"))
    services.consent_grant(subject=citizen, purpose=purpose("location_services"))
    services.consent_grant(subject=citizen, purpose=purpose("personal_settings"))
    services.consent_withdraw(subject=citizen, purpose=purpose("personal_settings"))
    client.force_login(citizen)
    response, receipt = _receipt(client, **EN)

    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="consent-receipt-')
    assert "no-store" in response["Cache-Control"]
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["jurisdiction"] == "CN"
    assert receipt["publicKey"] is None
    assert receipt["language"] == "en"
    uuid.UUID(receipt["consentReceiptID"])
    assert isinstance(receipt["consentTimestamp"], int)
    assert receipt["piiPrincipalId"] == str(ConsentSubject.objects.get(user=citizen).ref)
    assert str(citizen.pk) != receipt["piiPrincipalId"] and citizen.email not in response.content.decode()
    controller = receipt["piiControllers"][0]
    assert controller["phone"] == "12345" and "12345" in controller["contact"]
    assert controller["address"] == "mainland China"
    assert receipt["policyUrl"] == "http://testserver/policy/2026.1/"

    purposes = {entry["purposeCode"]: entry for entry in receipt["services"][0]["purposes"]}
    assert "personal_settings" not in purposes  # withdrawn
    assert "recommendations" not in purposes  # never given
    assert purposes["service_provision"]["consentType"] == "implied-by-law"
    assert purposes["service_provision"]["primaryPurpose"] is True
    surveys_entry = purposes["surveys"]
    assert surveys_entry["consentType"] == "explicit"
    assert surveys_entry["termination"] == "until withdrawn"
    assert surveys_entry["thirdPartyDisclosure"] is True
    assert surveys_entry["thirdPartyName"] == ["Survey supplier (sandbox)"]
    assert surveys_entry["piiCategory"] == ["Contact details (email, mobile number)"]
    assert surveys_entry["policyVersion"] == "2026.1"
    assert surveys_entry["purpose"] == "Survey invitations"
    assert purposes["location_services"]["thirdPartyDisclosure"] is False
    assert purposes["location_services"]["sensitive"] is True
    assert receipt["sensitive"] is True
    assert "Location" in receipt["spiCat"]


def test_receipt_id_is_new_each_time_and_principal_stable(client, citizen):
    client.force_login(citizen)
    _, first = _receipt(client)
    _, second = _receipt(client)
    assert first["consentReceiptID"] != second["consentReceiptID"]
    assert first["piiPrincipalId"] == second["piiPrincipalId"]


def test_receipt_needs_sign_in(client):
    assert client.get("/privacy/receipt.json").status_code == 302
