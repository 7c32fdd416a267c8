"""After a sign-up with a registered address the visitor sees and can do what a new address allows."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts.models import AccountKind, IdentityProfile, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"
VALID_USCC = "91110000600037341L"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CONFIRM = "/accounts/confirm-email/"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


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
