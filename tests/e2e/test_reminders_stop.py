"""The "stop reminders" link of a reminder, in a real browser: it asks, then turns reminders off."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.reminders import links
from tests.factories import CitizenFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _no_axe_violations(page: Page) -> None:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS
    )
    assert results["violations"] == [], [violation["id"] for violation in results["violations"]]


def test_the_stop_link_turns_reminders_off(live_server, browser):
    person = CitizenFactory()
    path = "/" + links.stop_url(user_id=person.pk).split("/", 3)[3]
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    page = context.new_page()

    page.goto(live_server.url + path)
    _no_axe_violations(page)
    page.get_by_role("button", name="停止这些提醒").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("提醒已关闭")
    _no_axe_violations(page)
    person.refresh_from_db()
    assert not person.reminders_enabled
    context.close()
