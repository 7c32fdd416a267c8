"""Turning policy texts into safe HTML, and showing what changed between versions."""

import difflib
import html

import markdown
from django.utils.safestring import SafeString, mark_safe


def render_policy(text: str) -> SafeString:
    """Markdown to HTML with any raw HTML in the source shown as text.

    Escaping before conversion neutralises tags and scripts while leaving
    Markdown's own syntax (headings, lists, emphasis) working.
    """
    body = markdown.markdown(html.escape(text, quote=False), extensions=["sane_lists"], output_format="html")
    return mark_safe(body)  # noqa: S308 - the source was escaped before conversion


def policy_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Line-by-line changes as (kind, line) pairs; kind is "same", "added" or "removed"."""
    changes = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        marker, text = line[:2], line[2:]
        if marker == "? ":
            continue
        kind = {"+ ": "added", "- ": "removed"}.get(marker, "same")
        changes.append((kind, text))
    return changes
