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


def test_changes_page_shows_added_and_removed_text_rendered(client, second_version):
    html = client.get("/policy/2026.2/changes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Adds clause 11." in html
    assert '<h3 class="diff-added"><span class="diff-sign" aria-hidden="true">+</span><ins>' in html
    assert '<span class="visually-hidden">Added: </span>11. New clause</ins></h3>' in html
    assert "## 11" not in html and "**" not in html
    # The script added inside a paragraph is marked as added text and shown as text.
    assert '<ins><span class="visually-hidden">Added: </span> &lt;script&gt;alert(1)&lt;/script&gt;</ins>' in html


def test_versions_list(client, second_version):
    html = client.get("/policy/versions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2026.1" in html and "2026.2" in html and "Adds clause 11." in html


def test_the_policy_text_is_converted_once_per_version_and_language(client, second_version):
    from unittest import mock

    from consents import policy_render

    policy_render._render_kept.cache_clear()
    with mock.patch.object(policy_render, "render_policy", wraps=policy_render.render_policy) as convert:
        first = client.get("/policy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        again = client.get("/policy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert convert.call_count == 1
        chinese = client.get("/policy/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        client.get("/policy/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert convert.call_count == 2
        client.get("/policy/2026.2/", HTTP_ACCEPT_LANGUAGE="en")
        assert convert.call_count == 3
    assert first.count("<h2>") == again.count("<h2>") > 0
    assert "<h2>" in chinese and "隐私" in chinese


def test_an_edited_draft_is_never_shown_from_an_old_conversion():
    from consents.policy_render import render_policy_version

    draft = PolicyVersion.objects.create(
        version="2027.1",
        text_zh="# 草稿",
        text_en="# Draft",
        effective_at=timezone.now() + datetime.timedelta(days=9),
    )
    with translation_en():
        assert "Draft" in render_policy_version(draft)
        draft.text_en = "# Proofread"
        draft.save()
        assert "Proofread" in render_policy_version(draft)


def translation_en():
    from django.utils import translation

    return translation.override("en")


def test_changes_page_in_chinese_marks_changed_characters(client, second_version):
    second_version.text_zh = second_version.text_zh.replace("所必需的时间", "所需的最短时间")
    second_version.save()
    html = client.get("/policy/2026.2/changes/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '实现用途所<del><span class="visually-hidden">删除： </span>必</del>' in html
    assert '<ins><span class="visually-hidden">新增： </span>最短</ins>时间' in html
    assert "十一、新增条款</ins></h3>" in html
    assert "## " not in html and "**" not in html
