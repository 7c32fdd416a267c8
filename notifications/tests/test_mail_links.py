"""Issue #14: every email the outbox sends links back to SITE_URL, as text and as HTML."""

import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import AccountKind
from incidents.models import Audience, Incident, Severity
from incidents.services import incident_notify
from incidents.tests.factories import notice_complete, notice_fields
from notifications import kinds
from notifications.services import notification_send
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://privacy.test.example.cn"  # settings.test.SITE_URL
URL = re.compile(r"https?://[^\s<>\"'，。）]+")
PASSWORD = "Correct-Horse-42"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")


def html_part(message) -> str:
    parts = [content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"]
    assert len(parts) == 1, f"{message.subject!r} has no HTML part"
    return parts[0]


def hrefs(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def assert_links_back(message) -> None:
    """An HTML part; every link of both parts on SITE_URL; no trace of the Sites record."""
    html = html_part(message)
    assert '<html lang="' in html
    for url in URL.findall(message.body) + hrefs(html):
        assert url.startswith(f"{SITE}/"), f"{message.subject!r} links to {url}"
    # Every URL of the text part is a link in the HTML part.
    assert set(URL.findall(message.body)) <= set(hrefs(html))
    whole = message.message().as_string()
    assert "example.com" not in whole and "testserver" not in whole


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    cache.clear()  # allauth's rate limits
    return lambda: django_capture_on_commit_callbacks(execute=True)


# Links the notification templates take, as their callers build them (core.site).
LINKS = dict.fromkeys(
    ("request_url", "progress_url", "verify_url", "sign_in_url", "changes_url", "version_url", "link"),
    f"{SITE}/requests/7/",
)


@pytest.mark.parametrize("kind", [kind.code for kind in kinds.all_kinds() if kind.email])
def test_every_notification_email_has_an_html_part_and_links_to_site_url(kind, committed):
    person = UserFactory(language="en")
    with committed(), transaction.atomic():
        notification_send(recipient=person, kind=kind, context=dict(LINKS))
    assert len(mail.outbox) == 1
    assert_links_back(mail.outbox[0])


def test_a_url_in_the_text_is_a_link_in_the_html(committed):
    person = UserFactory(language="zh-hans")
    with committed(), transaction.atomic():
        notification_send(recipient=person, kind="request_received", context={"request_url": f"{SITE}/requests/7/"})
    html = html_part(mail.outbox[0])
    assert f'<a href="{SITE}/requests/7/"' in html
    assert '<html lang="zh-hans">' in html


def test_the_incident_notice_links_to_the_inbox(committed):
    UserFactory(language="en", email="li.lei@example.cn")
    incident = Incident.objects.create(
        title_zh="数据泄露",
        title_en="Data leak",
        description_zh="一个导出文件夹被误设为可从外部读取。",
        discovered_at=timezone.now(),
        severity=Severity.GENERAL,
        advice_zh="请修改密码。",
        advice_en="Please change your password.",
        audience=Audience.ALL,
        **notice_fields(),
    )
    notice_complete(incident)
    with committed():
        incident_notify(incident=incident, actor=StaffFactory(), banner_until=None)
    [message] = [m for m in mail.outbox if m.to == ["li.lei@example.cn"]]
    assert f"{SITE}/inbox/" in message.body
    assert_links_back(message)


# -- allauth's mail, through allauth for real


def signup(client, email):
    data = {
        "kind": AccountKind.INDIVIDUAL,
        "email": email,
        "phone": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "organisation_name": "",
        "uscc": "",
        "legal_representative": "",
    }
    return client.post("/accounts/signup/", data, HTTP_ACCEPT_LANGUAGE="en")


def test_sign_up_confirmation_has_an_html_part(client, committed):
    with committed():
        assert signup(client, "wang.fang@example.cn").status_code == 302
    [message] = mail.outbox
    assert re.search(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$", message.body, re.MULTILINE)
    assert_links_back(message)


def test_sign_up_with_a_known_address_links_to_the_reset_page_on_site_url(client, committed):
    UserFactory(email="known@example.cn")
    with committed():
        signup(client, "known@example.cn")
    [message] = [m for m in mail.outbox if m.to == ["known@example.cn"]]
    assert f"{SITE}/accounts/password/reset/" in message.body
    assert_links_back(message)


def test_password_reset_links_start_from_site_url(client, committed):
    UserFactory(email="known@example.cn")
    with committed():
        client.post("/accounts/password/reset/", {"email": "known@example.cn"}, HTTP_ACCEPT_LANGUAGE="en")
        client.post("/accounts/password/reset/", {"email": "nobody@example.cn"}, HTTP_ACCEPT_LANGUAGE="en")
    known = next(m for m in mail.outbox if m.to == ["known@example.cn"])
    unknown = next(m for m in mail.outbox if m.to == ["nobody@example.cn"])
    assert re.search(rf"{re.escape(SITE)}/accounts/password/reset/key/\S+/", known.body)
    assert f"{SITE}/accounts/signup/" in unknown.body
    for message in (known, unknown):
        assert_links_back(message)
        assert "[Citizens' privacy portal]" in message.subject


def test_the_reset_link_opens_the_reset_form(client, committed):
    UserFactory(email="known@example.cn")
    with committed():
        client.post("/accounts/password/reset/", {"email": "known@example.cn"}, HTTP_ACCEPT_LANGUAGE="en")
    link = re.search(rf"{re.escape(SITE)}(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    assert b'name="password1"' in client.get(link, follow=True).content
