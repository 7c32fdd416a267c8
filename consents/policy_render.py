"""Turning policy texts into safe HTML (what changed between versions: ``policy_diff``)."""

import functools
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


# Versions (and drafts being proofread) shown recently, in each language.
RENDERED_VERSIONS_KEPT = 32


def render_policy_version(version) -> SafeString:
    """``version``'s text in the active language as HTML, converted once per process.

    A published version never changes (admin makes it read-only), so its
    HTML is kept. The key includes the text itself, so even a draft edited
    in admin, or a version changed behind admin's back, is never shown stale.
    """
    return _render_kept(version.pk, version.text)


@functools.lru_cache(maxsize=RENDERED_VERSIONS_KEPT)
def _render_kept(version_id: int, text: str) -> SafeString:
    return render_policy(text)
