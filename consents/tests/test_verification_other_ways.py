"""Level 3 without a face: the bank-card check, the counter check recorded by staff, the API and the panel."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from rest_framework.test import APIClient

from accounts.identity import services as identity_services
from accounts.identity.selectors import identity_profile_for
from accounts.models import VerificationLevel
from audit.models import AuditEvent
from consents.models import StrongVerification
from consents.strong_verification import services
from consents.strong_verification.services import StrongVerificationError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ID_NUMBER = "110101199003071073"
CARD = "6222021234567890128"
COUNTER_PAGE = "/admin/consents/strongverification/counter-check/"
Outcome = StrongVerification.Outcome


def at_level_two(id_number=ID_NUMBER, card=""):
    user = UserFactory(language="en")
    identity_services.sandbox_identity_ensure(legal_name="张三", id_number=id_number)
    identity_services.identity_verify(user=user, legal_name="张三", id_number=id_number)
    if card:
        identity_services.identity_profile_update(user=user, data={"bank_card": card})
    return user


def level(user):
    return identity_profile_for(user=user).verification_level


# -- Bank card ----------------------------------------------------------------------------------------


def test_bank_card_check_passes_with_a_card_on_the_profile():
    user = at_level_two(card=CARD)
    check = services.bank_card_check(user=user)
    assert (check.method, check.outcome) == (StrongVerification.Method.BANK_CARD, Outcome.PASSED)
    assert level(user) == VerificationLevel.FACE_VERIFIED
    assert CARD not in json.dumps(AuditEvent.objects.get(action="identity.strong_verification").details)


def test_bank_card_check_needs_a_card():
    user = at_level_two()
    with translation.override("en"), pytest.raises(StrongVerificationError) as refused:
        services.bank_card_check(user=user)
    assert "bank card" in str(refused.value)
    with translation.override("zh-hans"), pytest.raises(StrongVerificationError) as refused:
        services.bank_card_check(user=user)
    assert "银行卡号" in str(refused.value)
    assert not StrongVerification.objects.exists()


def test_bank_card_unavailable_by_setting_keeps_level_two(settings):
    settings.BANK_CARD_SANDBOX_ANSWER = "unavailable"
    user = at_level_two(card=CARD)
    assert services.bank_card_check(user=user).outcome == Outcome.UNAVAILABLE
    assert level(user) == VerificationLevel.IDENTITY_VERIFIED


def test_bank_card_page_flow(client):
    user = at_level_two(card=CARD)
    client.force_login(user)
    html = client.get("/privacy/verification/", **EN).content.decode()
    assert "6222 **** 0128" in html and CARD not in html
    done = client.post("/privacy/verification/bank-card/start/", follow=True, **EN)
    assert "The bank-card check passed" in done.content.decode()
    assert 'data-testid="level-3-reached"' in done.content.decode()


def test_a_person_below_level_two_is_sent_to_identity_verification_first(client):
    user = UserFactory(language="en")
    client.force_login(user)
    html = client.get("/privacy/verification/", **EN).content.decode()
    assert 'data-testid="needs-identity"' in html and "/account/identity/verify/" in html
    html = client.post("/privacy/verification/bank-card/start/", follow=True, **EN).content.decode()
    assert "First verify your identity" in html


# -- Counter, recorded by staff -------------------------------------------------------------------------


def test_counter_check_records_the_staff_member_and_raises_the_level():
    user = at_level_two()
    staff = UserFactory(is_staff=True)
    check = services.counter_check_record(user=user, staff=staff)
    assert (check.method, check.outcome, check.recorded_by) == (
        StrongVerification.Method.COUNTER,
        Outcome.PASSED,
        staff,
    )
    assert level(user) == VerificationLevel.FACE_VERIFIED
    assert AuditEvent.objects.get(action="identity.strong_verification").actor_id == staff.pk


@pytest.fixture
def counter_staff():
    staff = UserFactory(is_staff=True, language="en")
    staff.user_permissions.add(
        Permission.objects.get(codename="add_strongverification"),
        Permission.objects.get(codename="view_strongverification"),
    )
    return staff


def test_counter_page_finds_the_person_by_the_id_card(verified_client, counter_staff):
    user = at_level_two()
    client = verified_client(counter_staff)
    assert client.get(COUNTER_PAGE, **EN).status_code == 200
    # The add button leads to the counter page.
    assert client.get("/admin/consents/strongverification/add/").url == COUNTER_PAGE
    missing_box = client.post(COUNTER_PAGE, {"id_number": ID_NUMBER}, **EN)
    assert missing_box.status_code == 400 and not StrongVerification.objects.exists()
    done = client.post(COUNTER_PAGE, {"id_number": ID_NUMBER.lower(), "checked_in_person": "on"}, follow=True, **EN)
    assert f"user #{user.pk} is now verified at level 3" in done.content.decode()
    check = StrongVerification.objects.get()
    assert check.recorded_by == counter_staff and level(user) == VerificationLevel.FACE_VERIFIED
    # The list shows ids, never the ID number.
    listing = client.get("/admin/consents/strongverification/", **EN).content.decode()
    assert ID_NUMBER not in listing and str(user.pk) in listing


def test_counter_page_refuses_an_unverified_number(verified_client, counter_staff):
    UserFactory()
    client = verified_client(counter_staff)
    page = client.post(COUNTER_PAGE, {"id_number": "110101199003071081", "checked_in_person": "on"}, **EN)
    assert page.status_code == 400 and "No identity-verified account holds this ID number" in page.content.decode()


def test_counter_page_needs_the_add_permission(verified_client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_strongverification"))
    assert verified_client(staff).get(COUNTER_PAGE).status_code == 403


def test_checks_cannot_be_changed_or_deleted_in_admin(verified_client):
    user = at_level_two(card=CARD)
    check = services.bank_card_check(user=user)
    client = verified_client(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/consents/strongverification/{check.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert client.post(f"/admin/consents/strongverification/{check.pk}/delete/").status_code == 403


# -- API and panel -----------------------------------------------------------------------------------


def test_api_shows_level_ways_and_history():
    user = at_level_two(card=CARD)
    services.bank_card_check(user=user)
    api = APIClient()
    api.force_authenticate(user)
    answer = api.get("/api/v1/consents/verification/").json()
    assert answer["verification_level"] == 3 and answer["face_consent"] is False
    assert set(answer["ways"]) == {"face", "bank_card", "counter"}
    assert answer["history"][0]["method"] == "bank_card" and answer["history"][0]["by_staff"] is False
    assert APIClient().get("/api/v1/consents/verification/").status_code in (401, 403)


def test_verification_panel_renders_a_section_in_constant_queries(django_assert_max_num_queries):
    user = at_level_two(card=CARD)
    services.bank_card_check(user=user)
    request = RequestFactory().get("/privacy/")
    request.user = user
    template = Template("{% load consent_panels_verification %}{% verification_panel %}")
    with django_assert_max_num_queries(8), translation.override("en"):
        html = template.render(Context({"request": request}))
    assert "<section" in html and "<h2" in html and "level 3" in html
