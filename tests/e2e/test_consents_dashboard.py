"""The consent dashboard in a real browser: one-click withdrawal; sensitive choices through step-up."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.models import StepUpCheck, User
from consents import services
from consents.models import ConsentState, Partner, PolicyDisplay, Purpose
from consents.selectors import consent_check
from privacy_portal.demo import seed_demo
from tests.e2e.sessions import give_browser_session
from tests.factories import UserFactory

# The catalogue of purposes is seeded by migrations; a transactional test's
# flush would remove it for the next test, so it is restored each time.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def authenticator_code(device: TOTPDevice) -> str:
    """The next code the citizen's authenticator shows that the portal will still accept.

    The server remembers the last step used (a code cannot be replayed) and the
    clock drift it measured at the last sign-in; a code computed from the test's
    stale copy of the device fails whenever a step boundary falls between two
    checks, so the device is read again and the code is taken from the first step
    after the last one used, within the server's tolerance.
    """
    device.refresh_from_db()
    now_step = int((time.time() - device.t0) // device.step) + device.drift
    target = max(now_step, device.last_t + 1)
    while target > now_step + device.tolerance:
        time.sleep(1)
        now_step = int((time.time() - device.t0) // device.step) + device.drift
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = device.t0 + target * device.step + device.step / 2
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_authenticator(page: Page, live_server, user, device: TOTPDevice) -> None:
    """Password sign-in is tested elsewhere; the session starts half signed in, the code finishes it."""
    give_browser_session(page.context, live_server, user)
    page.goto(live_server.url + "/privacy/")
    page.wait_for_url("**/account/two-factor/verify/**")
    page.locator("input[name=totp-code]").fill(authenticator_code(device))
    page.locator("input[name=totp-code]").press("Enter")
    page.wait_for_url(live_server.url + "/privacy/")


def test_citizen_withdraws_with_one_click_and_grants_through_confirmation_and_step_up(
    live_server, page: Page, artifacts_dir
):
    citizen = UserFactory(language="en")
    device = TOTPDevice.objects.create(user=citizen, name="authenticator", confirmed=True)
    recovery = StaticDevice.objects.create(user=citizen, name="recovery")
    recovery.token_set.create(token="abcd2345")
    surveys = Purpose.objects.get(code="surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    sign_in_with_authenticator(page, live_server, citizen, device)
    # Signing in counted as a fresh check; let it age so the sensitive grant asks again.
    StepUpCheck.objects.filter(user=citizen).update(verified_at=timezone.now() - timedelta(minutes=30))

    # One click withdraws, with no step-up.
    surveys_row = page.get_by_test_id("purpose-surveys")
    expect(surveys_row.get_by_test_id("state")).to_have_text("Granted")
    surveys_row.get_by_test_id("withdraw").click()
    expect(page.get_by_test_id("live-region")).to_contain_text("Consent to “Survey invitations” is withdrawn.")
    expect(page.get_by_test_id("purpose-surveys").get_by_test_id("state")).to_have_text("Withdrawn")
    page.screenshot(path=str(artifacts_dir / "consents-dashboard-withdrawn.png"), full_page=True)
    assert consent_check(subject=citizen, purpose=surveys).allowed is False

    # A sensitive purpose: the list sends the person to its panel, whose switch
    # goes through the step-up check and a separate confirmation screen.
    location = page.get_by_test_id("purpose-location_services")
    expect(location.get_by_test_id("state")).to_have_text("Not decided")
    location.get_by_test_id("panel-link").click()
    page.get_by_test_id("location-on").click()
    page.wait_for_url(re.compile(r".*/account/two-factor/step-up/.*"))
    page.locator("input[name=totp-code]").fill(authenticator_code(device))
    page.locator("input[name=totp-code]").press("Enter")
    page.get_by_test_id("location-on-confirm").click()
    page.wait_for_url(re.compile(r".*/privacy/.*"))
    expect(page.get_by_test_id("purpose-location_services").get_by_test_id("state")).to_have_text("Granted")
    page.screenshot(path=str(artifacts_dir / "consents-dashboard-location-granted.png"), full_page=True)
    granted = ConsentState.objects.get(subject=citizen, purpose__code="location_services", partner=None)
    assert granted.granted and granted.channel == "web"
    shown = PolicyDisplay.objects.filter(subject=citizen, purpose__code="location_services").get()
    assert granted.policy_version_id == shown.policy_version_id

    # Sharing with a partner: the dashboard's own confirmation, behind a fresh check again.
    StepUpCheck.objects.filter(user=citizen).update(verified_at=timezone.now() - timedelta(minutes=30))
    page.get_by_test_id("purpose-surveys").get_by_test_id("grant").click()
    expect(page.get_by_test_id("purpose-surveys").get_by_test_id("state")).to_have_text("Granted")
    page.get_by_test_id("partner-surveys-survey_partner").get_by_test_id("partner-confirm").click()
    page.wait_for_url(re.compile(r".*/account/two-factor/step-up/.*"))
    page.locator("input[name=recovery-code]").fill("abcd2345")
    page.locator("input[name=recovery-code]").press("Enter")
    page.wait_for_url(live_server.url + "/privacy/consent/surveys/partner/survey_partner/confirm/")
    confirmation = page.get_by_test_id("consent-confirm")
    expect(confirmation.get_by_role("heading", level=1)).to_have_text("Share data with Survey supplier (sandbox)?")
    expect(confirmation.get_by_test_id("confirm-data")).to_contain_text("Contact details")
    expect(confirmation.get_by_test_id("confirm-partner")).to_contain_text("GD-SV-2026-011")
    expect(confirmation.get_by_test_id("policy-link")).to_have_attribute("href", "/policy/2026.1/")
    page.screenshot(path=str(artifacts_dir / "consents-partner-confirmation.png"), full_page=True)
    assert not ConsentState.objects.filter(subject=citizen, purpose=surveys, partner__isnull=False).exists()

    confirmation.get_by_test_id("confirm-grant").click()
    page.wait_for_url(re.compile(r".*/privacy/#purpose-surveys$"))
    expect(page.get_by_test_id("live-region")).to_contain_text(
        "You agreed to share data with Survey supplier (sandbox)"
    )
    expect(page.get_by_test_id("purpose-surveys").get_by_test_id("row-confirmation")).to_contain_text(
        "You agreed to share data with Survey supplier (sandbox)"
    )
    partner_row = page.get_by_test_id("partner-surveys-survey_partner")
    expect(partner_row.get_by_test_id("partner-state")).to_have_text("Granted")
    page.screenshot(path=str(artifacts_dir / "consents-dashboard-partner-granted.png"), full_page=True)
    sharing = ConsentState.objects.get(subject=citizen, purpose=surveys, partner__code="survey_partner")
    shown = PolicyDisplay.objects.get(subject=citizen, purpose=surveys)
    assert sharing.granted and sharing.policy_version_id == shown.policy_version_id


def test_dashboard_choices_work_without_javascript(live_server, browser):
    citizen = UserFactory(language="en")
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    give_browser_session(context, live_server, citizen)
    page = context.new_page()
    page.goto(live_server.url + "/privacy/")
    page.get_by_test_id("purpose-personal_settings").get_by_test_id("grant").click()
    expect(page.get_by_test_id("purpose-personal_settings").get_by_test_id("state")).to_have_text("Granted")
    page.get_by_test_id("purpose-personal_settings").get_by_test_id("withdraw").click()
    expect(page.get_by_test_id("purpose-personal_settings").get_by_test_id("state")).to_have_text("Withdrawn")
    context.close()


# The demo citizen as they would look after a few choices: a use on, one shared with its partner, one off.
LANGUAGES = {"zh-hans": "zh-CN", "en": "en-US"}
WIDTHS = {1280: 900, 390: 844}
MAX_DESKTOP_HEIGHT = 2500


def demo_citizen(language: str) -> User:
    seed_demo()
    citizen = User.objects.get(username="zhang.san")
    User.objects.filter(pk=citizen.pk).update(language=language)
    surveys = Purpose.objects.get(code="surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    services.consent_grant(subject=citizen, purpose=surveys, partner=Partner.objects.get(code="survey_partner"))
    services.consent_grant(subject=citizen, purpose=Purpose.objects.get(code="personal_settings"))
    services.consent_withdraw(subject=citizen, purpose=Purpose.objects.get(code="service_optimisation"))
    citizen.refresh_from_db()
    return citizen


def dashboard_page(browser, live_server, citizen, *, language: str, width: int, javascript: bool = True):
    context = browser.new_context(
        locale=LANGUAGES[language],
        timezone_id="Asia/Shanghai",
        viewport={"width": width, "height": WIDTHS[width]},
        java_script_enabled=javascript,
    )
    give_browser_session(context, live_server, citizen)
    page = context.new_page()
    page.goto(live_server.url + "/privacy/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    return context, page


def withdrawn_text(language: str) -> str:
    with translation.override(language):
        name = Purpose.objects.get(code="surveys").name
        return gettext("Consent to “%(purpose)s” is withdrawn. This applies now.") % {"purpose": name}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_dashboard_reads_at_a_glance(live_server, browser, artifacts_dir, language, width):
    context, page = dashboard_page(browser, live_server, demo_citizen(language), language=language, width=width)
    optional = Purpose.objects.filter(active=True, kind="optional").count()
    # The summary is the first thing on the page, within the first screen.
    summary = page.get_by_test_id("dashboard-summary")
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_test_id("summary-on")).to_contain_text("2 ")
    expect(summary.get_by_test_id("summary-on")).to_contain_text(str(optional))
    expect(summary.get_by_test_id("summary-partners")).to_have_text("2")
    # Basic uses are folded away; sensitive optional uses carry a visible mark.
    expect(page.get_by_test_id("basic-purposes").get_by_test_id("purpose-security")).to_be_hidden()
    expect(page.get_by_test_id("purpose-location_services").get_by_test_id("sensitive")).to_be_visible()
    # Partner sharing sits inside its purpose's row.
    expect(page.get_by_test_id("purpose-surveys").get_by_test_id("partner-surveys-survey_partner")).to_be_visible()

    height = page.evaluate("document.documentElement.scrollHeight")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    print(f"dashboard {language} at {width} px: {height} px tall, {overflow} px sideways")
    page.screenshot(path=str(artifacts_dir / f"consents-dashboard-{language}-{width}.png"), full_page=True)
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width} px"
    if width == 1280:
        assert height <= MAX_DESKTOP_HEIGHT, f"the dashboard is {height} px tall at 1280 px"
    # Opened, the short list of basic uses says why each is needed and on which legal basis.
    basic = page.get_by_test_id("basic-purposes")
    basic.locator("summary").first.click()
    expect(basic.get_by_test_id("purpose-security")).to_be_visible()
    expect(basic.get_by_test_id("purpose-security")).to_contain_text(
        {"en": "Legal basis: ", "zh-hans": "法律依据："}[language]
    )
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_withdrawing_confirms_beside_the_control_and_keeps_the_place(
    live_server, browser, artifacts_dir, language, width, javascript
):
    citizen = demo_citizen(language)
    context, page = dashboard_page(browser, live_server, citizen, language=language, width=width, javascript=javascript)
    row = page.get_by_test_id("purpose-surveys")
    row.get_by_test_id("withdraw").scroll_into_view_if_needed()
    row.get_by_test_id("withdraw").click()

    done = withdrawn_text(language)
    note = page.get_by_test_id("purpose-surveys").get_by_test_id("row-confirmation")
    expect(note).to_have_text(done)
    expect(page.get_by_test_id("live-region")).to_contain_text(done)
    expect(page.get_by_test_id("live-region")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_test_id("purpose-surveys").get_by_test_id("state")).not_to_have_attribute(
        "class", re.compile("granted")
    )
    # The words are where the person was looking: in view, beside the switch they used.
    expect(note).to_be_in_viewport()
    expect(page.get_by_test_id("purpose-surveys").get_by_test_id("grant")).to_be_in_viewport()
    control = page.get_by_test_id("purpose-surveys").get_by_test_id("grant").bounding_box()
    box = note.bounding_box()
    assert control is not None and box is not None
    assert abs(box["y"] - (control["y"] + control["height"])) < 120
    page.screenshot(
        path=str(
            artifacts_dir / f"consents-dashboard-withdrawn-{language}-{width}-{'js' if javascript else 'no-js'}.png"
        )
    )
    assert ConsentState.objects.get(subject=citizen, purpose__code="surveys", partner=None).granted is False
    # One click stopped the partner sharing too, and the summary says so.
    expect(page.get_by_test_id("summary-partners")).to_have_text("1")
    context.close()
