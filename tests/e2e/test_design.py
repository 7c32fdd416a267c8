"""The portal's own design system in a real browser, in both languages, on a desktop and a phone.

What a person notices: a form sent empty says what is wrong at its top and each problem leads
to its field; text in fields is large enough that a phone does not zoom and every control is a
44 px target; the keyboard focus stands out (≥ 3:1, measured from the computed styles); buttons
that destroy something look different; the footer names who runs the site, its filing numbers
and links to the help pages, which open.
"""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from tests.e2e.sessions import give_browser_session
from tests.factories import VerifiedCitizenFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1280, "phone": 390}
WORDS = {
    "zh-hans": {
        "summary": "请检查您填写的内容",
        "faq": "常见问题",
        "policy": "隐私政策",
        "contact": "联系我们",
        "accessibility": "无障碍声明",
        "business": "法人（企业）",
    },
    "en": {
        "summary": "Please check what you entered",
        "faq": "Questions and answers",
        "policy": "Privacy policy",
        "contact": "Contact us",
        "accessibility": "Accessibility statement",
        "business": "Legal person (business)",
    },
}

# The focused element's outline, the halo around it (box-shadow) and the first opaque background
# behind it, as [r, g, b] lists.
FOCUS_COLOURS = """() => {
  const rgb = (text) => (text.match(/rgba?\\([^)]*\\)/) || ["rgb(0, 0, 0)"])[0].match(/[\\d.]+/g).map(Number);
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let background = [255, 255, 255];
  for (let node = element.parentElement; node; node = node.parentElement) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length < 4 || colour[3] > 0) { background = colour.slice(0, 3); break; }
  }
  return {
    outline: rgb(style.outlineColor).slice(0, 3),
    outlineWidth: parseFloat(style.outlineWidth),
    outlineStyle: style.outlineStyle,
    halo: style.boxShadow === "none" ? null : rgb(style.boxShadow).slice(0, 3),
    background,
  };
}"""


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(value) for value in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(first: list[float], second: list[float]) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.fixture
def open_page(browser: Browser, live_server):
    contexts = []

    def make(*, language: str, width: int, user=None) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 800})
        contexts.append(context)
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        if user is not None:
            give_browser_session(context, live_server, user)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _assert_focus_stands_out(page: Page, where: str) -> None:
    colours = page.evaluate(FOCUS_COLOURS)
    assert colours["outlineStyle"] != "none" and colours["outlineWidth"] >= 2, (where, colours)
    assert colours["halo"] is not None, (where, colours)
    # Ring and halo against each other, and one of them against the background (WCAG C40).
    assert _contrast(colours["outline"], colours["halo"]) >= 3, (where, colours)
    against_background = max(
        _contrast(colours["outline"], colours["background"]), _contrast(colours["halo"], colours["background"])
    )
    assert against_background >= 3, (where, colours)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", WORDS)
def test_an_empty_form_shows_a_summary_whose_links_take_focus_to_the_fields(
    live_server, open_page, artifacts_dir, language, width
):
    page = open_page(language=language, width=width)
    page.goto(live_server.url + "/requests/complaint/")
    page.get_by_test_id("submit-complaint").click()

    summary = page.get_by_test_id("form-errors")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(WORDS[language]["summary"])
    links = summary.get_by_role("link")
    assert links.count() >= 2
    page.screenshot(path=str(artifacts_dir / f"design-error-summary-{language}-{width}.png"), full_page=True)
    for index in range(links.count()):
        link = links.nth(index)
        target = link.get_attribute("href").removeprefix("#")
        link.click()
        field = page.locator(f"[id='{target}']")
        expect(field).to_be_focused()
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_be_in_viewport()
        page.evaluate("() => window.scrollTo(0, 0)")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", WORDS)
def test_controls_are_16px_and_44px_targets_and_the_focus_ring_stands_out(
    live_server, open_page, artifacts_dir, language, width
):
    page = open_page(language=language, width=width)
    page.goto(live_server.url + "/accounts/signup/")
    form = page.get_by_test_id("signup-form")
    controls = form.locator(
        "input:visible:not([type=radio]):not([type=checkbox]), select:visible, textarea:visible, button:visible"
    )
    assert controls.count() >= 4
    for index in range(controls.count()):
        control = controls.nth(index)
        size = control.evaluate("e => [parseFloat(getComputedStyle(e).fontSize), e.getBoundingClientRect().height]")
        assert size[0] >= 16 and size[1] >= 44, (control.get_attribute("name"), size)
    for radio in form.locator("input[type=radio]").all():
        label_height = radio.evaluate("e => e.closest('label').getBoundingClientRect().height")
        box = radio.bounding_box()
        assert label_height >= 44 and box["width"] >= 20 and box["height"] >= 20, (label_height, box)

    # By keyboard: a field on white, the red header's first link, a button.
    page.locator("#id_email").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#id_email")).to_be_focused()
    _assert_focus_stands_out(page, "email field")
    page.screenshot(path=str(artifacts_dir / f"design-focus-{language}-{width}.png"))
    page.locator(".brand").focus()
    _assert_focus_stands_out(page, "header brand link")
    form.locator("button[type=submit]").focus()
    _assert_focus_stands_out(page, "submit button")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", WORDS)
def test_business_fields_appear_only_for_a_business_account(live_server, open_page, browser, language, width):
    page = open_page(language=language, width=width)
    page.goto(live_server.url + "/accounts/signup/")
    business = page.get_by_test_id("business-fields")
    expect(business).to_be_hidden()
    page.get_by_label(WORDS[language]["business"]).check()
    expect(business).to_be_visible()
    expect(page.locator("#id_uscc")).to_be_visible()

    # Without scripting the fields stay on the page, with their note.
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 800})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    plain = context.new_page()
    plain.goto(live_server.url + "/accounts/signup/")
    expect(plain.get_by_test_id("business-fields")).to_be_visible()
    expect(plain.locator("#business-fields-note")).to_be_visible()
    context.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", WORDS)
def test_destructive_buttons_look_different_from_ordinary_ones(live_server, open_page, artifacts_dir, language, width):
    citizen = VerifiedCitizenFactory(language=language)
    page = open_page(language=language, width=width, user=citizen)
    page.goto(live_server.url + "/account/activity/sessions/")
    danger = page.locator("main button.button-danger").first
    ordinary = page.locator("header .language-switch button[type=submit]")
    expect(danger).to_be_visible()
    colours = [
        button.evaluate("e => getComputedStyle(e).backgroundColor.match(/[\\d.]+/g).slice(0, 3).map(Number)")
        for button in (danger, ordinary)
    ]
    assert colours[0] != colours[1]
    red, green, blue = colours[0]
    assert red > 2 * max(green, blue), colours  # a red that reads as "careful"
    text = danger.evaluate("e => getComputedStyle(e).color.match(/[\\d.]+/g).slice(0, 3).map(Number)")
    assert _contrast(text, colours[0]) >= 4.5
    assert danger.bounding_box()["height"] >= 44
    page.screenshot(path=str(artifacts_dir / f"design-danger-{language}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", WORDS)
def test_footer_shows_who_runs_the_site_and_its_filings_and_the_help_pages_open(
    live_server, open_page, artifacts_dir, language, width
):
    page = open_page(language=language, width=width)
    page.goto(live_server.url + "/")
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_test_id("footer-sponsor")).to_be_visible()
    expect(footer.get_by_test_id("icp-filing")).to_have_text(settings.PORTAL_ICP_FILING)
    expect(footer.get_by_test_id("icp-filing")).to_have_attribute("href", "https://beian.miit.gov.cn/")
    expect(footer.get_by_test_id("psb-filing")).to_have_text(settings.PORTAL_PSB_FILING)
    expect(footer).to_contain_text(settings.PORTAL_HOTLINE)
    page.screenshot(path=str(artifacts_dir / f"design-footer-{language}-{width}.png"), full_page=True)
    for page_name in ("faq", "contact", "accessibility"):
        page.get_by_role("contentinfo").get_by_role("link", name=WORDS[language][page_name], exact=True).click()
        expect(page).to_have_url(re.compile(rf"/help/{page_name}/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(WORDS[language][page_name])
    page.get_by_role("contentinfo").get_by_role("link", name=WORDS[language]["policy"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/policy/$"))
