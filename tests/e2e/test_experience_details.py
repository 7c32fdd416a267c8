"""Issue #14's remaining details, as a person sees them in a real browser, in both languages.

The header and the sign-in message name a person without their internal handle; signed-in
devices carry dates in each language's long format; an error page gives an 8-character
reference to read to the hotline; a password-reset email links back to the configured site;
home shows open requests with their deadlines, unread messages and a consent summary; while a
material policy change waits, the rights not walked through elsewhere stay open (cancellation,
identity, the export and its download, the policy pages, sign-out) and staff reach admin; the
account navigation lines up with the content; Chinese labels use full-width punctuation; on an
English phone the cookie banner never hides the focused field.
Screenshots go to ``test-artifacts/details/``.
"""

import datetime
import re
import zipfile

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import path
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import Browser, Page, expect

from core.request_reference import ALPHABET
from notifications.selectors import inbox_unread_count
from notifications.services import notification_send
from privacy_portal.urls import urlpatterns as portal_urlpatterns
from privacy_requests import services as request_services
from privacy_requests.models import RequestKind
from tests.e2e.cookie_banner import fields_under_the_banner
from tests.e2e.sessions import give_browser_session
from tests.e2e.test_accessibility import _world_for
from tests.e2e.test_rights_policy_pending import ACCEPT, _material_version_in_effect, _page_for
from tests.factories import (
    CitizenFactory,
    StaffFactory,
    UserFactory,
    VerifiedCitizenFactory,
    step_up_passed,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-42"
HANDLE = "u273ad690926a084d"
LANGUAGES = ["zh-hans", "en"]
# Every journey in both languages, on a phone and on a desktop.
LANGUAGE_WIDTHS = [(language, width) for language in ("zh-hans", "en") for width in (390, 1280)]
HEIGHT = {390: 844, 1280: 800}
CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
REFERENCE = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


# A URLconf with one page that fails, for the error page: the portal's own, plus that page.
def _broken_page(request):
    raise RuntimeError("a fault the person must never see")


urlpatterns = [path("broken-for-the-test/", _broken_page), *portal_urlpatterns]
handler404 = "privacy_portal.views.page_not_found"
handler500 = "privacy_portal.views.server_error"


@pytest.fixture(autouse=True)
def _fresh():
    cache.clear()  # allauth's rate limits
    mail.outbox.clear()


@pytest.fixture
def out(artifacts_dir):
    folder = artifacts_dir / "details"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def new_page(browser: Browser, live_server):
    contexts = []

    def make(*, language: str, width: int = 1280, user=None, **options) -> Page:
        context = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": HEIGHT[width]}, **options
        )
        contexts.append(context)
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        if user is not None:
            give_browser_session(context, live_server, user)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _in(language: str, text_of):
    with translation.override(language):
        return text_of()


# -- The name a person is shown -------------------------------------------------------------------


@pytest.mark.parametrize(("language", "width"), LANGUAGE_WIDTHS)
def test_signing_in_names_the_person_by_masked_email_never_the_handle(live_server, new_page, out, language, width):
    person = UserFactory(username=HANDLE, email="zhang.san@example.cn", language=language)
    page = new_page(language=language, width=width)
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_login").fill(person.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()

    expect(page).to_have_url(live_server.url + "/")
    message = {"en": "Successfully signed in as z***@example.cn.", "zh-hans": "以 z***@example.cn 成功登录"}
    expect(page.locator("main")).to_contain_text(message[language])
    header = {"en": "Signed in as z***@example.cn", "zh-hans": "已登录：z***@example.cn"}
    expect(page.get_by_test_id("signed-in-name")).to_have_text(header[language])
    page.screenshot(path=str(out / f"signed-in-{language}-{width}.png"))
    body = page.locator("body").inner_text()
    assert HANDLE not in body and "zhang.san@" not in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_header_names_a_verified_person_by_their_verified_name(live_server, new_page, language):
    person = VerifiedCitizenFactory(username=HANDLE, language=language, first_name="Typed", last_name="In")
    page = new_page(language=language, user=person)
    page.goto(live_server.url + "/")
    expect(page.get_by_test_id("signed-in-name")).to_contain_text(person.identity.legal_name)
    expect(page.locator("header")).not_to_contain_text(HANDLE)
    expect(page.locator("header")).not_to_contain_text("Typed")


# -- Dates and devices -------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "width"), LANGUAGE_WIDTHS)
def test_signed_in_devices_show_dates_in_the_long_format(live_server, new_page, out, language, width):
    person = UserFactory(language=language)
    page = new_page(language=language, width=width, user=person, user_agent=CHROME_ON_WINDOWS)
    page.goto(live_server.url + "/account/activity/sessions/")
    sessions = page.get_by_test_id("sessions")
    expect(sessions.get_by_test_id("device-name").first).to_have_text(
        {"en": "Chrome 131 on Windows", "zh-hans": "Windows 上的 Chrome 131"}[language]
    )
    today = _in(language, lambda: formats.date_format(timezone.localdate(), "DATE_FORMAT"))
    long_date = {
        "en": re.compile(r"^\d{1,2} (January|February|March|April|May|June|July|August|September|October|November"
                         r"|December) \d{4}, \d{2}:\d{2}$"),
        "zh-hans": re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$"),
    }[language]  # fmt: skip
    shown = sessions.locator("tbody time").all_inner_texts()
    assert len(shown) >= 2, shown
    for text in shown:
        assert long_date.match(text.strip()), shown
        assert "/" not in text and text.strip().startswith(today), (today, shown)
    page.screenshot(path=str(out / f"sessions-dates-{language}-{width}.png"), full_page=True)


# -- Error pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_error_page_gives_an_eight_character_reference_to_read_out(live_server, new_page, out, settings, language):
    settings.ROOT_URLCONF = __name__
    page = new_page(language=language)
    for url, status, heading in (
        ("/broken-for-the-test/", 500, "Something went wrong"),
        ("/no-such-page-here/", 404, None),
    ):
        response = page.goto(live_server.url + url)
        assert response is not None and response.status == status
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(_in(language, lambda h=heading: gettext(h)))
        reference = page.get_by_test_id("error-reference")
        expect(reference).to_have_text(REFERENCE)
        # The same reference the logs and the response carry, so staff can find the request.
        assert reference.inner_text().replace("-", "") == response.headers["x-request-id"]
        expect(page.locator("body")).not_to_contain_text("RuntimeError")
        expect(page.locator("body")).not_to_contain_text("Traceback")
        page.screenshot(path=str(out / f"error-{status}-{language}.png"), full_page=True)


# -- Mail that links back ------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "width"), LANGUAGE_WIDTHS)
def test_a_password_reset_email_links_back_to_the_configured_site(
    live_server, new_page, out, settings, language, width
):
    settings.SITE_URL = live_server.url  # the configured site is the one this test runs
    person = UserFactory(language=language)
    page = new_page(language=language, width=width)
    page.goto(live_server.url + "/accounts/password/reset/")
    page.locator("#id_email").fill(person.email)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))

    message = [m for m in mail.outbox if m.to == [person.email]][-1]
    html = {mime: content for content, mime in message.alternatives}["text/html"]
    links = re.findall(r'href="([^"]+)"', html)
    reset = [link for link in links if "/accounts/password/reset/key/" in link]
    assert reset and all(link.startswith(live_server.url + "/") for link in reset), links
    assert reset[0] in message.body  # the plain-text part has the same link
    assert "example.com" not in message.body + html

    page.goto(reset[0].replace("&amp;", "&"))
    expect(page.locator("#id_password1")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.screenshot(path=str(out / f"password-reset-from-email-{language}-{width}.png"), full_page=True)


# -- Home ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "width"), LANGUAGE_WIDTHS)
def test_home_shows_open_requests_with_deadlines_unread_messages_and_consents(
    live_server, new_page, out, language, width
):
    person = VerifiedCitizenFactory(language=language)
    request = request_services.privacy_request_create(
        requester=person, kind=RequestKind.ACCESS, details={}, identity_check=step_up_passed(person)
    )
    request.refresh_from_db()
    notification_send(recipient=person, kind="welcome")
    page = new_page(language=language, width=width, user=person)
    page.goto(live_server.url + "/")

    requests_card = page.get_by_test_id("home-requests")
    expect(requests_card).to_contain_text(request.reference)
    assert request.due_date is not None
    due = _in(language, lambda: formats.date_format(request.due_date, "DATE_FORMAT"))
    expect(requests_card).to_contain_text(due)
    requests_card.get_by_role("link", name=re.compile(request.reference)).click()
    expect(page).to_have_url(f"{live_server.url}/requests/{request.pk}/")
    page.go_back()

    # The welcome message and the request's own acknowledgements, none opened yet.
    count = inbox_unread_count(user=person)
    assert count >= 1
    unread = _in(
        language,
        lambda: ngettext("%(counter)s unread message.", "%(counter)s unread messages.", count) % {"counter": count},
    )
    expect(page.get_by_test_id("home-messages")).to_contain_text(unread)
    consents = page.get_by_test_id("home-consents")
    expect(consents).to_contain_text(re.compile(r"\d+"))
    page.screenshot(path=str(out / f"home-overview-{language}-{width}.png"), full_page=True)
    consents.get_by_role("link").first.click()
    expect(page).to_have_url(live_server.url + "/privacy/")


# -- Rights while a material policy change waits ------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_remaining_rights_stay_open_while_a_material_change_waits(
    live_server, browser, out, settings, tmp_path, language
):
    """The companion of test_rights_policy_pending: cancellation, identity, the export, policy pages, sign-out."""
    settings.MEDIA_ROOT = tmp_path / "media"
    _material_version_in_effect()
    citizen = VerifiedCitizenFactory(language=language, date_joined=timezone.now() - datetime.timedelta(days=365))
    world = _world_for(citizen)
    page = _page_for(browser, live_server, citizen, language=language, width=390)
    base = live_server.url
    for url in (
        "/requests/cancel/",
        "/account/identity/",
        f"/requests/exports/{world.export_id}/",
        "/policy/",
        "/policy/2026.2/changes/",
    ):
        page.goto(base + url)
        expect(page).to_have_url(base + url)
        expect(page.locator("main h1")).to_be_visible()

    # The export downloads, and reads as issue #14 asks: a schema beside each category's JSON,
    # a README that names real files.
    page.goto(f"{base}/requests/exports/{world.export_id}/")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-download").click()
    saved = tmp_path / "export.zip"
    download_info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
        readme = archive.read("README.txt").decode()
    categories = {name.removesuffix(".json") for name in names if name.endswith(".json") and "/" not in name}
    assert categories and {f"schemas/{code}.schema.json" for code in categories} <= names, sorted(names)
    assert "summary.html" in names and "<code>" not in readme

    # The answer page says what its diff link shows: changes marked in the text, not "line by line".
    page.goto(base + ACCEPT)
    link = page.get_by_test_id("policy-diff-link")
    expect(link).to_have_text(
        {"en": "See every change, marked in the text", "zh-hans": "查看正文中标出的全部变更"}[language]
    )
    page.screenshot(path=str(out / f"policy-answer-link-{language}.png"), full_page=True)

    # Signing out is never held back.
    page.goto(base + "/")
    page.get_by_test_id("sign-in-state").locator("button[type=submit]").click()
    expect(page.get_by_test_id("signed-in-name")).to_have_count(0)
    page.goto(base + "/privacy/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.context.close()


def test_staff_reach_admin_while_a_material_change_waits(live_server, browser):
    _material_version_in_effect()
    officer = StaffFactory(date_joined=timezone.now() - datetime.timedelta(days=365))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    give_browser_session(context, live_server, officer, second_factor_passed=True)
    page = context.new_page()
    page.goto(live_server.url + "/admin/")
    expect(page).to_have_url(live_server.url + "/admin/")
    expect(page.locator("#site-name, #header")).not_to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("The privacy policy has changed")
    context.close()


# -- Layout: the account navigation lines up with the content ------------------------------------

ALIGNED = """() => Object.fromEntries([
  ["brand", "header .brand"],
  ["account navigation", "body > nav.account-nav ul.nav li a"],
  ["heading", "main h1"],
  ["section navigation", "main nav.account-nav li a"],
  ["first paragraph", "main h1 + p"],
].map(([name, selector]) => [name, Math.round(document.querySelector(selector).getBoundingClientRect().left)]))"""


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_account_navigation_lines_up_with_the_content(live_server, new_page, out, language, width):
    page = new_page(language=language, width=width, user=UserFactory(language=language))
    page.goto(live_server.url + "/account/activity/sessions/")
    lefts = page.evaluate(ALIGNED)
    assert max(lefts.values()) - min(lefts.values()) <= 1, lefts
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(out / f"account-navigation-{language}-{width}.png"))


# -- Chinese punctuation, and the banner on an English phone --------------------------------------


def test_chinese_labels_use_full_width_punctuation(live_server, new_page):
    signed_in = new_page(language="zh-hans", user=CitizenFactory(language="zh-hans"))
    anonymous = new_page(language="zh-hans")
    checked, found = 0, []
    for page, url in (
        (signed_in, "/account/identity/verify/"),
        (signed_in, "/requests/complaint/"),
        (signed_in, "/account/deliveries/new/"),
        (anonymous, "/accounts/signup/"),
    ):
        page.goto(live_server.url + url)
        for label in page.locator("main label, main legend").all_inner_texts():
            if re.search(r"[\u4e00-\u9fff]", label):
                checked += 1
                if re.search(r"[:(),;]", label):
                    found.append((url, label))
    assert checked >= 10, checked
    assert found == [], f"ASCII punctuation in Chinese labels: {found}"


def test_the_cookie_banner_never_covers_the_focused_field_on_an_english_phone(live_server, new_page, out):
    page = new_page(language="en", width=390)
    page.goto(live_server.url + "/accounts/signup/")
    banner = page.get_by_test_id("cookie-banner")
    expect(banner).to_be_visible()
    assert banner.bounding_box()["height"] <= 0.25 * HEIGHT[390], banner.bounding_box()
    page.screenshot(path=str(out / "cookie-banner-phone-en.png"))
    hidden = fields_under_the_banner(page)
    assert hidden == [], f"focused fields under the banner (name, px covered): {hidden}"
