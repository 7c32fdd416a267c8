"""The public help pages (FAQ, contact, accessibility statement) and the footer that links to them."""

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HELP_PAGES = {
    "/help/faq/": ("常见问题", "Questions and answers"),
    "/help/contact/": ("联系我们", "Contact us"),
    "/help/accessibility/": ("无障碍声明", "Accessibility statement"),
}


def _english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.mark.parametrize("path", HELP_PAGES)
def test_help_pages_are_public_in_both_languages(client, path):
    zh_title, en_title = HELP_PAGES[path]
    page = client.get(path)
    assert page.status_code == 200
    assert f"<h1>{zh_title}</h1>" in page.content.decode()
    english = _english(client).get(path).content.decode()
    assert f"<h1>{en_title}</h1>" in english


def test_help_pages_open_for_a_signed_in_person_too(client):
    client.force_login(UserFactory())
    for path in HELP_PAGES:
        assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", HELP_PAGES)
def test_help_pages_answer_only_reads(client, path):
    assert client.post(path).status_code == 405


def test_faq_explains_each_right_the_deadline_and_the_complaint_route(client):
    html = _english(client).get("/help/faq/").content.decode()
    rights = ("copy of your information", "correction request", "deletion request", "withdraw", "cancel your account")
    for words in rights:
        assert words in html
    assert "15 working days" in html
    assert "hotline 12345" in html
    assert 'href="/requests/complaint/"' in html and "people's court" in html


def test_contact_page_gives_the_hotline_and_the_configured_postal_address(client, settings):
    settings.PORTAL_HOTLINE = "12345-8"
    settings.PORTAL_POSTAL_ADDRESS = "广州市越秀区府前路 1 号 隐私办 510000"
    html = client.get("/help/contact/").content.decode()
    assert 'data-testid="contact-hotline">12345-8<' in html
    assert "广州市越秀区府前路 1 号 隐私办 510000" in html
    assert "15 个工作日" in html


def test_contact_page_leaves_out_the_post_when_no_address_is_set(client, settings):
    settings.PORTAL_POSTAL_ADDRESS = ""
    html = client.get("/help/contact/").content.decode()
    assert 'data-testid="contact-address"' not in html


def test_accessibility_statement_names_the_standards_limitations_and_how_to_report(client):
    html = _english(client).get("/help/accessibility/").content.decode()
    assert "WCAG" in html and "2.2" in html and "GB/T 37668" in html
    assert "Known limitations" in html
    assert "Report a problem" in html and 'href="/requests/complaint/"' in html
    assert "last reviewed on" in html


def test_footer_shows_the_sponsor_and_filing_numbers_from_settings(client, settings):
    settings.PORTAL_SPONSOR_DEPARTMENT = "某省政务服务数据管理局"
    settings.PORTAL_ICP_FILING = "粤ICP备12345678号-2"
    settings.PORTAL_PSB_FILING = "粤公网安备44010402000001号"
    html = client.get("/").content.decode()
    assert "主办单位：某省政务服务数据管理局" in html
    assert 'href="https://beian.miit.gov.cn/"' in html and "粤ICP备12345678号-2" in html
    assert 'href="https://beian.mps.gov.cn/"' in html and "粤公网安备44010402000001号" in html
    for path in ("/policy/", *HELP_PAGES, "/requests/complaint/"):
        assert f'href="{path}"' in html


def test_footer_leaves_out_filing_numbers_that_are_not_set(client, settings):
    settings.PORTAL_SPONSOR_DEPARTMENT = ""
    settings.PORTAL_ICP_FILING = ""
    settings.PORTAL_PSB_FILING = ""
    html = client.get("/").content.decode()
    assert 'data-testid="footer-sponsor"' not in html
    assert "beian.miit.gov.cn" not in html and "beian.mps.gov.cn" not in html
    assert 'href="/help/faq/"' in html


def test_demo_settings_give_every_footer_fact():
    from privacy_portal.settings import demo_site

    assert str(demo_site.PORTAL_SPONSOR_DEPARTMENT)
    assert "ICP" in demo_site.PORTAL_ICP_FILING
    assert "公网安备" in demo_site.PORTAL_PSB_FILING
    assert str(demo_site.PORTAL_POSTAL_ADDRESS)
