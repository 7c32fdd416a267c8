"""Real-name verification in a real browser: a wrong ID number, then a sandbox identity."""

import pytest
from playwright.sync_api import Page, expect

from accounts.identity import services
from accounts.identity.selectors import identity_profile_for
from accounts.models import VerificationLevel
from tests.e2e.sessions import give_browser_session
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME, ID_NUMBER = "张三", "110101199003071233"
BAD_CHECKSUM = "110101199003071234"


def _sign_in(page: Page, live_server, user) -> None:
    give_browser_session(page.context, live_server, user)


def test_citizen_verifies_identity_after_fixing_a_wrong_id_number(live_server, page: Page, artifacts_dir):
    services.sandbox_identity_ensure(legal_name=NAME, id_number=ID_NUMBER)
    # English, saved on the account: the page follows it over the browser's zh-CN.
    citizen = UserFactory(language="en")
    _sign_in(page, live_server, citizen)

    page.goto(live_server.url + "/account/identity/")
    expect(page.get_by_test_id("verification-level")).to_contain_text("Contact verified (level 1)")
    page.get_by_role("link", name="Verify your identity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify your identity")

    page.get_by_label("Legal name").fill(NAME)
    page.get_by_label("Resident ID number").fill(BAD_CHECKSUM)
    page.get_by_role("button", name="Verify").click()
    expect(
        page.get_by_text("The resident ID number is not valid: check its 18 characters.", exact=True)
    ).to_be_visible()
    # What was typed stays in the form, to be corrected rather than retyped.
    expect(page.get_by_label("Legal name")).to_have_value(NAME)
    expect(page.get_by_label("Resident ID number")).to_have_value(BAD_CHECKSUM)
    page.screenshot(path=str(artifacts_dir / "identity-verify-wrong-checksum.png"), full_page=True)

    page.get_by_label("Resident ID number").fill(ID_NUMBER.lower())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_contain_text("Your identity is verified.")
    expect(page.get_by_test_id("verification-level")).to_contain_text("Identity verified (level 2)")
    expect(page.get_by_test_id("identity-details")).to_contain_text(ID_NUMBER)
    expect(page.get_by_test_id("correction-note")).to_contain_text("correction request")
    expect(page.get_by_role("link", name="Verify your identity")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "identity-verified.png"), full_page=True)

    assert identity_profile_for(user=citizen).verification_level == VerificationLevel.IDENTITY_VERIFIED


def test_verification_works_without_javascript(live_server, browser, artifacts_dir):
    services.sandbox_identity_ensure(legal_name=NAME, id_number=ID_NUMBER)
    citizen = UserFactory(language="en")
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    _sign_in(page, live_server, citizen)
    page.goto(live_server.url + "/account/identity/verify/")
    page.get_by_label("Legal name").fill(NAME)
    page.get_by_label("Resident ID number").fill(ID_NUMBER)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("verification-level")).to_contain_text("Identity verified (level 2)")
    context.close()
