"""Consents in admin: widening a purpose asks everyone again, partners' agreements, read-only records."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from consents import services
from consents.models import ConsentEvent, ConsentState, DataCategory, OptionalService, Partner, Purpose
from consents.selectors import consent_check
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def admin_client(verified_client):
    return verified_client(UserFactory(is_staff=True, is_superuser=True, language="en"))


def purpose_form(purpose: Purpose, **changes) -> dict:
    data = {
        "name_zh": purpose.name_zh,
        "name_en": purpose.name_en,
        "description_zh": purpose.description_zh,
        "description_en": purpose.description_en,
        "kind": purpose.kind,
        "sensitive": "on" if purpose.sensitive else "",
        "legal_basis": purpose.legal_basis,
        "data_categories": [c.pk for c in purpose.data_categories.all()],
        "partners": [p.pk for p in purpose.partners.all()],
        "active": "on" if purpose.active else "",
        "display_order": purpose.display_order,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_adding_a_data_category_in_admin_widens_the_purpose_and_the_check_says_no(admin_client):
    citizen = UserFactory()
    surveys = Purpose.objects.get(code="surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    assert consent_check(subject=citizen, purpose=surveys).allowed

    location = DataCategory.objects.get(code="location")
    categories = [c.pk for c in surveys.data_categories.all()] + [location.pk]
    answer = admin_client.post(
        f"/admin/consents/purpose/{surveys.pk}/change/", purpose_form(surveys, data_categories=categories), **EN
    )
    assert answer.status_code == 302
    surveys.refresh_from_db()
    assert surveys.version == 2 and location in surveys.data_categories.all()
    decision = consent_check(subject=citizen, purpose=surveys)
    assert (decision.allowed, decision.reason) == (False, "consent_predates_change")
    assert AuditEvent.objects.filter(action="consent.purpose_widened").exists()
    # Consenting again covers the wider purpose.
    services.consent_grant(subject=citizen, purpose=surveys)
    assert consent_check(subject=citizen, purpose=surveys).allowed


def test_adding_a_partner_in_admin_widens_the_purpose(admin_client):
    citizen = UserFactory()
    recommendations = Purpose.objects.get(code="recommendations")
    services.consent_grant(subject=citizen, purpose=recommendations)
    survey_partner = Partner.objects.get(code="survey_partner")
    admin_client.post(
        f"/admin/consents/purpose/{recommendations.pk}/change/",
        purpose_form(recommendations, partners=[survey_partner.pk]),
    )
    recommendations.refresh_from_db()
    assert recommendations.version == 2 and survey_partner in recommendations.partners.all()
    assert not consent_check(subject=citizen, purpose=recommendations).allowed


def test_narrowing_a_purpose_keeps_consents_valid(admin_client):
    citizen = UserFactory()
    optimisation = Purpose.objects.get(code="service_optimisation")
    services.consent_grant(subject=citizen, purpose=optimisation)
    usage = DataCategory.objects.get(code="usage")
    admin_client.post(
        f"/admin/consents/purpose/{optimisation.pk}/change/", purpose_form(optimisation, data_categories=[usage.pk])
    )
    optimisation.refresh_from_db()
    assert list(optimisation.data_categories.all()) == [usage] and optimisation.version == 1
    assert consent_check(subject=citizen, purpose=optimisation).allowed


def test_a_partner_receiving_more_data_widens_its_purposes(admin_client):
    citizen = UserFactory()
    surveys = Purpose.objects.get(code="surveys")
    partner = Partner.objects.get(code="survey_partner")
    services.consent_grant(subject=citizen, purpose=surveys)
    services.consent_grant(subject=citizen, purpose=surveys, partner=partner)
    answer = admin_client.post(
        f"/admin/consents/partner/{partner.pk}/change/",
        {
            "name_zh": partner.name_zh,
            "name_en": partner.name_en,
            "kind": partner.kind,
            "agreement_reference": partner.agreement_reference,
            "agreement_expires_on": partner.agreement_expires_on.isoformat(),
            "purposes": [surveys.pk],
            "data_categories": [c.pk for c in partner.data_categories.all()]
            + [DataCategory.objects.get(code="usage").pk],
        },
    )
    assert answer.status_code == 302
    surveys.refresh_from_db()
    assert surveys.version == 2
    assert not consent_check(subject=citizen, purpose=surveys, partner=partner).allowed


def test_expired_agreements_stand_out_and_can_be_filtered(admin_client):
    Partner.objects.filter(code="survey_partner").update(
        agreement_expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = admin_client.get("/admin/consents/partner/", **EN).content.decode()
    assert 'class="agreement-expired"' in page and "(expired)" in page
    expired = admin_client.get("/admin/consents/partner/?agreement=expired", **EN).content.decode()
    assert "survey_partner" in expired and "face_provider" not in expired


def test_ledger_and_states_are_read_only_and_show_ids_only(admin_client):
    citizen = UserFactory(email="zhang.san@example.cn", first_name="三", last_name="张")
    services.consent_grant(subject=citizen, purpose=Purpose.objects.get(code="surveys"))
    event, state = ConsentEvent.objects.get(), ConsentState.objects.get()
    for url in (
        "/admin/consents/consentevent/",
        f"/admin/consents/consentevent/{event.pk}/change/",
        "/admin/consents/consentstate/",
        f"/admin/consents/consentstate/{state.pk}/change/",
    ):
        page = admin_client.get(url, **EN)
        html = page.content.decode()
        assert page.status_code == 200, url
        assert "zhang.san" not in html and "张三" not in html
        assert 'name="_save"' not in html
    assert admin_client.get("/admin/consents/consentevent/add/").status_code == 403
    assert admin_client.post(f"/admin/consents/consentevent/{event.pk}/delete/").status_code == 403
    found = admin_client.get(f"/admin/consents/consentevent/?q={citizen.pk}").content.decode()
    assert "surveys" in found


def test_ledger_list_query_count_does_not_grow(admin_client, django_assert_max_num_queries):
    citizen = UserFactory()
    surveys = Purpose.objects.get(code="surveys")
    for _ in range(10):
        services.consent_grant(subject=citizen, purpose=surveys)
    with django_assert_max_num_queries(20):
        assert admin_client.get("/admin/consents/consentevent/").status_code == 200


def test_optional_service_fields_are_checked(admin_client):
    transport = OptionalService.objects.get(code="public_transport")
    answer = admin_client.post(
        f"/admin/consents/optionalservice/{transport.pk}/change/",
        {
            "name_zh": transport.name_zh,
            "name_en": transport.name_en,
            "required_fields": '[{"name": "Card Number"}]',
            "active": "on",
        },
        **EN,
    )
    assert answer.status_code == 200 and "each name a distinct lower-case identifier" in answer.content.decode()
    ok = admin_client.post(
        f"/admin/consents/optionalservice/{transport.pk}/change/",
        {
            "name_zh": transport.name_zh,
            "name_en": transport.name_en,
            "required_fields": '[{"name": "card_number", "label_zh": "卡号", "label_en": "Card", "max_length": 30}]',
            "active": "on",
        },
    )
    assert ok.status_code == 302
    transport.refresh_from_db()
    assert transport.required_fields[0]["max_length"] == 30


def test_admin_needs_staff(client):
    client.force_login(UserFactory())
    assert client.get("/admin/consents/consentevent/").status_code == 302
