"""``/api/v1/me/`` and ``/api/v1/me/identity-verification/``."""

import pytest
from rest_framework.test import APIClient

from accounts.identity import selectors, services
from accounts.models import IdentityVerificationAttempt, SandboxIdentity, User, VerificationLevel
from privacy_portal.demo import demo_id_number
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
VERIFY = "/api/v1/me/identity-verification/"
ZHANG = ("张三", "440106199003071231")
OUTAGE = ("李四", "440106198506123457")


@pytest.fixture
def sandbox():
    services.sandbox_identity_ensure(legal_name=ZHANG[0], id_number=ZHANG[1])
    services.sandbox_identity_ensure(
        legal_name=OUTAGE[0], id_number=OUTAGE[1], behaviour=SandboxIdentity.Behaviour.UNAVAILABLE
    )


@pytest.fixture
def person():
    user = UserFactory(language="en")
    services.identity_profile_update(
        user=user, data={"legal_name": "张三", "phone": "13812345678", "bank_card": "6222021234567890128"}
    )
    return user


@pytest.fixture
def api(person):
    # force_authenticate skips AccountLanguageMiddleware, so the language comes from the header.
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(person)
    return client


def test_me_needs_authentication():
    anonymous = APIClient()
    assert anonymous.get(ME).status_code in (401, 403)
    assert anonymous.patch(ME, {"legal_name": "x"}, format="json").status_code in (401, 403)
    assert anonymous.post(VERIFY, {"legal_name": "x", "id_number": ZHANG[1]}, format="json").status_code in (401, 403)


def test_me_shows_the_profile_masked_even_to_the_owner(api, person):
    services.identity_profile_update(user=person, data={"id_number": ZHANG[1]})
    body = api.get(ME).json()
    assert body["id_number"] == "4401**********1231"
    assert body["phone"] == "138****5678"
    assert body["bank_card"] == "6222 **** 0128"
    assert body["legal_name"] == "张三"
    assert body["verification_level"] == VerificationLevel.CONTACT_VERIFIED
    assert body["verified_fields"] == []
    assert set(body["editable_fields"]) == {"legal_name", "id_number", "phone", "bank_card"}
    assert body["email"] == person.email and body["id"] == person.pk
    assert "199003" not in str(body), "the birth date in the ID number never shows"


def test_me_is_always_the_caller(person):
    other = UserFactory()
    client = APIClient()
    client.force_authenticate(other)
    body = client.get(ME).json()
    assert body["id"] == other.pk and body["phone"] == "" and body["legal_name"] == ""
    # There is no URL that takes someone else's id.
    assert client.get(f"{ME}{person.pk}/").status_code == 404


def test_patch_changes_fields_and_answers_masked(api, person):
    response = api.patch(ME, {"id_number": ZHANG[1].lower(), "phone": "+86 139 0013 9000"}, format="json")
    assert response.status_code == 200
    assert response.json()["phone"] == "139****9000"
    assert response.json()["id_number"] == "4401**********1231"
    person.refresh_from_db()
    assert person.phone == "13900139000"
    assert selectors.identity_profile_for(user=person).id_number == ZHANG[1]


def test_patch_with_a_bad_value_saves_nothing(api, person):
    response = api.patch(
        ME, {"legal_name": "李四", "bank_card": "6222021234567890127", "phone": "010-12345678"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"bank_card", "phone"} and "legal_name" not in body
    assert body["bank_card"] == ["The bank card number is not valid: check the digits."]
    assert "request_id" in body
    assert selectors.identity_profile_for(user=person).legal_name == "张三"


def test_patch_refuses_verified_and_read_only_fields(sandbox, api, person):
    api.post(VERIFY, {"legal_name": ZHANG[0], "id_number": ZHANG[1]}, format="json")
    response = api.patch(ME, {"legal_name": "张四"}, format="json")
    assert response.status_code == 409  # well formed, but the name is verified
    assert "correction request" in response.json()["legal_name"][0]
    response = api.patch(ME, {"verification_level": 3, "is_minor": False}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"verification_level", "is_minor"}
    assert selectors.verification_level_for(user=person) == VerificationLevel.IDENTITY_VERIFIED


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "This mobile number is already used by another account."), ("zh-hans", "此手机号码已被其他账户使用。")],
)
def test_patch_refuses_a_phone_of_another_account(api, language, message):
    other = UserFactory()
    services.identity_profile_update(user=other, data={"phone": "13700137000"})
    response = api.patch(ME, {"phone": "137 0013 7000"}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 409
    assert response.json()["phone"] == [message]


def test_put_is_not_offered(api):
    assert api.put(ME, {}, format="json").status_code == 405


def test_verification_match(sandbox, api, person):
    response = api.post(VERIFY, {"legal_name": "张三", "id_number": ZHANG[1]}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "match" and body["verification_level"] == VerificationLevel.IDENTITY_VERIFIED
    assert body["reference"].startswith("sandbox-")
    me = api.get(ME).json()
    assert sorted(me["verified_fields"]) == ["id_number", "legal_name"]
    assert set(me["editable_fields"]) == {"phone", "bank_card"}
    assert me["identity_verified_at"]


@pytest.mark.parametrize(
    ("name", "id_number", "outcome"),
    [("张四", ZHANG[1], "mismatch"), ("张三", demo_id_number("310101", "19800101", "123"), "not_found")],
)
def test_verification_mismatch_and_not_found(sandbox, api, person, name, id_number, outcome):
    response = api.post(VERIFY, {"legal_name": name, "id_number": id_number}, format="json")
    assert response.status_code == 200
    assert response.json()["outcome"] == outcome
    assert response.json()["verification_level"] == VerificationLevel.CONTACT_VERIFIED
    assert selectors.identity_profile_for(user=person).verified_fields == []


def test_verification_unavailable_is_503_and_keeps_the_details(sandbox, api, person):
    response = api.post(VERIFY, {"legal_name": OUTAGE[0], "id_number": OUTAGE[1]}, format="json")
    assert response.status_code == 503
    assert response.json()["outcome"] == "unavailable"
    assert "try again later" in response.json()["message"]
    assert selectors.identity_profile_for(user=person).id_number == OUTAGE[1]


def test_verification_with_a_bad_id_number_is_400_on_id_number(sandbox, api):
    response = api.post(VERIFY, {"legal_name": "张三", "id_number": "440106199003071232"}, format="json")
    assert response.status_code == 400
    assert response.json()["id_number"] == ["The resident ID number is not valid: check its 18 characters."]
    assert not IdentityVerificationAttempt.objects.exists()


def test_verification_twice_and_too_often(sandbox, api, settings):
    settings.IDENTITY_VERIFICATION_DAILY_LIMIT = 2
    api.post(VERIFY, {"legal_name": "张四", "id_number": ZHANG[1]}, format="json")
    api.post(VERIFY, {"legal_name": "张五", "id_number": ZHANG[1]}, format="json")
    assert api.post(VERIFY, {"legal_name": "张三", "id_number": ZHANG[1]}, format="json").status_code == 429
    settings.IDENTITY_VERIFICATION_DAILY_LIMIT = 10
    assert api.post(VERIFY, {"legal_name": "张三", "id_number": ZHANG[1]}, format="json").status_code == 200
    again = api.post(VERIFY, {"legal_name": "张三", "id_number": ZHANG[1]}, format="json")
    assert again.status_code == 409
    assert again.json()["non_field_errors"] == ["Your identity is already verified."]


def test_session_writes_need_the_csrf_token(person):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(person)
    assert client.patch(ME, {"legal_name": "李四"}, format="json").status_code == 403
    assert User.objects.get(pk=person.pk) and selectors.identity_profile_for(user=person).legal_name == "张三"


def test_the_endpoints_are_in_the_schema():
    schema = APIClient().get("/api/schema/").content.decode()
    assert "/api/v1/me/:" in schema and "/api/v1/me/identity-verification/:" in schema
    assert "me_partial_update" in schema and "me_identity_verification_create" in schema


def test_business_fields_on_an_individual_account_are_a_409_and_a_bad_number_a_400(api, person):
    response = api.patch(ME, {"organisation_name": "示例有限公司"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response.json()["organisation_name"] == ["Only business accounts hold this field."]
    # A malformed value beside it makes the whole body a 400: the request must be fixed first.
    response = api.patch(ME, {"organisation_name": "示例有限公司", "phone": "12345"}, format="json")
    assert response.status_code == 400 and set(response.json()) >= {"phone", "organisation_name"}
