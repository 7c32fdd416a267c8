import datetime

import pytest
from django.utils import timezone

from consents.models import PolicyVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_version():
    now = timezone.now()
    first = PolicyVersion.objects.get(version="2026.1")
    return PolicyVersion.objects.create(
        version="2026.2",
        text_zh=first.text_zh + "\n## 十一、新增条款\n新增内容。",
        text_en=first.text_en.replace("hotline 12345", "hotline 12345 <script>alert(1)</script>")
        + "\n## 11. New clause\nSomething new.",
        summary_zh="新增第十一条。",
        summary_en="Adds clause 11.",
        material=True,
        published_at=now - datetime.timedelta(days=1),
        effective_at=now + datetime.timedelta(days=30),
    )


def test_current_policy_is_public_and_rendered(client):
    page = client.get("/policy/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Privacy policy</h1>" in html and "2026.1" in html


def test_upcoming_version_is_announced_before_it_takes_effect(client, second_version):
    html = client.get("/policy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A new version (2026.2) takes effect on" in html
    assert "2026.1" in html  # still the version in effect


def test_past_and_future_versions_have_stable_urls(client, second_version):
    assert client.get("/policy/2026.1/").status_code == 200
    page = client.get("/policy/2026.2/", HTTP_ACCEPT_LANGUAGE="en")
    assert "This version is published but not yet in effect." in page.content.decode()
    assert client.get("/policy/1999.9/").status_code == 404


def test_raw_html_in_a_policy_text_is_shown_as_text(client, second_version):
    html = client.get("/policy/2026.2/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_changes_page_shows_added_and_removed_lines(client, second_version):
    html = client.get("/policy/2026.2/changes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Adds clause 11." in html
    assert '<li class="added"><ins>' in html and "## 11. New clause" in html
    assert '<li class="removed"><del>' in html


def test_versions_list(client, second_version):
    html = client.get("/policy/versions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2026.1" in html and "2026.2" in html and "Adds clause 11." in html
