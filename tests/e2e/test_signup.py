"""Sign-up with the emailed code, and sign-in by mobile number, in a real browser."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Page, expect

from accounts import phones
from accounts.models import LoginActivity, User
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-42"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    mail.outbox.clear()


def _emailed_code(address: str) -> str:
    # In live_server tests transactions really commit, so the outbox's
    # after-commit dispatch has already handed the mail to the locmem backend.
    message = [m for m in mail.outbox if m.to == [address]][-1]
    return re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.MULTILINE).group(1)


def test_a_visitor_signs_up_confirms_the_emailed_code_and_is_signed_in(live_server, page: Page, artifacts_dir):
    page.goto(live_server.url + "/")
    page.get_by_test_id("sign-in-state").locator("a[href='/accounts/signup/']").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))

    # Every field is reachable by its visible label.
    expect(page.locator("label[for=id_email]")).to_be_visible()
    page.locator("#id_email").fill("li.na@example.cn")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    expect(page.locator("#id_kind_0")).to_be_checked()
    page.screenshot(path=str(artifacts_dir / "signup-form.png"), full_page=True)
    page.get_by_test_id("signup-form").locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.locator("label[for=id_code]")).to_be_visible()
    page.locator("#id_code").fill(_emailed_code("li.na@example.cn"))
    page.locator("main form button[type=submit]").first.click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_test_id("sign-in-state").locator("button[type=submit]")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "signup-signed-in.png"), full_page=True)

    user = User.objects.get(email="li.na@example.cn")
    assert user.emailaddress_set.get().verified
    assert LoginActivity.objects.get(user=user).method == "signup"


def test_a_citizen_signs_in_with_their_mobile_number(live_server, page: Page, artifacts_dir):
    user = UserFactory(language="en")
    phones.user_phone_set(user=user, phone="13812345678", verified=True)

    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("label[for=id_login]")).to_be_visible()
    page.locator("#id_login").fill("138 1234 5678")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_test_id("login-form").locator("button[type=submit]").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_test_id("sign-in-state").locator("button[type=submit]")).to_be_visible()

    page.goto(live_server.url + "/account/activity/")
    history = page.get_by_test_id("sign-in-history")
    expect(history.locator("tbody tr")).to_have_count(1)
    expect(history).to_contain_text("127.0.0.0/24")
    page.screenshot(path=str(artifacts_dir / "phone-sign-in-history.png"), full_page=True)
    assert LoginActivity.objects.get(user=user).method == "phone_password"


def test_a_wrong_password_by_mobile_number_keeps_the_visitor_out(live_server, page: Page):
    user = UserFactory()
    phones.user_phone_set(user=user, phone="13812345678", verified=True)
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_login").fill("13812345678")
    page.locator("#id_password").fill("not-the-password")
    page.get_by_test_id("login-form").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator(".form-errors[role=alert]")).to_be_visible()
    expect(page.get_by_test_id("sign-in-state").locator("button[type=submit]")).to_have_count(0)
