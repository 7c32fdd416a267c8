"""consent_check_many: consent_check's answer and reason for each of many people, in one query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from consents import services
from consents.models import Partner, Purpose
from consents.selectors import UNKNOWN_SUBJECT, consent_check, consent_check_many
from consents.table_caches import catalogue_cached
from tests.factories import UserFactory

from .test_disclosures_consent_set import EXPIRED, population  # noqa: F401 -- the fixture
from .test_tamper import _as_superuser

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("purpose_code", "partner_code", "change"),
    [
        ("surveys", None, None),
        ("surveys", "survey_partner", None),
        ("personal_settings", None, None),
        ("surveys", "survey_partner", "agreement_expired"),
        ("surveys", "survey_partner", "checked_after_expiry"),
        ("surveys", "sms_gateway", None),
        ("surveys", None, "purpose_inactive"),
        ("service_provision", None, None),
        ("service_provision", "sms_gateway", None),
    ],
)
def test_each_answer_and_reason_is_consent_checks(population, purpose_code, partner_code, change):  # noqa: F811
    purpose = Purpose.objects.get(code=purpose_code)
    partner = Partner.objects.get(code=partner_code) if partner_code else None
    on = None
    if change == "agreement_expired":
        Partner.objects.filter(pk=partner.pk).update(agreement_expires_on=EXPIRED)
        partner.refresh_from_db()
    elif change == "checked_after_expiry":
        on = timezone.make_aware(datetime.datetime.combine(partner.agreement_expires_on, datetime.time(12)))
        on += datetime.timedelta(days=1)
    elif change == "purpose_inactive":
        Purpose.objects.filter(pk=purpose.pk).update(active=False)
        purpose.refresh_from_db()
    ids = sorted(population.values())

    answers = consent_check_many(subject_ids=ids, purpose=purpose, partner=partner, on=on)

    assert list(answers) == ids
    for person in User.objects.filter(pk__in=ids):
        assert answers[person.pk] == consent_check(subject=person, purpose=purpose, partner=partner, on=on), (
            person.username
        )
    # The population covers several reasons at once, so a wrong rule shows.
    if change is None and purpose_code == "surveys" and partner_code != "sms_gateway":
        assert len({answer.reason for answer in answers.values()}) >= 4


def test_the_reasons_a_service_sees_for_the_partner(population):  # noqa: F811
    surveys = Purpose.objects.get(code="surveys")
    partner = Partner.objects.get(code="survey_partner")
    answers = consent_check_many(subject_ids=list(population.values()), purpose=surveys, partner=partner)
    reasons = {name: answers[pk].reason for name, pk in population.items()}
    assert reasons["purpose_and_partner"] == "granted"
    assert answers[population["purpose_and_partner"]].policy_version == "2026.1"
    assert reasons["stale"] == "consent_predates_change"
    assert reasons["nothing"] == "not_granted"
    assert reasons["purpose_only"] == "partner_not_granted"
    assert reasons["partner_withdrawn"] == "partner_withdrawn"
    assert reasons["purpose_withdrawn"] == "withdrawn"
    assert reasons["flagged_minor_own_consent"] == "consent_predates_change"
    assert reasons["minor_by_staff"] == "guardian_consent_required"
    assert reasons["minor_by_guardian"] == "granted"


def test_an_unknown_or_closed_account_is_answered_for_itself():
    surveys = Purpose.objects.get(code="surveys")
    agreed, closed = UserFactory(), UserFactory()
    services.consent_grant(subject=agreed, purpose=surveys)
    services.consent_grant(subject=closed, purpose=surveys)
    User.objects.filter(pk=closed.pk).update(is_active=False)
    answers = consent_check_many(subject_ids=[10**9, agreed.pk, closed.pk], purpose=surveys)
    assert answers == {10**9: UNKNOWN_SUBJECT, agreed.pk: answers[agreed.pk], closed.pk: UNKNOWN_SUBJECT}
    assert answers[agreed.pk].allowed
    # Also when the answer is the same for everybody (no consent needed).
    basic = Purpose.objects.get(code="service_provision")
    answers = consent_check_many(subject_ids=[agreed.pk, closed.pk], purpose=basic)
    assert answers[agreed.pk].reason == "legal_basis_contract"
    assert answers[closed.pk] == UNKNOWN_SUBJECT


def test_a_state_the_ledger_does_not_back_is_refused():
    surveys = Purpose.objects.get(code="surveys")
    person = UserFactory()
    services.consent_grant(subject=person, purpose=surveys)
    services.consent_withdraw(subject=person, purpose=surveys)
    _as_superuser(("UPDATE consents_consentstate SET granted = true WHERE subject_id = %s", [person.pk]))
    answer = consent_check_many(subject_ids=[person.pk], purpose=surveys)[person.pk]
    assert not answer.allowed and answer.reason == "not_backed_by_ledger"


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_one_query_for_one_person_or_five_hundred(django_assert_num_queries):
    surveys = Purpose.objects.get(code="surveys")
    partner = Partner.objects.get(code="survey_partner")
    people = [UserFactory() for _ in range(500)]
    for person in people[:20]:
        services.consent_grant(subject=person, purpose=surveys)
        services.consent_grant(subject=person, purpose=surveys, partner=partner)
    ids = [person.pk for person in people]
    catalogue_cached()  # warm, as every process is after its first check
    with django_assert_num_queries(1):
        one = consent_check_many(subject_ids=ids[:1], purpose=surveys, partner=partner)
    with django_assert_num_queries(1):
        many = consent_check_many(subject_ids=ids, purpose=surveys, partner=partner)
    assert one[ids[0]].allowed
    assert sum(answer.allowed for answer in many.values()) == 20
    # The same for everybody: one query to tell accounts from unknown ids.
    basic = Purpose.objects.get(code="service_provision")
    with django_assert_num_queries(1):
        consent_check_many(subject_ids=ids, purpose=basic)
