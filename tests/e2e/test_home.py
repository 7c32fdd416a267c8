"""The home page in a real browser: Chinese first, English after switching."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_in_chinese_then_english(live_server, page: Page, artifacts_dir):
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("您的个人信息，由您做主")
    expect(page.get_by_role("contentinfo")).to_contain_text("12345")
    page.screenshot(path=str(artifacts_dir / "home-zh-hans.png"), full_page=True)

    # With scripting on, choosing a language submits the form by itself.
    page.get_by_label("语言").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your personal information, in your hands")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "home-en.png"), full_page=True)

    # The choice survives navigation.
    page.get_by_role("link", name="Privacy policy").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy policy")


def test_skip_link_is_the_first_stop_for_keyboard_users(live_server, page: Page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_language_switch_works_without_javascript(live_server, browser, artifacts_dir):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    context.close()
