"""Purposes and partners change through audited services; admin is one caller of them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from consents import catalogue_services, services
from consents.models import DataCategory, Partner, Purpose
from consents.selectors import consent_check
from tests.factories import UserFactory

from .test_consents_admin import EN, purpose_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(is_staff=True)


@pytest.fixture
def admin_client(verified_client):
    return verified_client(UserFactory(is_staff=True, is_superuser=True, language="en"))


def partner_form(partner: Partner, **changes) -> dict:
    data = {
        "name_zh": partner.name_zh,
        "name_en": partner.name_en,
        "kind": partner.kind,
        "agreement_reference": partner.agreement_reference,
        "agreement_expires_on": partner.agreement_expires_on.isoformat(),
        "purposes": [p.pk for p in partner.purposes.all()],
        "data_categories": [c.pk for c in partner.data_categories.all()],
    }
    data.update(changes)
    return data


# -- What the services refuse (admin shows these fields read-only or validates them) -----------------


@pytest.mark.parametrize("fields", [{"code": "renamed"}, {"version": 7}, {"created_at": None}])
def test_a_purpose_keeps_its_code_and_version(officer, fields):
    surveys = Purpose.objects.get(code="surveys")
    with pytest.raises(ValidationError):
        catalogue_services.purpose_update(purpose=surveys, actor=officer, fields=fields)
    surveys.refresh_from_db()
    assert (surveys.code, surveys.version) == ("surveys", 1)
    assert not AuditEvent.objects.filter(action="consent.purpose_updated").exists()


def test_a_purpose_refuses_a_value_its_form_would_refuse(officer):
    surveys = Purpose.objects.get(code="surveys")
    with pytest.raises(ValidationError):
        catalogue_services.purpose_update(purpose=surveys, actor=officer, fields={"kind": "mandatory-ish"})
    surveys.refresh_from_db()
    assert surveys.kind != "mandatory-ish"


def test_a_partner_keeps_its_code(officer):
    partner = Partner.objects.get(code="survey_partner")
    with pytest.raises(ValidationError):
        catalogue_services.partner_update(partner=partner, actor=officer, fields={"code": "renamed"})
    assert Partner.objects.filter(code="survey_partner").exists()


def test_a_new_purpose_needs_a_free_code(officer):
    surveys = Purpose.objects.get(code="surveys")
    fields = {name: getattr(surveys, name) for name in catalogue_services.PURPOSE_FIELDS}
    with pytest.raises(ValidationError):
        catalogue_services.purpose_create(actor=officer, code="surveys", fields=fields)


# -- Narrowing at once, widening through a new version -----------------------------------------------


def test_narrowing_a_purpose_keeps_consents_and_is_audited(officer):
    citizen = UserFactory()
    optimisation = Purpose.objects.get(code="service_optimisation")
    services.consent_grant(subject=citizen, purpose=optimisation)
    kept = list(optimisation.data_categories.all()[:1])
    dropped = sorted(c.code for c in optimisation.data_categories.all()[1:])
    assert dropped
    saved = catalogue_services.purpose_update(
        purpose=optimisation, actor=officer, fields={"name_en": "Better service"}, data_categories=kept
    )
    assert saved.version == 1 and list(saved.data_categories.all()) == kept
    assert consent_check(subject=citizen, purpose=optimisation).allowed
    event = AuditEvent.objects.get(action="consent.purpose_updated")
    assert event.actor_id == officer.pk and event.target_id == str(optimisation.pk)
    assert event.details == {"fields": ["name_en"], "data_categories_removed": dropped, "partners_removed": []}


def test_widening_a_purpose_raises_its_version(officer):
    citizen = UserFactory()
    surveys = Purpose.objects.get(code="surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    usage = DataCategory.objects.get(code="usage")
    assert usage not in surveys.data_categories.all()
    saved = catalogue_services.purpose_update(
        purpose=surveys, actor=officer, fields={}, data_categories=[*surveys.data_categories.all(), usage]
    )
    assert saved.version == 2
    assert not consent_check(subject=citizen, purpose=saved).allowed
    assert not AuditEvent.objects.filter(action="consent.purpose_updated").exists()
    assert AuditEvent.objects.filter(action="consent.purpose_widened", target_id=str(surveys.pk)).exists()


def test_unlinking_a_partner_purpose_keeps_consents_and_is_audited(officer):
    citizen = UserFactory()
    surveys = Purpose.objects.get(code="surveys")
    partner = Partner.objects.get(code="survey_partner")
    services.consent_grant(subject=citizen, purpose=surveys)
    catalogue_services.partner_update(partner=partner, actor=officer, fields={}, purposes=[])
    surveys.refresh_from_db()
    assert surveys.version == 1 and partner not in surveys.partners.all()
    assert consent_check(subject=citizen, purpose=surveys).allowed
    event = AuditEvent.objects.get(action="consent.partner_updated")
    assert event.details["purposes_removed"] == ["surveys"]


def test_a_new_partner_widens_the_purposes_it_serves(officer):
    surveys = Purpose.objects.get(code="surveys")
    partner = catalogue_services.partner_create(
        actor=officer,
        code="new_partner",
        fields={
            "name_zh": "新伙伴",
            "name_en": "New partner",
            "kind": Partner.objects.get(code="survey_partner").kind,
            "agreement_reference": "AG-1",
            "agreement_expires_on": datetime.date(2099, 1, 1),
        },
        purposes=[surveys],
    )
    surveys.refresh_from_db()
    assert surveys.version == 2 and partner in surveys.partners.all()
    assert AuditEvent.objects.filter(action="consent.partner_created", target_id=str(partner.pk)).exists()


# -- Admin goes through the services ------------------------------------------------------------------


def test_an_admin_edit_of_a_purpose_writes_the_audit_event(admin_client):
    surveys = Purpose.objects.get(code="surveys")
    answer = admin_client.post(
        f"/admin/consents/purpose/{surveys.pk}/change/", purpose_form(surveys, name_en="Surveys, shorter"), **EN
    )
    assert answer.status_code == 302
    event = AuditEvent.objects.get(action="consent.purpose_updated")
    assert event.details["fields"] == ["name_en"] and event.target_id == str(surveys.pk)


def test_an_admin_edit_of_a_partner_writes_the_audit_event(admin_client):
    partner = Partner.objects.get(code="survey_partner")
    answer = admin_client.post(
        f"/admin/consents/partner/{partner.pk}/change/", partner_form(partner, agreement_reference="AG-2"), **EN
    )
    assert answer.status_code == 302
    event = AuditEvent.objects.get(action="consent.partner_updated")
    assert event.details["fields"] == ["agreement_reference"]


def test_a_purpose_added_in_admin_is_created_by_the_service(admin_client):
    surveys = Purpose.objects.get(code="surveys")
    form = purpose_form(surveys, name_en="Panels", partners=[])
    answer = admin_client.post("/admin/consents/purpose/add/", {**form, "code": "panels"}, **EN)
    assert answer.status_code == 302
    panels = Purpose.objects.get(code="panels")
    assert answer.url.endswith("/admin/consents/purpose/") or str(panels.pk) in answer.url
    assert panels.version == 1 and set(panels.data_categories.all()) == set(surveys.data_categories.all())
    assert AuditEvent.objects.filter(action="consent.purpose_created", target_id=str(panels.pk)).exists()
