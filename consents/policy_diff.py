"""What changed between two policy texts, as a reader sees them.

Both texts are rendered from Markdown first (``policy_render``) and cut into
their blocks (headings, paragraphs, list items), so the comparison is of
what people read, never of ``#`` and ``**``. Blocks are matched as a whole;
inside a block that was edited, the change is marked character by character
in Chinese, which has no spaces between words, and word by word in English,
where a changed letter inside a word is harder to read than the word
replaced. The template escapes every piece of text and adds the marks.
"""

import difflib
import functools
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal

from .policy_render import render_policy

Kind = Literal["same", "added", "removed", "changed"]
Mark = Literal["same", "added", "removed"]

# The policy's own headings sit one level below the page's <h1>.
BLOCK_TAGS = {"h1": "h2", "h2": "h3", "h3": "h4", "h4": "h5", "h5": "h6", "h6": "h6", "p": "p", "li": "li"}
# Below this share of unchanged text an edited block reads better as one
# paragraph removed and another added than as a patchwork of marks.
SIMILAR_ENOUGH = 0.5
# Pairs of versions whose comparison is kept, in each language.
DIFFS_KEPT = 16

_ENGLISH_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    mark: Mark
    text: str


@dataclass(frozen=True)
class Block:
    """One heading, paragraph or list item of the compared text; ``tag`` is the element to show it in."""

    tag: str
    kind: Kind
    segments: tuple[Segment, ...]
    opens_list: bool = False
    closes_list: bool = False


class _BlockCollector(HTMLParser):
    """The text of each block element of rendered policy HTML, inline markup dropped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._open: list[str] = []
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in BLOCK_TAGS:
            if tag == "br":
                self._text.append(" ")
            return
        if self._open:
            # A paragraph inside a list item (a loose list) belongs to that item;
            # a list nested in an item ends the item's own text first.
            if tag == "p":
                return
            self._flush()
        self._open.append(tag)

    def handle_endtag(self, tag):
        if self._open and tag == self._open[-1]:
            self._flush()
            self._open.pop()

    def handle_data(self, data):
        if self._open:
            self._text.append(data)

    def _flush(self):
        text = " ".join("".join(self._text).split())
        self._text = []
        if text:
            self.blocks.append((self._open[-1], text))


def _blocks_of(text: str) -> list[tuple[str, str]]:
    collector = _BlockCollector()
    collector.feed(str(render_policy(text)))
    collector.close()
    return collector.blocks


def _tokens(text: str, *, by_character: bool) -> list[str]:
    return list(text) if by_character else _ENGLISH_TOKENS.findall(text)


def _inline(old: str, new: str, *, by_character: bool) -> tuple[float, tuple[Segment, ...]]:
    """How alike two blocks are (0 to 1), and the edited block with its changes marked."""
    a, b = _tokens(old, by_character=by_character), _tokens(new, by_character=by_character)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    segments: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment("removed", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(Segment("added", "".join(b[j1:j2])))
    return matcher.ratio(), tuple(segments)


def _replaced(old: list[tuple[str, str]], new: list[tuple[str, str]], *, by_character: bool) -> list[Block]:
    """Blocks edited in place (same position, same kind, alike enough) or else removed and added."""
    blocks: list[Block] = []
    for index in range(max(len(old), len(new))):
        before = old[index] if index < len(old) else None
        after = new[index] if index < len(new) else None
        if before and after and before[0] == after[0]:
            ratio, segments = _inline(before[1], after[1], by_character=by_character)
            if ratio >= SIMILAR_ENOUGH:
                blocks.append(Block(BLOCK_TAGS[after[0]], "changed", segments))
                continue
        if before:
            blocks.append(Block(BLOCK_TAGS[before[0]], "removed", (Segment("removed", before[1]),)))
        if after:
            blocks.append(Block(BLOCK_TAGS[after[0]], "added", (Segment("added", after[1]),)))
    return blocks


def _with_lists(blocks: list[Block]) -> tuple[Block, ...]:
    """Mark where runs of list items open and close, so the page can wrap them in one list."""
    marked = []
    for index, block in enumerate(blocks):
        if block.tag != "li":
            marked.append(block)
            continue
        previous_is_item = index > 0 and blocks[index - 1].tag == "li"
        next_is_item = index + 1 < len(blocks) and blocks[index + 1].tag == "li"
        marked.append(
            Block(block.tag, block.kind, block.segments, opens_list=not previous_is_item, closes_list=not next_is_item)
        )
    return tuple(marked)


@functools.lru_cache(maxsize=DIFFS_KEPT)
def policy_diff(old: str, new: str, *, language: str) -> tuple[Block, ...]:
    """The blocks of ``new`` with what changed since ``old`` marked; both are Markdown in ``language``."""
    by_character = language.startswith("zh")
    before, after = _blocks_of(old), _blocks_of(new)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    blocks: list[Block] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            blocks.extend(Block(BLOCK_TAGS[tag], "same", (Segment("same", text),)) for tag, text in after[j1:j2])
        else:
            blocks.extend(_replaced(before[i1:i2], after[j1:j2], by_character=by_character))
    return _with_lists(blocks)
