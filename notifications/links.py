"""Message text as HTML: paragraphs, and the portal's own links made clickable.

Notification texts are written as plain text (they are also the emails' text
part). To show one as HTML every piece is escaped, and only two kinds of link
become ``<a>``: http(s) URLs on ``SITE_URL``'s origin and paths on the portal
(``/requests/12/``). Any other URL stays plain text, so a message can never
carry a clickable link to somewhere else, whatever text reached it.
"""

import re

from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe

from core.site import is_site_link, site_url

# ASCII only: in Chinese text a URL ends at the first full-width character
# (。，）), which the sentence around it often puts right after it. A path
# counts only at the start of a word, so "and/or" stays text; "//host" is no path.
_LINK = re.compile(r"(?:https?://|(?<![^\s(（：:，,])/(?!/))[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]*")
# Punctuation that ends a sentence rather than the URL in it.
_TRAILING = ".,;:!?"


def _href(url: str, *, absolute: bool) -> str | None:
    if url.startswith("/"):
        if len(url) == 1:
            return None
        return site_url(url) if absolute else url
    return url if is_site_link(url) else None


def linkify(text: str, *, absolute: bool = False) -> SafeString:
    """``text`` escaped, with its portal links as ``<a>``; ``absolute`` spells paths out (for email)."""
    pieces: list[str] = []
    done = 0
    for match in _LINK.finditer(text):
        url = match.group().rstrip(_TRAILING)
        href = _href(url, absolute=absolute)
        if href is None:
            continue
        start = match.start()
        pieces.append(escape(text[done:start]))
        pieces.append(format_html('<a href="{}">{}</a>', href, url))
        done = start + len(url)
    pieces.append(escape(text[done:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped or built by format_html


def message_html(text: str, *, absolute: bool = False) -> SafeString:
    """Paragraphs and line breaks as the text has them, links as ``linkify`` makes them."""
    return mark_safe(linebreaks(linkify(text, absolute=absolute), autoescape=False))  # noqa: S308 - linkify escaped it
