"""One citizen, one browser: sign-up, email code, real-name verification, authenticator."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.identity.services import sandbox_identity_ensure
from accounts.models import User
from tests.e2e.test_two_factor import code_from_secret

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL, PASSWORD = "zhao.liu@example.cn", "Correct-Horse-42"
NAME, ID_NUMBER = "赵六", "110101199003071233"


def _emailed_code(address: str) -> str:
    message = [m for m in mail.outbox if m.to == [address]][-1]
    return re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.MULTILINE).group(1)


def test_sign_up_verify_email_verify_identity_and_turn_on_an_authenticator(live_server, page: Page, artifacts_dir):
    sandbox_identity_ensure(legal_name=NAME, id_number=ID_NUMBER)
    mail.outbox.clear()

    # Sign up (the page is in Chinese: the browser is zh-CN).
    page.goto(live_server.url + "/accounts/signup/")
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_test_id("signup-form").locator("button[type=submit]").click()

    # Confirm the emailed code.
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    page.locator("#id_code").fill(_emailed_code(EMAIL))
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(live_server.url + "/")
    user = User.objects.get(email=EMAIL)
    assert user.emailaddress_set.get().verified

    # Real-name verification with a sandbox identity.
    page.goto(live_server.url + "/account/identity/verify/")
    page.locator("input[name=legal_name]").fill(NAME)
    page.locator("input[name=id_number]").fill(ID_NUMBER)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("verification-level")).to_contain_text("2")
    page.screenshot(path=str(artifacts_dir / "journey-identity-verified.png"), full_page=True)
    user.identity.refresh_from_db()
    assert user.identity.verification_level == 2

    # Turn on an authenticator app.
    page.goto(live_server.url + "/account/two-factor/authenticator/")
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.locator("input[name=totp-code]").fill(code_from_secret(secret))
    page.locator("input[name=totp-code]").press("Enter")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.screenshot(path=str(artifacts_dir / "journey-two-factor-on.png"), full_page=True)
    assert user.totpdevice_set.filter(confirmed=True).exists()
