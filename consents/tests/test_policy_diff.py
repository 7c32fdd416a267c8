"""What changed between policy versions: rendered text, changes marked by character (zh) or word (en)."""

import pytest

from consents.policy_diff import Segment, policy_diff


def _changes(blocks):
    return [(block.tag, block.kind, [(s.mark, s.text) for s in block.segments if s.mark != "same"]) for block in blocks]


def test_chinese_is_compared_character_by_character():
    old = "## 六、信息存储\n保存期限不超过实现用途所必需的时间。"
    new = "## 六、信息存储\n保存期限不超过实现用途所需的最短时间。"
    blocks = policy_diff(old, new, language="zh-hans")
    assert _changes(blocks) == [("h3", "same", []), ("p", "changed", [("removed", "必"), ("added", "最短")])]
    assert blocks[1].segments[0] == Segment("same", "保存期限不超过实现用途所")


def test_english_is_compared_word_by_word():
    blocks = policy_diff("We keep it for the time needed.", "We keep it for the shortest time needed.", language="en")
    assert _changes(blocks) == [("p", "changed", [("added", "shortest ")])]
    blocks = policy_diff("Switch it off at any time.", "Switch it on at any time.", language="en")
    # A whole word replaced, never "o" kept and "ff" swapped for "n".
    assert _changes(blocks) == [("p", "changed", [("removed", "off"), ("added", "on")])]


def test_markdown_is_rendered_before_comparing():
    old = "# Policy\n\n## 1. Scope\n- **Location:** only when on.\n- Deliveries."
    new = "# Policy\n\n## 1. Scope\n- **Location:** only while on.\n- Deliveries.\n- **Photos:** never."
    blocks = policy_diff(old, new, language="en")
    texts = "".join(segment.text for block in blocks for segment in block.segments)
    assert "#" not in texts and "**" not in texts and "- " not in texts
    assert [block.tag for block in blocks] == ["h2", "h3", "li", "li", "li"]
    assert _changes(blocks)[2:] == [
        ("li", "changed", [("removed", "when"), ("added", "while")]),
        ("li", "same", []),
        ("li", "added", [("added", "Photos: never.")]),
    ]
    # The three items are one list on the page.
    assert [(b.opens_list, b.closes_list) for b in blocks[2:]] == [(True, False), (False, False), (False, True)]


def test_a_rewritten_paragraph_is_one_removed_and_one_added():
    blocks = policy_diff("We never share.", "Partners under contract receive it.", language="en")
    assert _changes(blocks) == [
        ("p", "removed", [("removed", "We never share.")]),
        ("p", "added", [("added", "Partners under contract receive it.")]),
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_nothing_changed_marks_nothing(language):
    text = "# 隐私政策\n\n本政策说明。\n\nThe policy."
    assert all(block.kind == "same" for block in policy_diff(text, text, language=language))
