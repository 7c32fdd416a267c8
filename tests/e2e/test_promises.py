"""Issue #15 in a real browser: a deletion of the account leads into cancellation; location off asks keep or delete."""

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, expect

from accounts.two_factor.selectors import session_key_hash
from consents.location import services as location
from consents.location.selectors import location_records_for, location_sharing_on
from consents.models import ConsentChannel
from privacy_requests.models import PrivacyRequest
from tests.e2e.sessions import give_browser_session
from tests.factories import VerifiedCitizenFactory, step_up_passed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "explanation": "Deleting your account means cancelling it",
        "continue": "Continue to account cancellation",
        "cancel_page": "Cancel your account",
        "kept": "are kept under our retention rules",
        "deleted": "2 stored locations were deleted.",
    },
    "zh-hans": {
        "explanation": "删除账户即注销账户",
        "continue": "继续注销账户",
        "cancel_page": "注销账户",
        "kept": "按保存期限规则保留",
        "deleted": "已删除 2 条",
    },
}


@pytest.fixture
def signed_in_page(browser: Browser, live_server):
    """A page signed in as ``user`` in ``language``, with a fresh step-up check for the request forms."""
    contexts = []

    def make(user, *, language: str):
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        give_browser_session(context, live_server, user)
        session_key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
        step_up_passed(user, session_key_hash=session_key_hash(session_key), verified_at=timezone.now())
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_deletion_of_everything_explains_cancellation_and_leads_into_it(
    live_server, signed_in_page, artifacts_dir, language
):
    citizen = VerifiedCitizenFactory(language=language)
    page = signed_in_page(citizen, language=language)
    page.goto(live_server.url + "/requests/new/deletion/")
    expect(page.get_by_test_id("deletion-account-note")).to_be_visible()
    # Nothing ticked means everything, the account included.
    page.get_by_test_id("submit-request").click()
    page.wait_for_url("**/requests/new/deletion/account/")
    expect(page.locator("h1")).to_have_text(TEXT[language]["explanation"])
    expect(page.get_by_test_id("deletion-account-cooling-off")).to_be_visible()
    expect(page.get_by_test_id("deletion-account-outcome")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / f"deletion-means-cancellation-{language}.png"), full_page=True)
    assert not PrivacyRequest.objects.filter(requester=citizen).exists()
    continue_link = page.get_by_test_id("deletion-account-continue")
    expect(continue_link).to_have_text(TEXT[language]["continue"])
    continue_link.click()
    page.wait_for_url("**/requests/cancel/")
    expect(page.locator("h1")).to_have_text(TEXT[language]["cancel_page"])
    expect(page.get_by_test_id("cancel-outcome-email")).to_be_visible()
    # Only the cancellation page's own button would file it: the account is untouched so far.
    citizen.refresh_from_db()
    assert citizen.is_active and not PrivacyRequest.objects.filter(requester=citizen).exists()


@pytest.mark.parametrize(("language", "choice"), [("en", "keep"), ("zh-hans", "delete"), ("en", "delete")])
def test_turning_location_off_asks_to_keep_or_delete_the_history(
    live_server, signed_in_page, artifacts_dir, language, choice
):
    citizen = VerifiedCitizenFactory(language=language)
    location.location_sharing_turn_on(subject=citizen, actor=citizen, channel=ConsentChannel.WEB)
    for step in range(2):
        location.location_record(user=citizen, latitude=23.1 + step / 100, longitude=113.3, source="device")
    page = signed_in_page(citizen, language=language)
    page.goto(live_server.url + "/privacy/location/")
    expect(page.get_by_test_id("location-off-choice")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / f"location-off-choice-{language}.png"), full_page=True)
    page.get_by_test_id(f"location-off-{choice}").click()
    page.wait_for_url("**/privacy/location/")
    expected = TEXT[language]["kept" if choice == "keep" else "deleted"]
    expect(page.locator("main")).to_contain_text(expected)
    assert not location_sharing_on(user=citizen)
    assert location_records_for(user=citizen).count() == (2 if choice == "keep" else 0)
