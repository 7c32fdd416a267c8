"""The dashboard's fixed SQL facts read what the ORM would: the same profile (decrypted), the same answers."""

import pytest
from allauth.account.models import EmailAddress

from accounts.identity.selectors import identity_profile_and_contact_for
from accounts.identity.services import identity_profile_update
from consents.dashboard.fixed_sql import person_facts
from tests.factories import GuardianLinkFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_person_without_profile_or_anything_else():
    person = UserFactory()
    facts = person_facts(user=person)
    assert facts is not None
    assert facts.profile is None and facts.location_records == 0
    assert facts.contact_verified is identity_profile_and_contact_for(user=person)[1]
    assert not (facts.has_wards or facts.has_disclosures or facts.has_interest_tags or facts.has_enrolments)


def test_the_profile_is_the_one_the_orm_reads_with_its_encrypted_fields_decrypted():
    person = UserFactory()
    identity_profile_update(user=person, data={"legal_name": "张三", "bank_card": "6222021234567890128"})
    EmailAddress.objects.filter(user=person).update(verified=True)
    facts = person_facts(user=person)
    expected, contact = identity_profile_and_contact_for(user=person)
    assert facts is not None and facts.profile is not None
    assert (facts.profile.pk, facts.profile.legal_name, facts.profile.bank_card) == (
        expected.pk,
        "张三",
        "6222021234567890128",
    )
    assert facts.profile.verified_fields == expected.verified_fields
    assert facts.profile.updated_at == expected.updated_at
    assert facts.contact_verified is contact is True


def test_wards_count_only_confirmed_links_to_active_minors():
    link = GuardianLinkFactory()
    assert person_facts(user=link.guardian).has_wards is True
    link.minor.is_active = False
    link.minor.save(update_fields=["is_active"])
    assert person_facts(user=link.guardian).has_wards is False
    assert person_facts(user=GuardianLinkFactory(state="pending").guardian).has_wards is False


def test_the_email_confirmation_is_told_apart_from_a_verified_phone():
    person = UserFactory(phone_verified=True)
    EmailAddress.objects.filter(user=person).update(verified=False)
    assert person_facts(user=person).email_verified is False

    EmailAddress.objects.filter(user=person).update(verified=True)
    assert person_facts(user=person).email_verified is True
