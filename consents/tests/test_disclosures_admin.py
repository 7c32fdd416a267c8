"""The disclosure ledger in admin: recording through the service, read-only, deferrals flagged and released."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from consents import services as consent_services
from consents.disclosures import services
from consents.models import DataCategory, Disclosure, DisclosureSubject, Partner, Purpose
from consents.models.disclosures import DisclosureBasis, DisclosureKind
from notifications.models import InboxMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
RECORD_URL = "/admin/consents/disclosure/record/"
LIST_URL = "/admin/consents/disclosure/"


@pytest.fixture
def officer_client(verified_client, officer):
    return verified_client(officer)


def form(**changes):
    data = {
        "authority": "Haidian District Court",
        "kind": DisclosureKind.DISCLOSURE,
        "legal_basis": DisclosureBasis.COURT,
        "categories": [DataCategory.objects.get(code="contact").pk],
        "subject_ids": "",
        "accounts": "",
        "reference": "(2026) Jing 0108 Min Chu 123",
    }
    data.update(changes)
    return data


def test_an_officer_records_a_disclosure_by_ids_and_account_search(officer_client, django_capture_on_commit_callbacks):
    first, second = UserFactory(), UserFactory(username="wang.fang")
    with django_capture_on_commit_callbacks(execute=True):
        answer = officer_client.post(RECORD_URL, form(subject_ids=f"{first.pk}", accounts="wang.fang"), **EN)
    assert answer.status_code == 302
    disclosure = Disclosure.objects.get()
    assert set(disclosure.subject_rows.values_list("user_id", flat=True)) == {first.pk, second.pk}
    assert InboxMessage.objects.filter(kind="data_disclosed").count() == 2


def test_the_add_button_leads_to_the_record_page(officer_client):
    answer = officer_client.get("/admin/consents/disclosure/add/")
    assert answer.status_code == 302 and answer["Location"].endswith(RECORD_URL)
    assert officer_client.get(RECORD_URL, **EN).status_code == 200


def test_an_expired_partner_is_refused_on_the_form_with_nothing_saved(officer_client):
    supplier = Partner.objects.get(code="survey_partner")
    Partner.objects.filter(pk=supplier.pk).update(agreement_expires_on=datetime.date(2020, 1, 1))
    answer = officer_client.post(
        RECORD_URL, form(authority="", recipient_partner=supplier.pk, subject_ids=str(UserFactory().pk)), **EN
    )
    assert answer.status_code == 400
    assert "expired" in answer.content.decode()
    assert not Disclosure.objects.exists() and not DisclosureSubject.objects.exists()


def test_missing_consent_is_refused_on_the_form_by_count(officer_client):
    surveys = Purpose.objects.get(code="surveys")
    supplier = Partner.objects.get(code="survey_partner")
    answer = officer_client.post(
        RECORD_URL,
        form(
            authority="",
            recipient_partner=supplier.pk,
            legal_basis=DisclosureBasis.CONSENT,
            purpose=surveys.pk,
            subject_ids=str(UserFactory().pk),
        ),
        **EN,
    )
    assert answer.status_code == 400
    assert "1 person has no current consent" in answer.content.decode()
    assert not Disclosure.objects.exists()


def test_unknown_accounts_are_counted_not_echoed(officer_client):
    answer = officer_client.post(RECORD_URL, form(accounts="110101199003074514\nnobody@example.cn"), **EN)
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "2 lines do not name exactly one account" in body
    assert "110101199003074514" not in body.split("<textarea")[0]
    assert not Disclosure.objects.exists()


def test_the_ledger_is_read_only(officer_client, officer):
    disclosure = services.disclosure_record(
        authority="Court", kind="disclosure", legal_basis="court",
        categories=DataCategory.objects.filter(code="contact"), subjects=[UserFactory()], recorded_by=officer,
    )  # fmt: skip
    page = officer_client.get(f"{LIST_URL}{disclosure.pk}/change/", **EN)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert officer_client.post(f"{LIST_URL}{disclosure.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Disclosure.objects.filter(pk=disclosure.pk).exists()


def test_other_staff_cannot_record_or_release(verified_client, auditor, officer):
    auditor = verified_client(auditor)
    assert auditor.get(RECORD_URL).status_code == 403
    disclosure = services.disclosure_record(
        authority="Bureau", kind="disclosure", legal_basis="government_agency",
        categories=DataCategory.objects.filter(code="contact"), subjects=[UserFactory()], recorded_by=officer,
        defer_notice=True, defer_reason="Investigation", defer_review_date=timezone.localdate() + datetime.timedelta(1),
    )  # fmt: skip
    auditor.post(LIST_URL, {"action": "release_notices", "_selected_action": [disclosure.pk]})
    disclosure.refresh_from_db()
    assert disclosure.notice_withheld
    citizen_client = verified_client(UserFactory())
    assert citizen_client.get(LIST_URL).status_code in (302, 403)


def test_a_deferral_past_review_is_flagged_and_the_action_releases_it(
    officer_client, officer, django_capture_on_commit_callbacks
):
    person = UserFactory(language="en")
    disclosure = services.disclosure_record(
        authority="State Security Bureau", kind="disclosure", legal_basis="government_agency",
        categories=DataCategory.objects.filter(code="contact"), subjects=[person], recorded_by=officer,
        defer_notice=True, defer_reason="Investigation", defer_review_date=timezone.localdate() + datetime.timedelta(9),
    )  # fmt: skip
    due = officer_client.get(f"{LIST_URL}?notice=review_due", **EN).content.decode()
    assert 'data-testid="review-due"' not in due
    Disclosure.objects.filter(pk=disclosure.pk).update(defer_review_date=timezone.localdate())
    due = officer_client.get(f"{LIST_URL}?notice=review_due", **EN).content.decode()
    assert 'data-testid="review-due"' in due and "State Security Bureau" in due

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = officer_client.post(
            LIST_URL, {"action": "release_notices", "_selected_action": [disclosure.pk]}, follow=True, **EN
        )
    assert "1 deferred notice released" in answer.content.decode()
    disclosure.refresh_from_db()
    assert not disclosure.notice_withheld
    assert InboxMessage.objects.filter(kind="data_disclosed", recipient=person).count() == 1
    assert [m.to for m in mail.outbox] == [[person.email]]
    # No longer due for review.
    assert 'data-testid="review-due"' not in officer_client.get(f"{LIST_URL}?notice=review_due").content.decode()


def test_consent_basis_through_the_form_with_consent(officer_client):
    surveys = Purpose.objects.get(code="surveys")
    supplier = Partner.objects.get(code="survey_partner")
    person = UserFactory()
    consent_services.consent_grant(subject=person, purpose=surveys)
    consent_services.consent_grant(subject=person, purpose=surveys, partner=supplier)
    answer = officer_client.post(
        RECORD_URL,
        form(
            authority="",
            recipient_partner=supplier.pk,
            kind=DisclosureKind.SHARING,
            legal_basis=DisclosureBasis.CONSENT,
            purpose=surveys.pk,
            subject_ids=str(person.pk),
        ),
        **EN,
    )
    assert answer.status_code == 302
    assert Disclosure.objects.get().recipient_partner == supplier
