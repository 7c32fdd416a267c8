#!/usr/bin/env python3
"""Full-width punctuation in the Chinese catalogue: fix the msgstr lines of a .po file in place.

Chinese text takes full-width colons, commas, parentheses, question marks and semicolons
(“电子邮箱：”, not “电子邮箱:”). An ASCII one next to a Chinese character (spaces aside) is
replaced; one between Latin letters or digits (“12:30”, “1,000”) is left alone, and so is anything
inside a placeholder (``%(name)s``, ``{name}``), an HTML tag or a URL. Only msgstr lines change,
so that the file's other lines, and merges with other branches, stay as they were.

    python scripts/zh_punctuation.py locale/zh_Hans/LC_MESSAGES/django.po   # then compilemessages

The test ``privacy_portal/tests/test_zh_punctuation.py`` checks the compiled catalogue.
"""

import ast
import re
import sys
from pathlib import Path

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
# What must keep its ASCII punctuation: placeholders, HTML tags, URLs and e-mail addresses.
PROTECTED = re.compile(
    r"%\([^)]*\)[#0\- +]*\d*(?:\.\d+)?[sdfir]|%[sd%]|\{\{[^}]*\}\}|\{[a-z_]+\}|<[^>]*>|https?://[^\s，。）)]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
MASK_START, MASK_END = "\ue000", "\ue001"
FULL_WIDTH = {":": "：", ",": "，", "?": "？", ";": "；", "(": "（", ")": "）"}


def _is_cjk(char: str) -> bool:
    return bool(char) and re.match(f"[{CJK}]", char) is not None


def _neighbours(text: str, index: int) -> tuple[str, str]:
    """The nearest characters before and after ``text[index]`` that are not spaces."""
    before = text[:index].rstrip(" ")
    after = text[index + 1 :].lstrip(" ")
    return (before[-1] if before else ""), (after[0] if after else "")


def _mask(text: str) -> tuple[str, list[str]]:
    kept: list[str] = []

    def hide(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"{MASK_START}{len(kept) - 1}{MASK_END}"

    return PROTECTED.sub(hide, text), kept


def _unmask(text: str, kept: list[str]) -> str:
    return re.sub(f"{MASK_START}(\\d+){MASK_END}", lambda match: kept[int(match.group(1))], text)


def _chinese_parenthesis_pairs(text: str) -> set[int]:
    """Indexes of ASCII parentheses whose pair opens or closes next to Chinese, or holds some."""
    chosen: set[int] = set()
    stack: list[int] = []
    for index, char in enumerate(text):
        if char == "(":
            stack.append(index)
        elif char == ")" and stack:
            start = stack.pop()
            outside_before, _ = _neighbours(text, start)
            _, outside_after = _neighbours(text, index)
            inside = text[start + 1 : index]
            # Brackets glued to a Latin word ("url()") belong to the word.
            before = text[start - 1 : start]
            glued = before.isascii() and before.isalnum()
            beside_chinese = _is_cjk(outside_before) or _is_cjk(outside_after)
            if re.search(f"[{CJK}]", inside) or (beside_chinese and not glued):
                chosen.update((start, index))
    return chosen


def full_width(text: str) -> str:
    """``text`` with the ASCII punctuation that sits in Chinese made full-width."""
    masked, kept = _mask(text)
    # Parentheses first: a colon after "（500）" then has Chinese beside it.
    parentheses = _chinese_parenthesis_pairs(masked)
    masked = "".join(FULL_WIDTH[char] if index in parentheses else char for index, char in enumerate(masked))
    out: list[str] = []
    for index, char in enumerate(masked):
        if char not in FULL_WIDTH or char in "()":
            out.append(char)
            continue
        before, after = _neighbours(masked, index)
        if char == "?":
            chinese = _is_cjk(before)
        else:
            chinese = _is_cjk(before) or (_is_cjk(after) and not (before.isascii() and before.isalnum()))
        out.append(FULL_WIDTH[char] if chinese else char)
    result = "".join(out)
    # Full-width marks carry their own spacing.
    result = re.sub(r" *([：，？；（）]) *", lambda match: match.group(1), result)
    return _unmask(result, kept)


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def fix_po(source: str) -> tuple[str, int]:
    """The .po text with its msgstr lines fixed, and how many lines changed."""
    lines = source.split("\n")
    in_msgstr = False
    changed = 0
    for number, line in enumerate(lines):
        match = re.match(r'^(msgstr(?:\[\d+\])? )(".*")$', line)
        if match:
            in_msgstr, prefix, quoted = True, match.group(1), match.group(2)
        elif in_msgstr and line.startswith('"'):
            prefix, quoted = "", line
        else:
            in_msgstr = False
            continue
        text = ast.literal_eval(quoted)
        fixed = full_width(text)
        if fixed != text:
            lines[number] = prefix + _quote(fixed)
            changed += 1
    return "\n".join(lines), changed


def main(paths: list[str]) -> int:
    for path in paths:
        source = Path(path).read_text(encoding="utf-8")
        fixed, changed = fix_po(source)
        if changed:
            Path(path).write_text(fixed, encoding="utf-8")
        print(f"{path}: {changed} msgstr lines changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["locale/zh_Hans/LC_MESSAGES/django.po"]))
