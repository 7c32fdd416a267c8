"""Issue #14 in a real browser: rights are never blocked by a policy change, and home shows the next step.

Both languages, at 1280 and 390 px. Screenshots go to test-artifacts/rights/.
"""

import datetime
import time

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.two_factor.selectors import session_key_hash
from audit.models import AuditEvent
from consents.models import ConsentState, PolicyVersion, Purpose
from consents.policy_acceptance.selectors import DECLINED_AUDIT_ACTION
from consents.services import consent_grant
from notifications.services import notification_send
from tests.e2e.sessions import give_browser_session
from tests.e2e.test_accessibility import AXE, CitizenPage, _audit
from tests.factories import CitizenFactory, step_up_passed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["zh-hans", "en"]
WIDTHS = {1280: 800, 390: 844}
ACCEPT = "/privacy/policy/accept/"


def _material_version_in_effect() -> PolicyVersion:
    now = timezone.now()
    first = PolicyVersion.objects.get(version="2026.1")
    return PolicyVersion.objects.create(
        version="2026.2",
        text_zh=first.text_zh + "\n## 十一、新的合作方\n新增内容。",
        text_en=first.text_en + "\n## 11. A new partner\nSomething new.",
        summary_zh="新增一个合作方。",
        summary_en="Adds a partner.",
        material=True,
        published_at=now - datetime.timedelta(days=30),
        effective_at=now - datetime.timedelta(hours=1),
    )


def _page_for(browser: Browser, live_server, user, *, language: str, width: int) -> Page:
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": width, "height": WIDTHS[width]},
        bypass_csp=True,  # axe is injected as a script tag
    )
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    give_browser_session(context, live_server, user)
    # The request forms ask for a recent second factor: passed, as after entering a code.
    session_key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    step_up_passed(user, session_key_hash=session_key_hash(session_key), verified_at=timezone.now())
    return context.new_page()


def _shot(page: Page, path) -> None:
    # A full-page capture would paint the sticky cookie banner over the middle of the page.
    page.add_style_tag(content=".cookie-banner { position: static; }")
    page.screenshot(path=str(path), full_page=True)


def _surveys_granted(user) -> bool:
    return ConsentState.objects.get(subject=user, purpose__code="surveys", partner=None).granted


def _eventually(check, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_right_stays_open_while_a_material_change_waits(live_server, browser, artifacts_dir, language):
    out = artifacts_dir / "rights"
    out.mkdir(exist_ok=True)
    _material_version_in_effect()
    for width in WIDTHS:
        citizen = CitizenFactory(language=language, date_joined=timezone.now() - datetime.timedelta(days=365))
        consent_grant(subject=citizen, purpose=Purpose.objects.get(code="surveys"))
        notification_send(recipient=citizen, kind="welcome")
        page = _page_for(browser, live_server, citizen, language=language, width=width)
        base = live_server.url

        # Home: no redirect, a banner that does not block.
        page.goto(base + "/")
        expect(page).to_have_url(base + "/")
        expect(page.get_by_test_id("policy-pending-banner")).to_be_visible()

        # A rights request form opens.
        page.goto(base + "/requests/new/access/")
        expect(page).to_have_url(base + "/requests/new/access/")
        expect(page.locator("main form")).to_be_visible()
        _shot(page, out / f"request-form-pending-{language}-{width}.png")

        # A consent is withdrawn with one click.
        page.goto(base + "/privacy/")
        expect(page).to_have_url(base + "/privacy/")
        page.locator('form[action="/privacy/consent/surveys/withdraw/"] button').click()
        assert _eventually(lambda citizen=citizen: not _surveys_granted(citizen))

        # Turning it back on rests on the new terms: that, and only that, asks for an answer.
        page.locator('form[action="/privacy/consent/surveys/grant/"] button').click()
        expect(page).to_have_url(f"{base}{ACCEPT}?next=%2Fprivacy%2F")
        assert not _surveys_granted(citizen)

        # The inbox opens.
        page.goto(base + "/inbox/")
        expect(page).to_have_url(base + "/inbox/")
        expect(page.get_by_test_id("policy-pending-banner")).to_be_visible()

        # Declining from the banner keeps them here, told what it means, and the banner is gone.
        page.get_by_test_id("policy-pending-banner").get_by_role("link").click()
        expect(page).to_have_url(f"{base}{ACCEPT}?next=/inbox/")
        _shot(page, out / f"policy-answer-{language}-{width}.png")
        page.get_by_test_id("policy-decline").click()
        expect(page).to_have_url(base + "/inbox/")
        expect(page.get_by_role("status")).to_contain_text("2026.2")
        expect(page.get_by_test_id("policy-pending-banner")).to_have_count(0)
        _shot(page, out / f"policy-declined-{language}-{width}.png")
        assert AuditEvent.objects.filter(action=DECLINED_AUDIT_ACTION, actor_id=citizen.pk).count() == 1
        page.goto(base + "/requests/complaint/")
        expect(page).to_have_url(base + "/requests/complaint/")
        page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_tells_a_new_person_what_to_do_next_and_every_card_is_a_link(
    live_server, browser, artifacts_dir, language
):
    out = artifacts_dir / "rights"
    out.mkdir(exist_ok=True)
    for width in WIDTHS:
        newcomer = CitizenFactory(language=language)
        page = _page_for(browser, live_server, newcomer, language=language, width=width)
        page.goto(live_server.url + "/")

        steps = page.get_by_test_id("home-next-steps")
        expect(steps).to_be_visible()
        expect(page.get_by_test_id("next-verify-identity").get_by_role("link")).to_have_attribute(
            "href", "/account/identity/verify/"
        )
        expect(page.get_by_test_id("next-two-factor").get_by_role("link")).to_have_attribute(
            "href", "/account/two-factor/"
        )
        expect(page.get_by_test_id("next-confirm-email")).to_have_count(0)  # confirmed at sign-up
        cards = page.locator(".home-cards > li")
        for index in range(cards.count()):
            expect(cards.nth(index).get_by_role("link").first).to_be_visible()
        if width == 390:
            first, second = (cards.nth(i).bounding_box() for i in (0, 1))
            assert first and second and first["x"] == second["x"] and second["y"] >= first["y"] + first["height"]
        _shot(page, out / f"home-next-steps-{language}-{width}.png")

        # The whole card is the link's target, not just its heading.
        card = page.get_by_test_id("next-verify-identity")
        box = card.bounding_box()
        assert box is not None
        card.click(position={"x": box["width"] - 8, "y": box["height"] - 8})
        expect(page).to_have_url(live_server.url + "/account/identity/verify/")
        page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_and_the_policy_answer_page_pass_axe(live_server, browser, artifacts_dir, language):
    assert AXE.exists(), "axe-core is not installed: run `make axe` (npm ci)"
    out = artifacts_dir / "rights"
    out.mkdir(exist_ok=True)
    _material_version_in_effect()
    citizen = CitizenFactory(language=language, date_joined=timezone.now() - datetime.timedelta(days=365))
    notification_send(recipient=citizen, kind="welcome")
    page = _page_for(browser, live_server, citizen, language=language, width=1280)
    problems = []
    for name, path in (("home-pending", "/"), ("policy-answer", ACCEPT)):
        shown = CitizenPage(name, lambda world, path=path: path)
        found, _figures = _audit(page, url=live_server.url + path, citizen_page=shown, language=language, out=out)
        problems += found
    page.context.close()
    assert not problems, "\n\n".join(problems)
