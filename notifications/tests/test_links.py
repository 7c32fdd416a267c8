"""Message text as HTML: escaped, and only the portal's own links clickable."""

import pytest

from notifications.links import linkify, message_html

SITE = "https://privacy.test.example.cn"  # settings.test.SITE_URL


def test_a_portal_url_becomes_a_link_and_chinese_punctuation_stays_out():
    html = linkify(f"详情：{SITE}/requests/7/。谢谢")
    assert html == f'详情：<a href="{SITE}/requests/7/">{SITE}/requests/7/</a>。谢谢'


def test_a_path_becomes_a_link_on_the_page_and_an_absolute_one_in_email():
    assert linkify("See /inbox/ now.") == 'See <a href="/inbox/">/inbox/</a> now.'
    assert linkify("See /inbox/.", absolute=True) == f'See <a href="{SITE}/inbox/">/inbox/</a>.'


@pytest.mark.parametrize(
    "text",
    [
        "https://evil.example.org/phish",
        "http://privacy.test.example.cn/requests/7/",  # another scheme: another origin
        "https://privacy.test.example.cn.evil.example.org/",
        "https://privacy.test.example.cn@evil.example.org/",
        "//evil.example.org/x",
        "javascript:alert(1)",
        "and/or",
        "a lone / slash",
    ],
)
def test_anything_else_stays_plain_text(text):
    assert "<a " not in linkify(text)


def test_markup_in_the_text_is_escaped_before_anything_is_linked():
    html = linkify(f'<script>alert(1)</script> {SITE}/x/?a=1&b="2" <b>')
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert f'<a href="{SITE}/x/?a=1&amp;b=">{SITE}/x/?a=1&amp;b=</a>&quot;2&quot;' in html


def test_paragraphs_and_line_breaks_are_kept():
    html = message_html(f"第一段\n第二行\n\n{SITE}/inbox/")
    assert html == f'<p>第一段<br>第二行</p>\n\n<p><a href="{SITE}/inbox/">{SITE}/inbox/</a></p>'
