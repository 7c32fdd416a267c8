"""The dashboard keeps the catalogue's texts between requests, and never shows anything stale.

Names, descriptions, categories and partners are rendered once per copy of
the catalogue, language and day; the person's choices, location history and
verification are read on every request. A change of either shows at once.
"""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from consents import services
from consents.dashboard.catalogue_texts import catalogue_texts
from consents.dashboard.selectors import catalogue_load
from consents.location import services as location_services
from consents.models import (
    ConsentChannel,
    InterestTag,
    OptionalService,
    Partner,
    Purpose,
    ServiceEnrolment,
    StrongVerification,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def admin_client(verified_client):
    return verified_client(UserFactory(is_staff=True, is_superuser=True, language="en"))


@pytest.fixture
def client_factory():
    return Client


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    return client


def rows(page):
    return {row.purpose.code: row for row in page.context["rows"]}


def partner_form(partner: Partner, **changes) -> dict:
    data = {
        "name_zh": partner.name_zh,
        "name_en": partner.name_en,
        "kind": partner.kind,
        "agreement_reference": partner.agreement_reference,
        "agreement_expires_on": partner.agreement_expires_on.isoformat(),
        "purposes": [purpose.pk for purpose in partner.purposes.all()],
        "data_categories": [category.pk for category in partner.data_categories.all()],
    }
    data.update(changes)
    return data


def test_the_catalogue_texts_are_rendered_once_per_copy_and_language():
    catalogue = catalogue_load()
    today = timezone.localdate()
    with translation.override("en"):
        english = catalogue_texts(catalogue, today=today)
        assert catalogue_texts(catalogue, today=today) is english
    with translation.override("zh-hans"):
        chinese = catalogue_texts(catalogue, today=today)
    with translation.override("en"):
        assert catalogue_texts(catalogue, today=today) is english  # kept while Chinese readers come and go
    surveys = Purpose.objects.get(code="surveys")
    assert "Survey invitations" in english[surveys.pk].title
    assert surveys.name_zh in chinese[surveys.pk].title
    # Another day is rendered again: whether an agreement is in force turns on the date.
    with translation.override("en"):
        assert catalogue_texts(catalogue, today=today + datetime.timedelta(days=1)) is not english


def test_choices_show_at_once_on_a_dashboard_seen_before(signed_in, citizen):
    partner = Partner.objects.get(code="survey_partner")
    before = signed_in.get("/privacy/", **EN)
    assert rows(before)["surveys"].state == "not_decided"

    signed_in.post("/privacy/consent/surveys/grant/", **EN)
    services.consent_grant(subject=citizen, purpose=Purpose.objects.get(code="surveys"), partner=partner)
    granted = signed_in.get("/privacy/", **EN)
    surveys = rows(granted)["surveys"]
    assert surveys.state == "granted" and surveys.partners[0].state == "granted"
    html = granted.content.decode()
    assert 'action="/privacy/consent/surveys/withdraw/"' in html
    assert "Stop sharing with Survey supplier (sandbox)" in html

    signed_in.post("/privacy/consent/surveys/withdraw/", **EN)
    withdrawn = signed_in.get("/privacy/", **EN)
    surveys = rows(withdrawn)["surveys"]
    assert surveys.state == "withdrawn" and surveys.partners[0].state == "withdrawn"
    html = withdrawn.content.decode()
    assert 'action="/privacy/consent/surveys/grant/"' in html
    assert "Stop sharing with Survey supplier (sandbox)" not in html


def test_catalogue_edits_in_admin_show_at_once(signed_in, admin_client, django_capture_on_commit_callbacks):
    surveys = Purpose.objects.get(code="surveys")
    partner = Partner.objects.get(code="survey_partner")
    assert "Survey invitations" in signed_in.get("/privacy/", **EN).content.decode()

    form = {
        "name_zh": surveys.name_zh,
        "name_en": "Invitations to surveys",
        "description_zh": surveys.description_zh,
        "description_en": "Asking you, now and then, what you think of a service.",
        "kind": surveys.kind,
        "legal_basis": surveys.legal_basis,
        "data_categories": [category.pk for category in surveys.data_categories.all()],
        "partners": [listed.pk for listed in surveys.partners.all()],
        "active": "on",
        "display_order": surveys.display_order,
    }
    # The after-commit work runs as it would on a real commit: the texts must not wait for it, nor miss it.
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(f"/admin/consents/purpose/{surveys.pk}/change/", form, **EN).status_code == 302
    html = signed_in.get("/privacy/", **EN).content.decode()
    assert "Invitations to surveys" in html and "Survey invitations" not in html
    assert "Asking you, now and then, what you think of a service." in html

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(
            f"/admin/consents/partner/{partner.pk}/change/",
            partner_form(partner, agreement_expires_on=yesterday.isoformat()),
            **EN,
        )
        assert answer.status_code == 302
    html = signed_in.get("/privacy/", **EN).content.decode()
    assert f"Agreement {partner.agreement_reference} expired on" in html

    category = surveys.data_categories.order_by("code").first()
    with django_capture_on_commit_callbacks(execute=True):
        category.name_en = "Contact details (renamed)"
        category.save()
    assert "Contact details (renamed)" in signed_in.get("/privacy/", **EN).content.decode()


def test_the_language_of_the_texts_follows_the_reader(signed_in, client_factory):
    surveys = Purpose.objects.get(code="surveys")
    assert "Survey invitations" in signed_in.get("/privacy/", **EN).content.decode()
    reader = client_factory()
    reader.force_login(UserFactory(language="zh-hans"))
    html = reader.get("/privacy/").content.decode()
    assert surveys.name_zh in html and "Survey invitations" not in html
    # The labels, translated once: the switch names its purpose for screen readers.
    assert f'开启<span class="visually-hidden"> “{surveys.name_zh}”</span>' in html and "为此接收信息的合作方" in html


def test_the_panels_read_the_persons_facts_afresh(signed_in, citizen):
    location_services.location_sharing_turn_on(subject=citizen, actor=citizen, channel=ConsentChannel.WEB)
    html = signed_in.get("/privacy/", **EN).content.decode()
    assert "Delete my location history" not in html
    location_services.location_record(user=citizen, latitude=39.9, longitude=116.4, source="device")
    location_services.location_record(user=citizen, latitude=31.2, longitude=121.5, source="device")
    html = signed_in.get("/privacy/", **EN).content.decode()
    assert "Delete my location history (2 stored locations)" in html


def test_panels_that_skip_their_query_for_an_empty_history_still_show_a_new_row(signed_in, citizen):
    """The dashboard probes the panels' tables in its facts query; a row added since must appear at once."""
    signed_in.get("/privacy/", **EN)
    with CaptureQueriesContext(connection) as empty:
        html = signed_in.get("/privacy/", **EN).content.decode()
    assert "Interests kept about you" in html
    InterestTag.objects.create(user=citizen, tag="transport-card-zz")
    service = OptionalService.objects.order_by("code").first()
    ServiceEnrolment.objects.create(user=citizen, service=service, state=ServiceEnrolment.State.ENROLLED)
    StrongVerification.objects.create(
        user=citizen, method=StrongVerification.Method.COUNTER, outcome=StrongVerification.Outcome.PASSED
    )
    with CaptureQueriesContext(connection) as filled:
        html = signed_in.get("/privacy/", **EN).content.decode()
    assert "transport-card-zz" in html
    assert "<strong>Enrolled</strong>" in html
    # Each panel with rows reads them; with none, it read nothing.
    assert len(filled) == len(empty) + 3
