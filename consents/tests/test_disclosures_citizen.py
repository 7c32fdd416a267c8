"""The citizen sees who received their information: the panel, the page and the API, their own only."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

from consents.disclosures import services
from consents.models import DataCategory, Partner
from consents.models.disclosures import DisclosureBasis, DisclosureKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def record(officer, subjects, **overrides):
    arguments = {
        "kind": DisclosureKind.DISCLOSURE,
        "legal_basis": DisclosureBasis.COURT,
        "authority": "Haidian District Court",
        "categories": DataCategory.objects.filter(code="contact"),
        "subjects": subjects,
        "recorded_by": officer,
    }
    arguments.update(overrides)
    return services.disclosure_record(**arguments)


def deferred(officer, subjects):
    return record(
        officer,
        subjects,
        authority="State Security Bureau",
        defer_notice=True,
        defer_reason="Investigation",
        defer_review_date=timezone.localdate() + datetime.timedelta(days=60),
    )


def render_panel(user) -> str:
    request = RequestFactory().get("/privacy/")
    request.user = user
    template = Template("{% load consent_panels_disclosures %}{% disclosures_panel %}")
    with translation.override("en"):
        return template.render(Context({"request": request}))


def test_the_panel_shows_the_latest_ten_in_constant_queries(officer, citizen, django_assert_max_num_queries):
    record(officer, [citizen])
    with django_assert_max_num_queries(2):
        few = render_panel(citizen)
    assert "Haidian District Court" in few and "Contact details" in few
    supplier = Partner.objects.get(code="survey_partner")
    for _ in range(12):
        record(officer, [citizen], authority="", recipient_partner=supplier, kind=DisclosureKind.SHARING)
    with django_assert_max_num_queries(2):
        many = render_panel(citizen)
    assert many.count('data-testid="disclosure-row-') == 10
    assert "See every disclosure" in many


def test_the_panel_hides_a_deferred_notice_until_it_is_released(officer, citizen):
    disclosure = deferred(officer, [citizen])
    assert "State Security Bureau" not in render_panel(citizen)
    services.disclosure_notice_release(disclosure=disclosure, actor=officer)
    assert "State Security Bureau" in render_panel(citizen)


def test_the_panel_of_another_person_shows_nothing_of_theirs(officer, citizen):
    record(officer, [citizen])
    other = render_panel(UserFactory(language="en"))
    assert "Haidian District Court" not in other and 'data-testid="disclosures-empty"' in other


def test_the_page_lists_the_persons_own_disclosures_paged(officer, citizen, verified_client):
    for _ in range(21):
        record(officer, [citizen])
    deferred(officer, [citizen])
    client = verified_client(citizen)
    first = client.get("/privacy/disclosures/", **EN)
    assert first.status_code == 200
    body = first.content.decode()
    assert body.count('data-testid="disclosure-row-') == 20 and "Page 1 of 2" in body
    assert "State Security Bureau" not in body
    second = client.get("/privacy/disclosures/?page=2", **EN).content.decode()
    assert second.count('data-testid="disclosure-row-') == 1


def test_another_person_sees_none_of_them_on_the_page(officer, citizen, verified_client):
    record(officer, [citizen])
    body = verified_client(UserFactory(language="en")).get("/privacy/disclosures/", **EN).content.decode()
    assert "Haidian District Court" not in body and 'data-testid="disclosures-empty"' in body


def test_the_page_needs_sign_in(client):
    answer = client.get("/privacy/disclosures/")
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_the_api_lists_the_persons_own_disclosures(officer, citizen, verified_client):
    own = record(officer, [citizen])
    record(officer, [UserFactory()], authority="Someone else's court")
    deferred(officer, [citizen])
    answer = verified_client(citizen).get("/api/v1/consents/disclosures/", **EN)
    assert answer.status_code == 200
    data = answer.json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["id"] == own.pk and row["recipient"] == "Haidian District Court"
    assert row["legal_basis"] == "court" and row["kind"] == "disclosure" and row["data_categories"] == ["contact"]


def test_the_api_shows_another_person_nothing(officer, citizen, verified_client):
    record(officer, [citizen])
    answer = verified_client(UserFactory()).get("/api/v1/consents/disclosures/")
    assert answer.status_code == 200 and answer.json()["count"] == 0


def test_the_api_refuses_anonymous_callers(client):
    assert client.get("/api/v1/consents/disclosures/").status_code in (401, 403)


def test_the_export_holds_the_disclosures_and_erasure_forgets_the_person(officer, citizen):
    from consents.disclosures.personal_data import erase_disclosures, export_disclosures
    from consents.models import DisclosureSubject

    disclosure = record(officer, [citizen])
    deferred(officer, [citizen])
    rows = list(export_disclosures(citizen))
    assert [row["recipient"] for row in rows] == ["Haidian District Court"]
    assert erase_disclosures(citizen) == "anonymised"
    assert not DisclosureSubject.objects.filter(user=citizen).exists()
    disclosure.refresh_from_db()
    assert disclosure.subject_count == 1 and disclosure.subject_rows.count() == 1
