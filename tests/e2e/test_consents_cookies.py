"""The cookie banner in a real browser: refusal leaves no optional cookie, acceptance loads the script, GPC."""

import pytest
from playwright.sync_api import Browser, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OPTIONAL_COOKIE = "portal_analytics"
# Everything the portal may set without consent (see /privacy/cookies/).
NECESSARY = {"sessionid", "csrftoken", "django_language", "cookie_choice", "messages"}


def new_page(browser: Browser, **options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    return context, page, requested


def analytics_requests(requested: list[str]) -> list[str]:
    return [url for url in requested if "analytics.js" in url or "/privacy/cookies/pageview/" in url]


def test_refusing_on_the_banner_leaves_no_optional_cookie_and_loads_no_script(live_server, browser, artifacts_dir):
    context, page, requested = new_page(browser)
    page.goto(live_server.url + "/")
    banner = page.get_by_test_id("cookie-banner")
    expect(banner).to_be_visible()
    accept, refuse = page.get_by_test_id("banner-cookie-accept"), page.get_by_test_id("banner-cookie-refuse")
    # As prominent as each other: same size, same colours.
    accept_box, refuse_box = accept.bounding_box(), refuse.bounding_box()
    assert abs(accept_box["height"] - refuse_box["height"]) < 1
    style = "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color, getComputedStyle(e).fontSize]"
    assert accept.evaluate(style) == refuse.evaluate(style)
    banner.screenshot(path=str(artifacts_dir / "cookie-banner.png"))
    page.screenshot(path=str(artifacts_dir / "cookie-banner-page.png"), full_page=True)

    refuse.click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("cookie-banner")).to_have_count(0)
    page.goto(live_server.url + "/privacy/cookies/")
    expect(page.get_by_test_id("cookie-banner")).to_have_count(0)

    names = {cookie["name"] for cookie in context.cookies()}
    assert OPTIONAL_COOKIE not in names
    assert names <= NECESSARY, names - NECESSARY
    assert {cookie["value"] for cookie in context.cookies() if cookie["name"] == "cookie_choice"} == {"refuse"}
    assert analytics_requests(requested) == []
    context.close()


def test_accepting_loads_the_first_party_script_which_then_sets_the_optional_cookie(live_server, browser):
    context, page, requested = new_page(browser)
    page.goto(live_server.url + "/")
    assert analytics_requests(requested) == []
    assert OPTIONAL_COOKIE not in {cookie["name"] for cookie in context.cookies()}

    with page.expect_response(lambda response: "/privacy/cookies/pageview/" in response.url) as counted:
        page.get_by_test_id("banner-cookie-accept").click()
    assert counted.value.status == 204
    assert any(url.startswith(live_server.url) and url.endswith("/static/js/analytics.js") for url in requested)
    # Every analytics request stayed on the portal's own origin.
    assert all(url.startswith(live_server.url) for url in analytics_requests(requested))
    expect(page.get_by_test_id("cookie-banner")).to_have_count(0)
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert cookies[OPTIONAL_COOKIE]["httpOnly"] and cookies[OPTIONAL_COOKIE]["sameSite"] == "Lax"
    assert cookies["cookie_choice"]["value"] == "accept"
    context.close()


def test_global_privacy_control_needs_no_choice_and_loads_nothing_optional(live_server, browser, artifacts_dir):
    context, page, requested = new_page(browser, extra_http_headers={"Sec-GPC": "1"})
    page.goto(live_server.url + "/")
    expect(page.get_by_test_id("cookie-gpc-notice")).to_be_visible()
    expect(page.get_by_test_id("banner-cookie-accept")).to_have_count(0)
    page.get_by_test_id("cookie-gpc-notice").screenshot(path=str(artifacts_dir / "cookie-gpc-notice.png"))
    page.goto(live_server.url + "/privacy/cookies/")
    expect(page.get_by_test_id("cookie-settings-gpc")).to_be_visible()
    assert analytics_requests(requested) == []
    assert OPTIONAL_COOKIE not in {cookie["name"] for cookie in context.cookies()}
    context.close()


def test_the_banner_works_without_javascript(live_server, browser):
    context, page, requested = new_page(browser, java_script_enabled=False)
    page.goto(live_server.url + "/privacy/cookies/")
    page.get_by_test_id("banner-cookie-refuse").click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/privacy/cookies/"
    expect(page.get_by_test_id("cookie-banner")).to_have_count(0)
    cookies = {cookie["name"]: cookie["value"] for cookie in context.cookies()}
    assert cookies["cookie_choice"] == "refuse" and OPTIONAL_COOKIE not in cookies
    context.close()
