"""A citizen turns on an authenticator app in a real browser, then signs in with it."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.e2e.test_consents_dashboard import authenticator_code
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-42"


def code_from_secret(secret_text: str) -> str:
    """What an authenticator app shows for the key typed in by hand."""
    secret = secret_text.replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    return f"{totp.token():06d}"


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def test_citizen_turns_on_an_authenticator_and_is_asked_for_it_at_next_sign_in(live_server, page: Page, artifacts_dir):
    user = UserFactory()
    sign_in(page, live_server.url, user.email)
    expect(page.get_by_test_id("sign-in-state").locator("form")).to_be_visible()

    page.goto(live_server.url + "/account/two-factor/")
    expect(page.get_by_test_id("two-factor-state")).to_be_visible()
    page.locator('main a[href="/account/two-factor/authenticator/"]').click()

    expect(page.locator('img[src^="data:image/svg+xml;base64,"]')).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.locator("input[name=totp-code]").fill(code_from_secret(secret))
    page.screenshot(path=str(artifacts_dir / "two-factor-setup.png"), full_page=True)
    page.locator("input[name=totp-code]").press("Enter")

    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    page.screenshot(path=str(artifacts_dir / "two-factor-recovery-codes.png"), full_page=True)

    # Sign out, sign in again: the password alone is no longer enough.
    page.get_by_test_id("sign-in-state").locator("button[type=submit]").click()
    expect(page.get_by_test_id("sign-in-state").locator('a[href="/accounts/login/"]')).to_be_visible()
    sign_in(page, live_server.url, user.email)
    page.wait_for_url("**/account/two-factor/verify/**")
    expect(page.locator("input[name=totp-code]")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "two-factor-verify.png"), full_page=True)

    # Trying to go elsewhere first still lands on the code page.
    page.goto(live_server.url + "/account/two-factor/")
    page.wait_for_url("**/account/two-factor/verify/**")

    # The enrolment spent the current code; the app's next one opens the account.
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.locator("input[name=totp-code]").fill(authenticator_code(device))
    page.locator("input[name=totp-code]").press("Enter")
    page.wait_for_url(live_server.url + "/account/two-factor/")
    expect(page.get_by_test_id("two-factor-overview")).to_be_visible()
