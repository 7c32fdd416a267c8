"""Chinese text uses full-width punctuation: "电子邮箱：", never "电子邮箱:".

The catalogue checked is the one the portal serves in Chinese: the compiled catalogues of
Django, allauth and the other apps, with the portal's own (locale/zh_Hans, which overrides
theirs) on top. scripts/zh_punctuation.py fixes a .po file; this only looks.
"""

import re

import pytest
from django.utils import translation
from django.utils.translation import trans_real

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
# Placeholders, HTML tags, URLs and e-mail addresses keep their ASCII marks.
PROTECTED = re.compile(
    r"%\([^)]*\)[#0\- +]*\d*(?:\.\d+)?[sdfir]|%[sd%]|\{\{[^}]*\}\}|\{[a-z_:A-Z]*\}|<[^>]*>"
    r"|https?://[^\s，。）)]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
# An ASCII mark right after Chinese, or an opening one (or a colon, comma, semicolon) right before
# it. Brackets glued to a Latin word ("url()") belong to the word.
ASCII_IN_CHINESE = re.compile(rf"[{CJK}] *[:,?;()]|(?<![A-Za-z0-9_])[:,;(] *[{CJK}]|(?<![A-Za-z0-9_(])\) *[{CJK}]")
# Messages whose ASCII marks are data, not prose.
ALLOWED = {
    # The yesno filter's default: split on ASCII commas.
    "yes,no,maybe",
}


def _served_catalogue() -> dict:
    translation.activate("zh-hans")
    try:
        catalogue = trans_real.translation("zh-hans")._catalog
        # Looked up key by key: the catalogue holds one dict per source, and a lookup takes
        # the translation that wins (the portal's own over the apps').
        return {key: catalogue[key] for key in list(catalogue.keys())}
    finally:
        translation.deactivate()


def test_the_chinese_catalogue_uses_full_width_punctuation():
    problems = []
    catalogue = _served_catalogue()
    assert len(catalogue) > 2000  # the portal's own messages are in it
    for key, text in catalogue.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid or msgid in ALLOWED or not isinstance(text, str):
            continue
        if match := ASCII_IN_CHINESE.search(PROTECTED.sub("M", text)):
            problems.append(f"{msgid!r}: {text!r} (at {match.group(0)!r})")
    assert not problems, f"{len(problems)} Chinese messages with ASCII punctuation:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("电子邮箱:", True),
        ("手机号码(选填)", True),
        ("是否继续?", True),
        ("姓名, 地址", True),
        ("访问令牌 (OAuth2)", True),
        ("电子邮箱：", False),
        ("会议时间 12:30", False),
        ("%(partner)s（协议 %(reference)s）", False),
        ("请访问 https://beian.miit.gov.cn/ 查询", False),
        ("get_absolute_url()方法", False),
        ('<a href="%(url)s">登录</a>', False),
    ],
)
def test_the_check_tells_chinese_prose_from_data(text, flagged):
    assert bool(ASCII_IN_CHINESE.search(PROTECTED.sub("M", text))) is flagged
