"""Services that used my data (clause 3.1): consent checks counted in memory and flushed, shown by day."""

import datetime

import pytest
from django.db import DatabaseError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.service_clients.scopes import CONSENT_CHECK
from consents.disclosures import services as disclosure_services
from consents.models import ConsentChannel, DataCategory, ServiceCheckDay
from consents.models.disclosures import DisclosureBasis, DisclosureKind
from consents.personal_data import erase_service_checks, export_service_checks
from consents.personalisation import services as personalisation
from consents.service_usage import counting
from retention.models import RetentionRule
from retention.sweep import expired_rows
from tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PAGE = "/privacy/services-used/"


@pytest.fixture
def checker_service(service_client):
    client, token = service_client(scopes=[CONSENT_CHECK], name="Transport card service")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client, api


def check(api, subject_id):
    return api.get("/api/v1/consent-check/", {"subject": subject_id, "purpose": "recommendations"})


def test_checks_are_counted_in_memory_and_written_in_one_flush(checker_service, citizen, django_assert_num_queries):
    client, api = checker_service
    personalisation.recommendations_opt_in(subject=citizen, actor=citizen, channel=ConsentChannel.WEB)
    for _ in range(3):
        assert check(api, citizen.pk).status_code == 200
    assert check(api, 987654321).status_code == 404  # an unknown id is not counted
    batch = api.post(
        "/api/v1/consent-check/batch/",
        {"purpose": "recommendations", "subjects": [citizen.pk, 987654322]},
        format="json",
    )
    assert batch.status_code == 200
    # Nothing written per check.
    assert not ServiceCheckDay.objects.exists()

    assert counting.service_checks_flush() == 1
    row = ServiceCheckDay.objects.get()
    assert (row.subject_id, row.client_id, row.purpose.code, row.day, row.checks) == (
        citizen.pk,
        client.pk,
        "recommendations",
        timezone.localdate(),
        4,
    )
    # A second flush adds to the day's row instead of a new one.
    check(api, citizen.pk)
    counting.service_checks_flush()
    row.refresh_from_db()
    assert row.checks == 5 and ServiceCheckDay.objects.count() == 1


def test_the_flush_waits_for_its_interval_then_follows_the_response(checker_service, citizen, monkeypatch):
    _client, api = checker_service
    check(api, citizen.pk)
    assert not ServiceCheckDay.objects.exists()
    monkeypatch.setattr(counting, "FLUSH_SECONDS", 0)
    check(api, citizen.pk)
    assert ServiceCheckDay.objects.get().checks == 2


def test_a_database_error_keeps_the_counts_for_the_next_flush(checker_service, citizen, monkeypatch):
    _client, api = checker_service
    check(api, citizen.pk)

    def down(batch):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(counting, "_upsert", down)
    assert counting.service_checks_flush() == 0
    monkeypatch.undo()
    assert counting.service_checks_flush() == 1
    assert ServiceCheckDay.objects.get().checks == 1


def test_a_person_deleted_before_the_flush_is_skipped(checker_service, citizen):
    _client, api = checker_service
    other = UserFactory()
    check(api, citizen.pk)
    check(api, other.pk)
    other.delete()
    assert counting.service_checks_flush() == 1
    assert list(ServiceCheckDay.objects.values_list("subject_id", flat=True)) == [citizen.pk]


def _disclosure(officer, subjects):
    return disclosure_services.disclosure_record(
        kind=DisclosureKind.DISCLOSURE,
        legal_basis=DisclosureBasis.COURT,
        authority="Haidian District Court",
        categories=DataCategory.objects.filter(code="contact"),
        subjects=subjects,
        recorded_by=officer,
    )


def test_the_person_reads_which_services_asked_and_who_received_data(checker_service, citizen, officer, client):
    _client, api = checker_service
    other = CitizenFactory()
    for _ in range(2):
        check(api, citizen.pk)
    check(api, other.pk)
    counting.service_checks_flush()
    _disclosure(officer, [citizen])

    client.force_login(citizen)
    page = client.get(PAGE, **EN)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Transport card service" in text
    assert "Asked 2 times whether it may use your data" in text
    assert "Haidian District Court" in text and "Received your data" in text
    # Reached from the activity pages.
    assert PAGE in client.get("/account/activity/", **EN).content.decode()

    client.force_login(other)
    other_page = client.get(PAGE, **EN).content.decode()
    assert "Asked once whether it may use your data" in other_page
    assert "Haidian District Court" not in other_page


def test_the_page_speaks_chinese_and_says_when_nothing_happened(client):
    client.force_login(UserFactory())
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    text = page.content.decode()
    assert "使用了我的数据的服务" in text
    assert "没有服务询问过您或收到您的数据" in text


def test_the_page_needs_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_export_and_erasure_cover_the_counts(checker_service, citizen):
    client, api = checker_service
    check(api, citizen.pk)
    counting.service_checks_flush()
    rows = list(export_service_checks(citizen))
    assert rows == [
        {"day": timezone.localdate(), "service": "Transport card service", "purpose": "recommendations", "checks": 1}
    ]
    assert erase_service_checks(citizen) == "deleted"
    assert not ServiceCheckDay.objects.exists()


def test_counts_expire_after_six_months(checker_service, citizen):
    client, api = checker_service
    check(api, citizen.pk)
    counting.service_checks_flush()
    old = ServiceCheckDay.objects.get()
    ServiceCheckDay.objects.filter(pk=old.pk).update(day=timezone.localdate() - datetime.timedelta(days=200))
    rule = RetentionRule.objects.get(code="service_checks")
    assert list(expired_rows(rule, now=timezone.now()).values_list("pk", flat=True)) == [old.pk]
