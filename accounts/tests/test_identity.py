"""The identity profile, the sandbox provider and real-name verification (pages and services)."""

from datetime import date

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts import validators
from accounts.identity import selectors, services
from accounts.identity.providers import (
    IdentityProvider,
    ProviderUnavailable,
    SandboxProvider,
    VerificationResult,
    get_provider,
)
from accounts.models import (
    AccountKind,
    IdentityProfile,
    IdentityVerificationAttempt,
    SandboxIdentity,
    User,
    VerificationLevel,
)
from audit.models import AuditEvent
from core.encryption import blind_index
from notifications.models import InboxMessage
from privacy_portal.demo import demo_id_number
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ZHANG = ("张三", "110101199003071233")
OUTAGE = ("李四", "440106198506123457")
UNKNOWN_ID = demo_id_number("310101", "19800101", "123")  # valid, but not in the sandbox
PROFILE_URL = reverse("accounts:identity")
VERIFY_URL = reverse("accounts:identity_verify")


@pytest.fixture
def sandbox():
    services.sandbox_identity_ensure(legal_name=ZHANG[0], id_number=ZHANG[1])
    services.sandbox_identity_ensure(
        legal_name=OUTAGE[0], id_number=OUTAGE[1], behaviour=SandboxIdentity.Behaviour.UNAVAILABLE
    )


@pytest.fixture
def person():
    return UserFactory(language="en")


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def _profile(user) -> IdentityProfile:
    return IdentityProfile.objects.get(user=user)


# -- The sandbox provider -----------------------------------------------------


def test_sandbox_provider_gives_its_four_answers(sandbox):
    provider = SandboxProvider()
    assert provider.verify_identity("张三", ZHANG[1]).outcome == "match"
    assert provider.verify_identity(" 张 三 ", ZHANG[1].lower()).outcome == "match"
    assert provider.verify_identity("张四", ZHANG[1]).outcome == "mismatch"
    assert provider.verify_identity("张三", UNKNOWN_ID).outcome == "not_found"
    assert provider.verify_identity(*OUTAGE).outcome == "unavailable"
    assert provider.verify_identity("张三", ZHANG[1]).reference.startswith("sandbox-")


def test_the_provider_comes_from_settings(settings):
    assert isinstance(get_provider(), SandboxProvider)
    settings.IDENTITY_PROVIDER = f"{__name__}.DownProvider"
    assert isinstance(get_provider(), DownProvider)


class DownProvider(IdentityProvider):
    """A real provider whose network is down."""

    name = "down"
    error: type[Exception] = ProviderUnavailable

    def verify_identity(self, name, id_number):
        raise self.error("connection refused")


class TimeoutProvider(DownProvider):
    name = "slow"
    error = TimeoutError


class BrokenProvider(IdentityProvider):
    name = "broken"

    def verify_identity(self, name, id_number):
        return VerificationResult("maybe")


# -- The profile service ------------------------------------------------------


def test_profile_update_stores_values_hashes_and_birth_date_and_audits_names_only(person):
    changed = services.identity_profile_update(
        user=person,
        data={"legal_name": " 张三 ", "id_number": "31010119780923567x", "phone": "+86 139 0013 9000"},
    )
    assert changed == ["id_number", "legal_name", "phone"]
    profile = _profile(person)
    person.refresh_from_db()
    assert profile.legal_name == "张三"
    assert profile.id_number == "31010119780923567X"
    assert profile.id_number_hash == blind_index("31010119780923567X")
    assert profile.birth_date == date(1978, 9, 23)
    assert (person.phone, person.phone_hash, person.phone_verified) == (
        "13900139000",
        blind_index("13900139000"),
        False,
    )
    event = AuditEvent.objects.get(action="identity.profile_updated")
    assert event.actor_id == person.pk
    assert event.details == {"fields": ["id_number", "legal_name", "phone"]}
    assert "13900139000" not in str(event.details) and "张三" not in str(event.details)


def test_profile_update_is_all_or_nothing(person):
    services.identity_profile_update(user=person, data={"legal_name": "张三"})
    with pytest.raises(ValidationError) as caught:
        services.identity_profile_update(
            user=person,
            data={"legal_name": "李四", "bank_card": "6222021234567890128", "id_number": "110101199003071234"},
        )
    assert set(caught.value.message_dict) == {"id_number"}
    profile = _profile(person)
    assert (profile.legal_name, profile.bank_card, profile.id_number) == ("张三", "", "")
    assert AuditEvent.objects.filter(action="identity.profile_updated").count() == 1


def test_every_bad_field_is_named_at_once(person):
    with pytest.raises(ValidationError) as caught:
        services.identity_profile_update(
            user=person, data={"id_number": "1101011990", "phone": "010-12345678", "bank_card": "6222021234567890127"}
        )
    assert set(caught.value.message_dict) == {"id_number", "phone", "bank_card"}


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "This mobile number is already used by another account."), ("zh-hans", "此手机号码已被其他账户使用。")],
)
def test_a_mobile_number_of_another_account_is_refused(person, language, message):
    other = UserFactory()
    services.identity_profile_update(user=other, data={"phone": "13800138000"})
    # Messages are lazy: read them in the same language the service raised them in.
    with translation.override(language):
        with pytest.raises(ValidationError) as caught:
            services.identity_profile_update(user=person, data={"phone": "138 0013 8000", "legal_name": "张三"})
        assert caught.value.message_dict["phone"] == [message]
    assert selectors.identity_profile_for(user=person).legal_name == ""


def test_an_empty_value_clears_a_field(person):
    services.identity_profile_update(user=person, data={"id_number": ZHANG[1], "phone": "13800138000"})
    services.identity_profile_update(user=person, data={"id_number": "", "phone": ""})
    profile = _profile(person)
    person.refresh_from_db()
    assert (profile.id_number, profile.id_number_hash, profile.birth_date) == ("", "", None)
    assert (person.phone, person.phone_hash) == ("", "")


def test_business_fields_belong_to_business_accounts(person):
    with pytest.raises(ValidationError) as caught:
        services.identity_profile_update(user=person, data={"uscc": "91110000600037341L"})
    assert "uscc" in caught.value.message_dict

    business = UserFactory(kind=AccountKind.BUSINESS)
    with pytest.raises(ValidationError) as caught:
        services.identity_profile_update(user=business, data={"uscc": "91110000600037341M"})
    assert "uscc" in caught.value.message_dict
    services.identity_profile_update(
        user=business,
        data={"organisation_name": "示例科技有限公司", "uscc": "91110000600037341l", "legal_representative": "王五"},
    )
    assert _profile(business).uscc == "91110000600037341L"


def test_verified_fields_cannot_be_changed_directly(sandbox, person):
    services.identity_verify(user=person, legal_name=ZHANG[0], id_number=ZHANG[1])
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            services.identity_profile_update(user=person, data={"legal_name": "张四", "phone": "13800138000"})
        assert "correction request" in caught.value.message_dict["legal_name"][0]
    # Echoing the verified value unchanged is not a change.
    assert services.identity_profile_update(user=person, data={"id_number": ZHANG[1], "phone": "13800138000"}) == [
        "phone"
    ]


def test_minor_detection_turns_over_on_the_14th_birthday(monkeypatch):
    monkeypatch.setattr(validators, "_today", lambda: date(2026, 6, 15))
    thirteen = UserFactory()
    services.identity_profile_update(user=thirteen, data={"id_number": demo_id_number("110101", "20120616", "123")})
    fourteen = UserFactory()
    services.identity_profile_update(user=fourteen, data={"id_number": demo_id_number("110101", "20120615", "123")})
    thirteen.refresh_from_db()
    fourteen.refresh_from_db()
    assert thirteen.is_minor and selectors.user_is_minor(user=thirteen)
    assert not fourteen.is_minor and not selectors.user_is_minor(user=fourteen)

    # A day later the younger one turns 14: the live check follows the calendar.
    monkeypatch.setattr(validators, "_today", lambda: date(2026, 6, 16))
    assert not selectors.user_is_minor(user=thirteen)


def test_a_minor_acts_alone_only_for_the_basic_service():
    child = UserFactory()
    services.identity_profile_update(user=child, data={"id_number": demo_id_number("110101", "20160101", "128")})
    child.refresh_from_db()
    assert child.is_minor
    assert selectors.can_act_for(actor=child, subject=child, basic_service=True)
    assert not selectors.can_act_for(actor=child, subject=child)
    adult = UserFactory()
    assert selectors.can_act_for(actor=adult, subject=adult)
    assert not selectors.can_act_for(actor=adult, subject=child)


# -- Verification levels ------------------------------------------------------


def test_level_one_needs_a_confirmed_email():
    person = UserFactory()
    assert services.identity_level_refresh(user=person) == VerificationLevel.CONTACT_VERIFIED
    unconfirmed = UserFactory()
    EmailAddress.objects.filter(user=unconfirmed).update(verified=False)
    assert services.identity_level_refresh(user=unconfirmed) == VerificationLevel.REGISTERED
    EmailAddress.objects.filter(user=unconfirmed).update(verified=True)
    assert selectors.verification_level_for(user=unconfirmed) == VerificationLevel.CONTACT_VERIFIED
    assert services.identity_level_refresh(user=unconfirmed) == VerificationLevel.CONTACT_VERIFIED
    assert _profile(unconfirmed).verification_level == VerificationLevel.CONTACT_VERIFIED


# -- Real-name verification (service) -----------------------------------------


def test_a_match_verifies_the_identity_and_tells_the_person(sandbox, person):
    result = services.identity_verify(user=person, legal_name="张三", id_number=ZHANG[1])
    assert result.outcome == "match"
    profile = _profile(person)
    assert profile.verification_level == VerificationLevel.IDENTITY_VERIFIED
    assert sorted(profile.verified_fields) == ["id_number", "legal_name"]
    assert profile.identity_verified_at is not None
    assert (profile.legal_name, profile.id_number) == ZHANG
    assert InboxMessage.objects.filter(recipient=person, kind="identity_verified").exists()
    attempt = IdentityVerificationAttempt.objects.get(user=person)
    assert (attempt.provider, attempt.outcome) == ("sandbox", "match")
    assert ZHANG[1] not in str(attempt.__dict__) and "张三" not in str(attempt.__dict__)
    assert AuditEvent.objects.filter(action="identity.verification_attempted", details__outcome="match").exists()
    assert AuditEvent.objects.filter(action="identity.verified").exists()


@pytest.mark.parametrize(
    ("name", "id_number", "outcome"), [("张四", ZHANG[1], "mismatch"), ("张三", UNKNOWN_ID, "not_found")]
)
def test_a_mismatch_or_unknown_number_stores_nothing(sandbox, person, name, id_number, outcome):
    assert services.identity_verify(user=person, legal_name=name, id_number=id_number).outcome == outcome
    profile = _profile(person)
    assert (profile.verification_level, profile.verified_fields, profile.legal_name, profile.id_number) == (
        VerificationLevel.REGISTERED,
        [],
        "",
        "",
    )
    assert IdentityVerificationAttempt.objects.get(user=person).outcome == outcome
    assert AuditEvent.objects.filter(action="identity.verification_attempted", details__outcome=outcome).exists()
    assert not InboxMessage.objects.filter(recipient=person, kind="identity_verified").exists()


@pytest.mark.parametrize("provider", ["DownProvider", "TimeoutProvider", "BrokenProvider"])
def test_an_outage_loses_nothing(settings, person, provider):
    settings.IDENTITY_PROVIDER = f"{__name__}.{provider}"
    result = services.identity_verify(user=person, legal_name="张三", id_number=ZHANG[1])
    assert result.outcome == "unavailable"
    profile = _profile(person)
    assert (profile.legal_name, profile.id_number) == ZHANG, "kept, unverified, for the next try"
    assert profile.verified_fields == []
    assert profile.verification_level < VerificationLevel.IDENTITY_VERIFIED
    assert IdentityVerificationAttempt.objects.get(user=person).outcome == "unavailable"


def test_sandbox_outage_behaviour_keeps_the_details(sandbox, person):
    assert services.identity_verify(user=person, legal_name=OUTAGE[0], id_number=OUTAGE[1]).outcome == "unavailable"
    assert _profile(person).id_number == OUTAGE[1]


def test_one_verified_identity_per_account(sandbox, person):
    services.identity_verify(user=person, legal_name=ZHANG[0], id_number=ZHANG[1])
    intruder = UserFactory()
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            services.identity_verify(user=intruder, legal_name=ZHANG[0], id_number=ZHANG[1])
        assert "another account" in caught.value.message_dict["id_number"][0]
    assert selectors.verification_level_for(user=intruder) < VerificationLevel.IDENTITY_VERIFIED


def test_verification_is_limited_per_day(sandbox, person, settings):
    settings.IDENTITY_VERIFICATION_DAILY_LIMIT = 2
    for _ in range(2):
        services.identity_verify(user=person, legal_name="张四", id_number=ZHANG[1])
    with pytest.raises(services.VerificationThrottled):
        services.identity_verify(user=person, legal_name="张三", id_number=ZHANG[1])


# -- The profile page ---------------------------------------------------------


def test_the_identity_pages_need_a_sign_in(client):
    for url in (PROFILE_URL, VERIFY_URL, reverse("accounts:identity_guardians")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_the_owner_sees_their_own_values_in_full(signed_in, person):
    services.identity_profile_update(
        user=person, data={"legal_name": "张三", "id_number": ZHANG[1], "bank_card": "6222021234567890128"}
    )
    page = signed_in.get(PROFILE_URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert ZHANG[1] in text and "6222021234567890128" in text and "张三" in text
    assert "Verification level: Contact verified (level 1)" in text
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]


def test_nobody_else_sees_them(client, person):
    services.identity_profile_update(user=person, data={"id_number": ZHANG[1], "phone": "13800138000"})
    stranger = UserFactory(language="en")
    client.force_login(stranger)
    text = client.get(PROFILE_URL).content.decode()
    assert ZHANG[1] not in text and "13800138000" not in text


def test_a_bad_value_on_the_page_names_the_field_and_saves_nothing(signed_in, person):
    response = signed_in.post(
        PROFILE_URL,
        {"legal_name": "张三", "id_number": "110101199003071234", "phone": "13800138000", "bank_card": ""},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["id_number"] == ["The resident ID number is not valid: check its 18 characters."]
    assert selectors.identity_profile_for(user=person).legal_name == ""
    assert User.objects.get(pk=person.pk).phone == ""


def test_the_page_saves_good_values(signed_in, person):
    response = signed_in.post(
        PROFILE_URL,
        {
            "legal_name": "张三",
            "id_number": ZHANG[1],
            "phone": "+86 138 0013 8000",
            "bank_card": "6222 0212 3456 7890 128",
        },
        follow=True,
    )
    assert "Your identity profile was saved." in response.content.decode()
    assert _profile(person).bank_card == "6222021234567890128"
    assert User.objects.get(pk=person.pk).phone == "13800138000"


def test_verified_fields_are_not_editable_on_the_page(sandbox, signed_in, person):
    services.identity_verify(user=person, legal_name=ZHANG[0], id_number=ZHANG[1])
    page = signed_in.get(PROFILE_URL)
    form = page.context["form"]
    assert "legal_name" not in form.fields and "id_number" not in form.fields
    assert "phone" in form.fields
    assert "correction request" in page.content.decode()
    # A forged post of a verified field changes nothing.
    signed_in.post(PROFILE_URL, {"legal_name": "李四", "phone": ""})
    assert _profile(person).legal_name == "张三"


def test_a_business_account_sees_and_edits_its_registration_data(client):
    business = UserFactory(kind=AccountKind.BUSINESS, language="en")
    client.force_login(business)
    response = client.post(
        PROFILE_URL,
        {"organisation_name": "示例科技有限公司", "uscc": "91110000600037341M", "legal_representative": "王五"},
    )
    assert response.status_code == 400
    assert "Unified Social Credit Code" in response.context["form"].errors["uscc"][0]
    assert not IdentityProfile.objects.filter(user=business, organisation_name="示例科技有限公司").exists()
    client.post(
        PROFILE_URL,
        {"organisation_name": "示例科技有限公司", "uscc": "91110000600037341L", "legal_representative": "王五"},
    )
    text = client.get(PROFILE_URL).content.decode()
    assert "91110000600037341L" in text and "示例科技有限公司" in text


# -- The verification page ----------------------------------------------------


def test_verification_page_match_reaches_level_two(sandbox, signed_in, person):
    response = signed_in.post(VERIFY_URL, {"legal_name": "张三", "id_number": ZHANG[1]}, follow=True)
    text = response.content.decode()
    assert "Your identity is verified." in text
    assert "Verification level: Identity verified (level 2)" in text
    assert "Already verified" not in text
    assert "Your identity is already verified." in signed_in.get(VERIFY_URL).content.decode()


def test_verification_page_refuses_a_bad_checksum_with_a_field_error(sandbox, signed_in, person):
    response = signed_in.post(VERIFY_URL, {"legal_name": "张三", "id_number": "110101199003071234"})
    assert response.status_code == 400
    assert response.context["form"].errors["id_number"] == [
        "The resident ID number is not valid: check its 18 characters."
    ]
    assert not IdentityVerificationAttempt.objects.exists()


@pytest.mark.parametrize(
    ("name", "id_number", "message"),
    [
        ("张四", ZHANG[1], "do not match"),
        ("张三", UNKNOWN_ID, "No record was found"),
    ],
)
def test_verification_page_explains_a_mismatch(sandbox, signed_in, person, name, id_number, message):
    response = signed_in.post(VERIFY_URL, {"legal_name": name, "id_number": id_number})
    assert message in response.content.decode()
    assert selectors.verification_level_for(user=person) == VerificationLevel.CONTACT_VERIFIED


def test_verification_page_says_try_later_and_keeps_the_form(sandbox, signed_in, person):
    response = signed_in.post(VERIFY_URL, {"legal_name": OUTAGE[0], "id_number": OUTAGE[1]})
    text = response.content.decode()
    assert "try again later" in text
    assert f'value="{OUTAGE[1]}"' in text and f'value="{OUTAGE[0]}"' in text
    # Coming back later, the form is filled from the profile.
    again = signed_in.get(VERIFY_URL).content.decode()
    assert f'value="{OUTAGE[1]}"' in again


def test_verification_page_after_too_many_tries(sandbox, signed_in, person, settings):
    settings.IDENTITY_VERIFICATION_DAILY_LIMIT = 1
    signed_in.post(VERIFY_URL, {"legal_name": "张四", "id_number": ZHANG[1]})
    response = signed_in.post(VERIFY_URL, {"legal_name": "张三", "id_number": ZHANG[1]})
    assert "too many times today" in response.content.decode()
    assert selectors.verification_level_for(user=person) == VerificationLevel.CONTACT_VERIFIED
