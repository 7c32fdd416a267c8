"""After a sign-up with a registered address the visitor sees and can do what a new address allows."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts import sms
from accounts.models import AccountKind, IdentityProfile, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"
VALID_USCC = "91110000600037341L"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CONFIRM = "/accounts/confirm-email/"
VERIFY_PHONE = "/accounts/phone/verify/"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    sms.outbox.clear()
    yield
    cache.clear()
    sms.outbox.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sign_up(client: Client, email: str, **fields):
    data = {
        "kind": AccountKind.INDIVIDUAL,
        "email": email,
        "phone": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "organisation_name": "",
        "uscc": "",
        "legal_representative": "",
        **fields,
    }
    return client.post("/accounts/signup/", data, **EN)


def as_read(html: str) -> str:
    """The page as a reader sees it: without the addresses typed and the per-session token."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)
    return re.sub(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", "ADDRESS", html)


def last_code(address: str) -> str:
    message = [m for m in mail.outbox if address in m.to][-1]
    return re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.MULTILINE).group(1)


def change_address(client: Client, email: str):
    return client.post(CONFIRM, {"action": "change", "email": email}, **EN)


def test_the_code_page_is_the_same_for_a_known_and_a_new_address(committed):
    UserFactory(email="taken@example.cn")
    with committed():
        sign_up(new := Client(), "new@example.cn")
        sign_up(known := Client(), "taken@example.cn")
    new_page = new.get(CONFIRM, **EN).content.decode()
    known_page = known.get(CONFIRM, **EN).content.decode()
    assert 'value="change"' in new_page
    assert as_read(known_page) == as_read(new_page)


def test_changing_from_a_known_to_a_free_address_creates_a_working_account(committed):
    owner = UserFactory(email="taken@example.cn")
    client = Client()
    with committed():
        sign_up(
            client,
            "taken@example.cn",
            kind=AccountKind.BUSINESS,
            organisation_name="示例科技有限公司",
            uscc=VALID_USCC,
            legal_representative="李四",
        )
        # What waits for the change holds the password's hash, never the password.
        assert PASSWORD not in str(dict(client.session))
        response = change_address(client, "mine@example.cn")
    assert response.status_code == 302 and response["Location"] == CONFIRM
    user = User.objects.get(email="mine@example.cn")
    assert user != owner and user.kind == AccountKind.BUSINESS
    assert IdentityProfile.objects.get(user=user).uscc == VALID_USCC
    assert "_auth_user_id" not in client.session

    page = client.get(CONFIRM, **EN).content.decode()
    assert "mine@example.cn" in page
    response = client.post(CONFIRM, {"code": last_code("mine@example.cn")}, **EN)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified
    # The password typed at sign-up is the account's, and was never kept in clear.
    assert PASSWORD not in user.password
    assert Client().post("/accounts/login/", {"login": "mine@example.cn", "password": PASSWORD}).status_code == 302
    # The owner of the taken address keeps theirs, untouched.
    assert User.objects.get(email="taken@example.cn") == owner


def test_changing_to_another_known_address_tells_its_owner_and_creates_nothing(committed):
    UserFactory(email="taken@example.cn")
    UserFactory(email="also-taken@example.cn")
    client = Client()
    with committed():
        sign_up(client, "taken@example.cn")
        users = User.objects.count()
        response = change_address(client, "also-taken@example.cn")
    assert response.status_code == 302 and response["Location"] == CONFIRM
    assert User.objects.count() == users
    warning = [m for m in mail.outbox if m.to == ["also-taken@example.cn"]][-1]
    assert "an account using that email address already exists" in warning.body
    page = client.get(CONFIRM, **EN).content.decode()
    assert "also-taken@example.cn" in page


def test_changing_address_after_a_new_sign_up_still_works(committed):
    client = Client()
    with committed():
        sign_up(client, "typo@example.cn")
        change_address(client, "right@example.cn")
    user = User.objects.get(email="right@example.cn")
    client.post(CONFIRM, {"code": last_code("right@example.cn")}, **EN)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_page_after_changing_address_is_the_same_too(committed):
    UserFactory(email="taken@example.cn")
    new, known = Client(), Client()
    with committed():
        sign_up(new, "typo@example.cn")
        sign_up(known, "taken@example.cn")
        change_address(new, "right@example.cn")
        change_address(known, "mine@example.cn")
    new_page = new.get(CONFIRM, **EN).content.decode()
    known_page = known.get(CONFIRM, **EN).content.decode()
    # Each page says a code went to the address typed, and still offers another change.
    assert "Confirmation email sent to right@example.cn" in new_page and 'value="change"' in new_page
    assert as_read(known_page) == as_read(new_page)


# -- Sign-up with a mobile number: the text-message step comes first -----------------


def as_read_phone(html: str) -> str:
    return re.sub(r"1[3-9]\d{9}", "NUMBER", as_read(html))


def text_code(number: str) -> str:
    message = [m for m in sms.outbox if m.to == number][-1]
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_with_a_mobile_number_a_known_address_gets_the_same_text_message_and_page(committed):
    UserFactory(email="taken@example.cn")
    new, known = Client(), Client()
    with committed():
        fresh = sign_up(new, "new@example.cn", phone="13900000001")
        again = sign_up(known, "taken@example.cn", phone="13900000002")
    assert fresh["Location"] == again["Location"] == VERIFY_PHONE
    # Both numbers get a code; neither is told that something already has an account.
    for number in ("13900000001", "13900000002"):
        [message] = [m for m in sms.outbox if m.to == number]
        assert re.search(r"\b\d{6}\b", message.body) and "already" not in message.body
    new_page = new.get(VERIFY_PHONE, **EN).content.decode()
    known_page = known.get(VERIFY_PHONE, **EN).content.decode()
    assert 'value="change"' in new_page
    assert as_read_phone(known_page) == as_read_phone(new_page)

    # The codes lead both on to the email step, whose pages read alike too.
    with committed():
        fresh = new.post(VERIFY_PHONE, {"code": text_code("13900000001")}, **EN)
        again = known.post(VERIFY_PHONE, {"code": text_code("13900000002")}, **EN)
    assert fresh["Location"] == again["Location"] == CONFIRM
    known_page = known.get(CONFIRM, **EN).content.decode()
    assert as_read_phone(known_page) == as_read_phone(new.get(CONFIRM, **EN).content.decode())
    # The address's owner is told of the attempt; the number's confirmation created no account.
    warning = [m for m in mail.outbox if m.to == ["taken@example.cn"]][-1]
    assert "an account using that email address already exists" in warning.body
    assert set(User.objects.values_list("email", flat=True)) == {"taken@example.cn", "new@example.cn"}
    assert User.objects.get(email="taken@example.cn").phone == ""


def test_a_wrong_text_message_code_is_refused_for_a_known_address_too(committed):
    UserFactory(email="taken@example.cn")
    client = Client()
    with committed():
        sign_up(client, "taken@example.cn", phone="13900000002")
    code = text_code("13900000002")
    response = client.post(VERIFY_PHONE, {"code": "000000" if code != "000000" else "111111"}, **EN)
    assert response.status_code == 200 and "Incorrect code" in response.content.decode()


def test_after_the_text_message_step_a_free_address_creates_the_account_with_the_number_confirmed(committed):
    owner = UserFactory(email="taken@example.cn")
    client = Client()
    with committed():
        sign_up(client, "taken@example.cn", phone="13900000002")
        client.post(VERIFY_PHONE, {"code": text_code("13900000002")}, **EN)
        response = change_address(client, "mine@example.cn")
    assert response["Location"] == CONFIRM
    user = User.objects.get(email="mine@example.cn")
    assert user != owner
    assert (user.phone, user.phone_verified) == ("13900000002", True)
    response = client.post(CONFIRM, {"code": last_code("mine@example.cn")}, **EN)
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    # The confirmed number signs in, as after any sign-up.
    assert Client().post("/accounts/login/", {"login": "13900000002", "password": PASSWORD}).status_code == 302


def test_the_number_can_be_corrected_on_the_text_message_step_of_a_known_address(committed):
    UserFactory(email="taken@example.cn")
    client = Client()
    with committed():
        sign_up(client, "taken@example.cn", phone="13900000002")
        response = client.post(VERIFY_PHONE, {"action": "change", "phone": "13900000003"}, **EN)
    assert response["Location"] == VERIFY_PHONE
    with committed():
        client.post(VERIFY_PHONE, {"code": text_code("13900000003")}, **EN)
        change_address(client, "mine@example.cn")
    assert User.objects.get(email="mine@example.cn").phone == "13900000003"
