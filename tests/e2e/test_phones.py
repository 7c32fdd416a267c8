"""On a phone: tables read as lists, fields do not zoom, the cookie banner never hides the focused field."""

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import LoginActivity
from tests.e2e.cookie_banner import fields_under_the_banner
from tests.e2e.sessions import give_browser_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _new_page(browser: Browser, viewport: dict, *, javascript: bool = True) -> Page:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport, java_script_enabled=javascript
    )
    return context.new_page()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_cookie_banner_never_covers_the_field_being_filled_in(
    live_server, browser, artifacts_dir, viewport, javascript
):
    page = _new_page(browser, viewport, javascript=javascript)
    page.goto(live_server.url + "/accounts/signup/")
    banner = page.get_by_test_id("cookie-banner")
    expect(banner).to_be_visible()
    if viewport is PHONE:
        # Compact: about a quarter of the screen at most, both choices still there, same size.
        assert banner.bounding_box()["height"] <= 0.25 * PHONE["height"], banner.bounding_box()
        accept, refuse = page.get_by_test_id("banner-cookie-accept"), page.get_by_test_id("banner-cookie-refuse")
        assert accept.bounding_box()["height"] == refuse.bounding_box()["height"] >= 44
        page.screenshot(path=str(artifacts_dir / f"cookie-banner-phone-{'js' if javascript else 'nojs'}.png"))

    fields = page.locator("main form").first.locator("input:visible, select:visible, textarea:visible")
    assert fields.count() >= 4
    hidden = fields_under_the_banner(page)
    assert hidden == [], f"focused fields under the banner (name, px covered): {hidden}"


def test_sign_up_fields_are_16px_on_a_phone_so_the_browser_does_not_zoom(live_server, browser):
    page = _new_page(browser, PHONE)
    page.goto(live_server.url + "/accounts/signup/")
    sizes = page.locator("input:visible, select:visible, textarea:visible, button:visible").evaluate_all(
        "all => all.map(e => [e.name || e.id || e.textContent.trim(), parseFloat(getComputedStyle(e).fontSize)])"
    )
    assert sizes and all(size >= 16 for _, size in sizes), [item for item in sizes if item[1] < 16]


def test_sign_in_history_reads_as_a_labelled_list_on_a_phone(live_server, browser, citizen, artifacts_dir):
    LoginActivity.objects.create(
        user=citizen,
        ip_prefix="203.0.113.0/24",
        user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36",
        method="password",
    )
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    give_browser_session(context, live_server, citizen)
    page = context.new_page()
    page.goto(live_server.url + "/account/activity/")
    table = page.get_by_test_id("sign-in-history")
    expect(table).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    # Each value carries its column's name, since the header row is out of sight.
    labels = table.locator("tbody td").evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert labels == ['"Time"', '"Network"', '"Device"', '"Sign-in method"']
    expect(table.locator("thead")).to_have_css("position", "absolute")
    page.screenshot(path=str(artifacts_dir / "sign-in-history-phone.png"), full_page=True)

    # On a desktop the same page is still a table with its header row.
    page.set_viewport_size(DESKTOP)
    expect(table.locator("thead")).not_to_have_css("position", "absolute")
    assert table.locator("tbody td").first.evaluate("c => getComputedStyle(c).display") == "table-cell"
    context.close()
