import datetime

import pytest
from django.utils import translation

from consents import services
from consents.models import DataCategory, Partner, Purpose
from consents.selectors import consent_check
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def purpose(code):
    return Purpose.objects.get(code=code)


def test_basic_purpose_rests_on_its_legal_basis(citizen):
    decision = consent_check(subject=citizen, purpose=purpose("service_provision"))
    assert decision.allowed and decision.reason == "legal_basis_contract"


def test_optional_purpose_needs_consent_and_honours_withdrawal(citizen):
    surveys = purpose("surveys")
    assert consent_check(subject=citizen, purpose=surveys).reason == "not_granted"
    services.consent_grant(subject=citizen, purpose=surveys)
    decision = consent_check(subject=citizen, purpose=surveys)
    assert decision.allowed and decision.policy_version == "2026.1"
    services.consent_withdraw(subject=citizen, purpose=surveys)
    decision = consent_check(subject=citizen, purpose=surveys)
    assert not decision.allowed and decision.reason == "withdrawn"


def test_sensitive_purpose_with_its_partner(citizen):
    face = purpose("face_verification")
    provider = Partner.objects.get(code="face_provider")
    services.consent_grant(subject=citizen, purpose=face)
    assert consent_check(subject=citizen, purpose=face).allowed
    # Sharing with the partner is a separate consent.
    assert consent_check(subject=citizen, purpose=face, partner=provider).reason == "partner_not_granted"
    services.consent_grant(subject=citizen, purpose=face, partner=provider)
    assert consent_check(subject=citizen, purpose=face, partner=provider).allowed
    # Withdrawing the purpose withdraws the sharing too.
    services.consent_withdraw(subject=citizen, purpose=face)
    assert consent_check(subject=citizen, purpose=face, partner=provider).reason == "withdrawn"


def test_partner_not_serving_the_purpose_is_refused(citizen):
    surveys = purpose("surveys")
    provider = Partner.objects.get(code="face_provider")
    services.consent_grant(subject=citizen, purpose=surveys)
    assert consent_check(subject=citizen, purpose=surveys, partner=provider).reason == "partner_not_for_purpose"
    with pytest.raises(services.ConsentError):
        services.consent_grant(subject=citizen, purpose=surveys, partner=provider)


def test_expired_agreement_blocks_sharing(citizen):
    surveys = purpose("surveys")
    supplier = Partner.objects.get(code="survey_partner")
    services.consent_grant(subject=citizen, purpose=surveys)
    services.consent_grant(subject=citizen, purpose=surveys, partner=supplier)
    assert consent_check(subject=citizen, purpose=surveys, partner=supplier).allowed
    Partner.objects.filter(pk=supplier.pk).update(agreement_expires_on=datetime.date(2020, 1, 1))
    supplier.refresh_from_db()
    assert consent_check(subject=citizen, purpose=surveys, partner=supplier).reason == "partner_agreement_expired"
    with translation.override("en"), pytest.raises(services.ConsentError, match="expired"):
        services.consent_grant(subject=citizen, purpose=surveys, partner=supplier)


def test_widened_purpose_is_not_covered_by_older_consent(citizen):
    staff = UserFactory(is_staff=True)
    surveys = purpose("surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    services.purpose_widen(purpose=surveys, actor=staff, data_categories=[DataCategory.objects.get(code="location")])
    surveys.refresh_from_db()
    decision = consent_check(subject=citizen, purpose=surveys)
    assert not decision.allowed and decision.reason == "consent_predates_change"
    services.consent_grant(subject=citizen, purpose=surveys)
    assert consent_check(subject=citizen, purpose=surveys).allowed


def test_a_new_purpose_is_refused_until_consent(citizen):
    new = Purpose.objects.create(
        code="new_use",
        name_zh="新用途",
        name_en="New use",
        description_zh="x",
        description_en="x",
        kind="optional",
        legal_basis="consent",
    )
    assert consent_check(subject=citizen, purpose=new).reason == "not_granted"


def test_a_minors_own_consent_does_not_count(citizen):
    surveys = purpose("surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    citizen.is_minor = True
    citizen.save(update_fields=["is_minor"])
    assert consent_check(subject=citizen, purpose=surveys).reason == "guardian_consent_required"


def test_a_basic_purpose_covers_the_partners_it_names(citizen):
    gateway = Partner.objects.get(code="sms_gateway")
    decision = consent_check(subject=citizen, purpose=purpose("service_provision"), partner=gateway)
    assert decision.allowed and decision.reason == "legal_basis_contract"
    surveys_supplier = Partner.objects.get(code="survey_partner")
    decision = consent_check(subject=citizen, purpose=purpose("service_provision"), partner=surveys_supplier)
    assert decision.reason == "partner_not_for_purpose"


def test_the_check_costs_one_query_and_two_with_a_partner(citizen, django_assert_num_queries):
    """The check answers platform services one person at a time: its cost must stay constant."""
    surveys = purpose("surveys")
    supplier = Partner.objects.get(code="survey_partner")
    services.consent_grant(subject=citizen, purpose=surveys)
    services.consent_grant(subject=citizen, purpose=surveys, partner=supplier)
    with django_assert_num_queries(1):
        assert consent_check(subject=citizen, purpose=surveys).allowed
    with django_assert_num_queries(2):
        assert consent_check(subject=citizen, purpose=surveys, partner=supplier).allowed
