"""Recording a disclosure: the rules, the audit record, the notices after commit, deferral."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone, translation

from audit.models import AuditEvent
from consents import services as consent_services
from consents.disclosures import services
from consents.models import DataCategory, Disclosure, DisclosureSubject, Partner, Purpose
from consents.models.disclosures import DisclosureBasis, DisclosureKind
from notifications.models import InboxMessage, OutboxEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def surveys():
    return Purpose.objects.get(code="surveys")


@pytest.fixture
def supplier():
    return Partner.objects.get(code="survey_partner")


def categories():
    return list(DataCategory.objects.filter(code__in=["contact"])) or list(DataCategory.objects.all()[:1])


def consenting(surveys, supplier, **fields):
    user = UserFactory(**fields)
    consent_services.consent_grant(subject=user, purpose=surveys)
    consent_services.consent_grant(subject=user, purpose=surveys, partner=supplier)
    return user


def record(officer, **overrides):
    arguments = {
        "kind": DisclosureKind.SHARING,
        "legal_basis": DisclosureBasis.LAW,
        "authority": "Municipal Public Security Bureau",
        "categories": categories(),
        "subjects": [UserFactory()],
        "recorded_by": officer,
        "reference": "Order 2026-17",
    }
    arguments.update(overrides)
    return services.disclosure_record(**arguments)


def test_consent_basis_with_every_consent_is_recorded_with_an_audit_event(officer, surveys, supplier):
    people = [consenting(surveys, supplier) for _ in range(3)]
    disclosure = record(
        officer,
        authority="",
        recipient_partner=supplier,
        legal_basis=DisclosureBasis.CONSENT,
        purpose=surveys,
        subjects=people,
    )
    assert disclosure.subject_count == 3
    assert set(DisclosureSubject.objects.filter(disclosure=disclosure).values_list("user_id", flat=True)) == {
        p.pk for p in people
    }
    event = AuditEvent.objects.get(action="consent.disclosure_recorded")
    assert event.details["subjects"] == 3 and event.details["partner_id"] == supplier.pk
    # Ids and codes only: no authority name, no reference text, no person.
    assert "Order" not in str(event.details)


def test_consent_basis_refuses_the_whole_record_naming_how_many_lack_consent(officer, surveys, supplier):
    with_consent = consenting(surveys, supplier)
    without = [UserFactory(), UserFactory(username="noconsent")]
    with translation.override("en"), pytest.raises(services.DisclosureError) as refused:
        record(
            officer,
            authority="",
            recipient_partner=supplier,
            legal_basis=DisclosureBasis.CONSENT,
            purpose=surveys,
            subjects=[with_consent, *without],
        )
    assert refused.value.code == "consent_missing"
    assert "2 people have no current consent" in refused.value.message
    assert "noconsent" not in refused.value.message
    # Nothing half-saved.
    assert not Disclosure.objects.exists() and not DisclosureSubject.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.disclosure_recorded").exists()
    assert not InboxMessage.objects.filter(kind="data_disclosed").exists()


def test_a_withdrawn_consent_no_longer_covers_a_disclosure(officer, surveys, supplier):
    person = consenting(surveys, supplier)
    consent_services.consent_withdraw(subject=person, purpose=surveys)
    with pytest.raises(services.DisclosureError):
        record(
            officer,
            authority="",
            recipient_partner=supplier,
            legal_basis=DisclosureBasis.CONSENT,
            purpose=surveys,
            subjects=[person],
        )
    assert not Disclosure.objects.exists()


def test_a_partner_whose_agreement_expired_cannot_receive_data(officer, supplier):
    Partner.objects.filter(pk=supplier.pk).update(agreement_expires_on=datetime.date(2020, 1, 1))
    supplier.refresh_from_db()
    with translation.override("en"), pytest.raises(services.DisclosureError) as refused:
        record(officer, authority="", recipient_partner=supplier, legal_basis=DisclosureBasis.LAW)
    assert refused.value.code == "agreement_expired"
    assert "expired" in refused.value.message
    assert not Disclosure.objects.exists() and not DisclosureSubject.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"authority": ""},
        {"recipient_partner": "partner", "authority": "Court"},
        {"categories": []},
        {"subjects": []},
        {"subjects": [999999]},
        {"legal_basis": DisclosureBasis.CONSENT},
        {"defer_notice": True, "defer_reason": "", "defer_review_date": None},
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(officer, supplier, overrides):
    if overrides.get("recipient_partner") == "partner":
        overrides["recipient_partner"] = supplier
    with pytest.raises(services.DisclosureError):
        record(officer, **overrides)
    assert not Disclosure.objects.exists() and not DisclosureSubject.objects.exists()


def test_each_person_is_told_after_commit_in_their_language(officer, django_capture_on_commit_callbacks):
    chinese, english = UserFactory(language="zh-hans"), UserFactory(language="en")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        disclosure = record(officer, subjects=[chinese, english])
        # Nothing is told before the record commits.
        assert not InboxMessage.objects.filter(kind="data_disclosed").exists()
    assert callbacks
    assert InboxMessage.objects.filter(kind="data_disclosed").count() == 2
    assert OutboxEmail.objects.filter(kind="data_disclosed").count() == 2
    english_mail = next(m for m in mail.outbox if m.to == [english.email])
    assert "Municipal Public Security Bureau" in english_mail.subject
    assert "A law or regulation" in english_mail.body and "Order" not in english_mail.body
    chinese_mail = next(m for m in mail.outbox if m.to == [chinese.email])
    # Category names follow the person's language (the lead translates the fixed text).
    assert "联系方式" in chinese_mail.body and "Contact details" in english_mail.body
    assert not DisclosureSubject.objects.filter(disclosure=disclosure, notified_at__isnull=True).exists()


def test_notices_go_out_in_batches_and_a_rerun_tells_nobody_twice(officer):
    people = [UserFactory() for _ in range(5)]
    disclosure = record(officer, subjects=people)
    assert services.disclosure_notices_send(disclosure=disclosure, batch_size=2) == 5
    assert services.disclosure_notices_send(disclosure=disclosure, batch_size=2) == 0
    assert InboxMessage.objects.filter(kind="data_disclosed").count() == 5


def test_a_deferred_notice_is_not_sent_then_flagged_and_released(officer, django_capture_on_commit_callbacks):
    person = UserFactory(language="en")
    review = timezone.localdate() + datetime.timedelta(days=30)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        disclosure = record(
            officer,
            subjects=[person],
            legal_basis=DisclosureBasis.GOVERNMENT_AGENCY,
            defer_notice=True,
            defer_reason="Criminal investigation: notice would hamper it (art. 18).",
            defer_review_date=review,
        )
    assert disclosure.notice_withheld
    assert not InboxMessage.objects.filter(kind="data_disclosed").exists() and not mail.outbox
    # A sender run (a rerun of the task) still tells nobody.
    assert services.disclosure_notices_send(disclosure=disclosure) == 0

    from consents.disclosures.selectors import disclosures_review_overdue

    assert not disclosures_review_overdue().exists()
    Disclosure.objects.filter(pk=disclosure.pk).update(defer_review_date=timezone.localdate())
    assert list(disclosures_review_overdue()) == [disclosure]

    with django_capture_on_commit_callbacks(execute=True):
        assert services.disclosure_notice_release(disclosure=disclosure, actor=officer)
    assert InboxMessage.objects.filter(kind="data_disclosed", recipient=person).count() == 1
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert AuditEvent.objects.filter(action="consent.disclosure_notice_released").exists()
    # Releasing again changes nothing and tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert not services.disclosure_notice_release(disclosure=disclosure, actor=officer)
    assert InboxMessage.objects.filter(kind="data_disclosed").count() == 1


def test_a_deferral_needs_a_future_review_date(officer):
    with pytest.raises(services.DisclosureError):
        record(
            officer,
            defer_notice=True,
            defer_reason="Investigation",
            defer_review_date=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert not Disclosure.objects.exists()


def test_the_scan_finds_untold_people_but_not_withheld_notices(officer):
    from consents.disclosures import tasks

    prompt = record(officer, subjects=[UserFactory()])
    record(
        officer,
        subjects=[UserFactory()],
        defer_notice=True,
        defer_reason="Investigation",
        defer_review_date=timezone.localdate() + datetime.timedelta(days=5),
    )
    # The on-commit dispatch never ran (as after a broker outage): the scan picks it up.
    assert services.disclosure_notices_pending() == [prompt.pk]
    assert tasks.disclosure_notices_scan() == 1
    assert InboxMessage.objects.filter(kind="data_disclosed").count() == 1
    assert services.disclosure_notices_pending() == []


def test_only_staff_record_disclosures():
    citizen = UserFactory()
    with pytest.raises(services.DisclosureError):
        record(citizen)
    assert not Disclosure.objects.exists()
