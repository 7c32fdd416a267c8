"""POST /api/v1/consent-check/batch/ and the query cost of both consent-check operations."""

import json

import pytest
from rest_framework.test import APIClient

from consents import services
from consents.models import Partner, Purpose
from consents.table_caches import catalogue_cached
from tests.factories import UserFactory

from .test_check_api import service_api  # noqa: F401 -- the fixture: a platform service's client

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/consent-check/batch/"
SINGLE = "/api/v1/consent-check/"


def _batch(api, body, **headers):
    return api.post(BATCH, json.dumps(body), content_type="application/json", **headers)


def test_each_subject_is_answered_in_the_order_asked(service_api):  # noqa: F811
    surveys = Purpose.objects.get(code="surveys")
    partner = Partner.objects.get(code="survey_partner")
    both, purpose_only, nothing = UserFactory(), UserFactory(), UserFactory()
    for person in (both, purpose_only):
        services.consent_grant(subject=person, purpose=surveys)
    services.consent_grant(subject=both, purpose=surveys, partner=partner)
    asked = [nothing.pk, 10**9, both.pk, purpose_only.pk]

    answer = _batch(service_api, {"purpose": "surveys", "partner": "survey_partner", "subjects": asked})

    assert answer.status_code == 200
    assert answer.json() == {
        "results": [
            {"subject": nothing.pk, "allowed": False, "reason": "not_granted", "policy_version": None},
            {"subject": 10**9, "allowed": False, "reason": "unknown_subject", "policy_version": None},
            {"subject": both.pk, "allowed": True, "reason": "granted", "policy_version": "2026.1"},
            {"subject": purpose_only.pk, "allowed": False, "reason": "partner_not_granted", "policy_version": None},
        ],
        "purpose": "surveys",
        "partner": "survey_partner",
    }


def test_the_batch_says_what_the_single_check_says(service_api):  # noqa: F811
    recommendations = Purpose.objects.get(code="recommendations")
    agreed, withdrew = UserFactory(), UserFactory()
    services.consent_grant(subject=agreed, purpose=recommendations)
    services.consent_grant(subject=withdrew, purpose=recommendations)
    services.consent_withdraw(subject=withdrew, purpose=recommendations)
    results = _batch(service_api, {"purpose": "recommendations", "subjects": [agreed.pk, withdrew.pk]}).json()
    for result in results["results"]:
        single = service_api.get(SINGLE, {"subject": result["subject"], "purpose": "recommendations"}).json()
        assert {key: single[key] for key in ("allowed", "reason", "policy_version")} == {
            key: result[key] for key in ("allowed", "reason", "policy_version")
        }
    assert results["partner"] is None


def test_a_basic_purpose_answers_everybody_by_its_legal_basis(service_api):  # noqa: F811
    person = UserFactory()
    results = _batch(service_api, {"purpose": "service_provision", "subjects": [person.pk, 10**9]}).json()["results"]
    assert [(r["allowed"], r["reason"]) for r in results] == [
        (True, "legal_basis_contract"),
        (False, "unknown_subject"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"purpose": "no_such_purpose", "subjects": [1]}, "purpose"),
        ({"purpose": "surveys", "partner": "nobody", "subjects": [1]}, "partner"),
        ({"purpose": "not a slug!", "subjects": [1]}, "purpose"),
        ({"purpose": "surveys", "subjects": list(range(1, 1002))}, "subjects"),
        ({"purpose": "surveys", "subjects": [1, 2, 1]}, "subjects"),
        ({"purpose": "surveys", "subjects": [1, "2"]}, "subjects"),
        ({"purpose": "surveys", "subjects": [1, 2.5]}, "subjects"),
        ({"purpose": "surveys", "subjects": [1.0]}, "subjects"),
        ({"purpose": "surveys", "subjects": [True]}, "subjects"),
        ({"purpose": "surveys", "subjects": [0]}, "subjects"),
        ({"purpose": "surveys", "subjects": []}, "subjects"),
        ({"purpose": "surveys", "subjects": 5}, "subjects"),
        ({"purpose": "surveys"}, "subjects"),
        ({"subjects": [1]}, "purpose"),
        ({"purpose": "surveys", "subjects": [1], "subject": 1}, "subject"),
    ],
)
def test_a_bad_body_is_a_400_on_its_field(service_api, body, field):  # noqa: F811
    answer = _batch(service_api, body, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert field in answer.json()


def test_a_body_that_is_not_json_is_a_clear_400(service_api):  # noqa: F811
    answer = service_api.post(BATCH, '{"purpose": "surveys", "subjects": [1,', content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["detail"]
    answer = _batch(service_api, [1, 2])
    assert answer.status_code == 400


def test_refusals_are_in_the_callers_language(service_api):  # noqa: F811
    answer = _batch(service_api, {"purpose": "surveys", "subjects": [7, 7]}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.json()["subjects"] == ["每个主体只能询问一次；重复的：7。"]
    answer = _batch(service_api, {"purpose": "nope", "subjects": [7]}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.json()["purpose"] == ["Unknown purpose: nope."]


def test_citizens_and_anonymous_callers_cannot_use_the_batch():
    citizen = UserFactory()
    api = APIClient()
    body = {"purpose": "surveys", "subjects": [citizen.pk]}
    assert _batch(api, body).status_code in (401, 403)
    api.force_authenticate(citizen)
    assert _batch(api, body).status_code == 403


# -- What a check costs -------------------------------------------------------------------------


def _consenting(n: int) -> list[int]:
    surveys = Purpose.objects.get(code="surveys")
    people = [UserFactory() for _ in range(n)]
    for person in people[: min(n, 10)]:
        services.consent_grant(subject=person, purpose=surveys)
    return [person.pk for person in people]


def test_a_batch_of_500_costs_what_a_batch_of_1_costs(service_api, django_assert_max_num_queries):  # noqa: F811
    ids = _consenting(500)
    _batch(service_api, {"purpose": "surveys", "subjects": ids[:1]})  # a warm process
    counts = []
    for subjects in (ids[:1], ids):
        with django_assert_max_num_queries(100) as captured:
            answer = _batch(service_api, {"purpose": "surveys", "subjects": subjects})
        assert answer.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    # Authentication included: the principal from the shared cache, the people in one query (1 measured).
    assert counts[1] <= 3


# The whole request, authentication included, subtracting nothing: the service's principal comes from
# the shared cache (accounts/service_clients, 0 queries when warm), the check itself is one query.
def test_a_warm_single_check_costs_at_most_two_queries_in_all(service_api, django_assert_max_num_queries):  # noqa: F811
    person = _consenting(1)[0]
    service_api.get(SINGLE, {"subject": person, "purpose": "surveys"})  # a warm process
    with django_assert_max_num_queries(2):
        answer = service_api.get(SINGLE, {"subject": person, "purpose": "surveys", "partner": "survey_partner"})
    assert answer.status_code == 200


def test_the_single_checks_own_part_is_one_query(service_api, django_assert_num_queries):  # noqa: F811
    """What the view adds to authentication: the catalogue from memory and one query for the person."""
    from consents.selectors import consent_check_many

    person = _consenting(1)[0]
    surveys, partner = catalogue_cached().purposes["surveys"], catalogue_cached().partners["survey_partner"]
    with django_assert_num_queries(1):
        answer = consent_check_many(subject_ids=[person], purpose=surveys, partner=partner)[person]
    assert answer.reason == "partner_not_granted"
