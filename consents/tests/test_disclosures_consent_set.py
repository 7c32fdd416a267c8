"""The set-based consent check behind disclosures: the same answers as consent_check, in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from consents.disclosures import services as disclosures
from consents.models import ConsentChannel, DataCategory, Partner, Purpose
from consents.models.disclosures import DisclosureBasis, DisclosureKind
from consents.selectors import consent_check, consent_missing_count, consent_missing_ids
from consents.services import consent_grant, consent_withdraw, purpose_widen
from tests.factories import GuardianLinkFactory, UserFactory

pytestmark = pytest.mark.django_db


def _grant(person, purpose, partner=None, **kwargs):
    consent_grant(subject=person, purpose=purpose, partner=partner, **kwargs)


@pytest.fixture
def population(officer) -> dict[str, int]:
    """One person per way a consent can stand, all built through the consent services."""
    surveys = Purpose.objects.get(code="surveys")
    partner = Partner.objects.get(code="survey_partner")
    settings_purpose = Purpose.objects.get(code="personal_settings")
    people: dict[str, User] = {}

    def person(name: str, **fields) -> User:
        people[name] = UserFactory(username=f"pop-{name}", **fields)
        return people[name]

    # Consents given before the purpose is widened no longer cover it.
    stale = person("stale")
    _grant(stale, surveys)
    _grant(stale, surveys, partner)
    regranted = person("regranted_after_widening")
    _grant(regranted, surveys)
    _grant(regranted, surveys, partner)
    # An adult's consent does not count once the account turns out to be a child's.
    flagged = person("flagged_minor_own_consent")
    _grant(flagged, surveys)
    _grant(flagged, surveys, partner)
    User.objects.filter(pk=flagged.pk).update(is_minor=True)

    surveys = purpose_widen(purpose=surveys, actor=officer, data_categories=[DataCategory.objects.get(code="usage")])
    assert surveys.version == 2

    _grant(regranted, surveys)
    _grant(regranted, surveys, partner)
    person("nothing")
    _grant(person("purpose_only"), surveys)
    both = person("purpose_and_partner")
    _grant(both, surveys)
    _grant(both, surveys, partner)
    _grant(both, settings_purpose)
    _grant(person("partner_only"), surveys, partner)
    partner_off = person("partner_withdrawn")
    _grant(partner_off, surveys)
    _grant(partner_off, surveys, partner)
    consent_withdraw(subject=partner_off, purpose=surveys, partner=partner)
    withdrawn = person("purpose_withdrawn")
    _grant(withdrawn, surveys)
    _grant(withdrawn, surveys, partner)
    consent_withdraw(subject=withdrawn, purpose=surveys)
    person("minor_nothing", is_minor=True)
    guardian = person("guardian")
    ward = person("minor_by_guardian", is_minor=True)
    GuardianLinkFactory(guardian=guardian, minor=ward)
    _grant(ward, surveys, actor=guardian, channel=ConsentChannel.GUARDIAN)
    _grant(ward, surveys, partner, actor=guardian, channel=ConsentChannel.GUARDIAN)
    _grant(ward, settings_purpose, actor=guardian, channel=ConsentChannel.GUARDIAN)
    by_staff = person("minor_by_staff", is_minor=True)
    _grant(by_staff, surveys, actor=officer, channel=ConsentChannel.STAFF)
    _grant(by_staff, surveys, partner, actor=officer, channel=ConsentChannel.STAFF)
    return {name: user.pk for name, user in people.items()}


def _per_person(ids, purpose, partner, on=None) -> set[int]:
    """consent_check asked person by person, on freshly loaded accounts."""
    return {
        person.pk
        for person in User.objects.filter(pk__in=ids)
        if not consent_check(subject=person, purpose=purpose, partner=partner, on=on).allowed
    }


EXPIRED = datetime.date(2020, 1, 1)


@pytest.mark.parametrize(
    ("purpose_code", "partner_code", "change", "everyone_missing", "no_one_missing"),
    [
        ("surveys", None, None, False, False),
        ("surveys", "survey_partner", None, False, False),
        ("personal_settings", None, None, False, False),
        # Everyone refused for the same reason.
        ("surveys", "survey_partner", "agreement_expired", True, False),
        ("surveys", "survey_partner", "checked_after_expiry", True, False),
        ("surveys", "sms_gateway", None, True, False),
        ("surveys", None, "purpose_inactive", True, False),
        # A basic purpose resting on a contract needs no consent, with or without the partner it names.
        ("service_provision", None, None, False, True),
        ("service_provision", "sms_gateway", None, False, True),
    ],
)
def test_the_set_based_answer_is_consent_checks_answer_person_by_person(
    population, purpose_code, partner_code, change, everyone_missing, no_one_missing
):
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

    expected = _per_person(ids, purpose, partner, on=on)
    answer = set(consent_missing_ids(user_ids=ids, purpose=purpose, partner=partner, on=on))

    assert answer == expected
    assert consent_missing_count(user_ids=ids, purpose=purpose, partner=partner, on=on) == len(expected)
    if everyone_missing:
        assert expected == set(ids)
    elif no_one_missing:
        assert expected == set()
    else:
        # A mixed population: some covered, some not, so a wrong rule shows.
        assert expected and expected != set(ids)


def test_who_is_covered_for_the_partner_is_who_a_person_would_expect(population):
    surveys = Purpose.objects.get(code="surveys")
    partner = Partner.objects.get(code="survey_partner")
    missing = set(consent_missing_ids(user_ids=list(population.values()), purpose=surveys, partner=partner))
    covered = {name for name, pk in population.items() if pk not in missing}
    assert covered == {"regranted_after_widening", "purpose_and_partner", "minor_by_guardian"}


def test_ids_may_come_as_a_queryset_and_unknown_ids_are_left_out(population):
    surveys = Purpose.objects.get(code="surveys")
    as_query = User.objects.filter(username__startswith="pop-").values("pk")
    from_list = set(consent_missing_ids(user_ids=[*population.values(), 10**9], purpose=surveys))
    assert set(consent_missing_ids(user_ids=as_query, purpose=surveys)) == from_list
    assert 10**9 not in from_list


def _consenting(n: int) -> list[User]:
    surveys = Purpose.objects.get(code="surveys")
    partner = Partner.objects.get(code="survey_partner")
    people = [UserFactory() for _ in range(n)]
    for person in people:
        _grant(person, surveys)
        _grant(person, surveys, partner)
    return people


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_the_check_takes_the_same_two_queries_for_3_or_60_people():
    surveys = Purpose.objects.get(code="surveys")
    partner = Partner.objects.get(code="survey_partner")
    few = [person.pk for person in _consenting(3)]
    many = few + [person.pk for person in _consenting(27)] + [UserFactory().pk for _ in range(30)]

    def count(ids):
        return lambda: consent_missing_count(user_ids=ids, purpose=surveys, partner=partner)

    assert _queries(count(few)) == _queries(count(many)) == 2
    assert consent_missing_count(user_ids=many, purpose=surveys, partner=partner) == 30


def test_recording_a_disclosure_costs_the_same_queries_for_3_or_30_people(officer):
    surveys = Purpose.objects.get(code="surveys")
    partner = Partner.objects.get(code="survey_partner")
    categories = list(DataCategory.objects.filter(code="contact"))

    def record(people):
        return lambda: disclosures.disclosure_record(
            recipient_partner=partner,
            kind=DisclosureKind.SHARING,
            legal_basis=DisclosureBasis.CONSENT,
            purpose=surveys,
            categories=categories,
            subjects=people,
            recorded_by=officer,
        )

    few, many = _consenting(3), _consenting(30)
    assert _queries(record(few)) == _queries(record(many))
