"""Issue #14's words and details in a real browser: the policy diff as rendered text, devices by name."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from consents.models import PolicyVersion
from tests.e2e.sessions import give_browser_session
from tests.e2e.test_accessibility import AXE, TAGS
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
DEVICE = {"en": "Chrome 131 on Windows", "zh-hans": "Windows 上的 Chrome 131"}
BROWSER_LOCALE = {"en": "en-GB", "zh-hans": "zh-CN"}


def _edited_version() -> PolicyVersion:
    first = PolicyVersion.objects.get(version="2026.1")
    now = timezone.now()
    return PolicyVersion.objects.create(
        version="2026.2",
        text_zh=first.text_zh.replace("所必需的时间", "所需的最短时间") + "\n## 十一、新增条款\n**新增**内容。",
        text_en=first.text_en.replace("## 1. Scope", "## 1. Where it applies")
        + "\n## 11. New clause\n**Something** new.",
        summary_zh="文字修订。",
        summary_en="Wording changes.",
        published_at=now - datetime.timedelta(days=1),
        effective_at=now + datetime.timedelta(days=30),
    )


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_policy_changes_show_marks_not_markdown_and_sessions_name_the_browser(
    live_server, browser: Browser, artifacts_dir, language, width
):
    _edited_version()
    citizen = UserFactory(language=language)
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        user_agent=CHROME_ON_WINDOWS,
        locale=BROWSER_LOCALE[language],
        timezone_id="Asia/Shanghai",
        # CSP forbids inline scripts, which is how Playwright injects axe.
        bypass_csp=True,
    )
    try:
        give_browser_session(context, live_server, citizen)
        page = context.new_page()

        page.goto(live_server.url + "/policy/2026.2/changes/")
        diff = page.get_by_test_id("policy-diff")
        expect(diff.locator("ins").first).to_be_visible()
        expect(diff.locator("del").first).to_be_visible()
        expect(diff.locator("h3 ins").last).to_contain_text("11" if language == "en" else "十一")
        shown = diff.inner_text()
        assert "#" not in shown and "**" not in shown
        assert _axe_violations(page) == []
        page.screenshot(path=str(artifacts_dir / f"words-policy-changes-{language}-{width}.png"), full_page=True)

        page.goto(live_server.url + "/account/activity/sessions/")
        expect(page.get_by_test_id("device-name").first).to_have_text(DEVICE[language])
        expect(page.get_by_test_id("sessions")).not_to_contain_text("AppleWebKit")
        assert _axe_violations(page) == []
        page.screenshot(path=str(artifacts_dir / f"words-sessions-{language}-{width}.png"), full_page=True)
    finally:
        context.close()


def _axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS
    )
    return [f"{v['id']}: {' '.join(n['target'][0] for n in v['nodes'][:3])}" for v in results["violations"]]
