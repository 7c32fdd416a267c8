"""A citizen's browser, as far as the smoke test needs one: cookies, forms, CSRF, and a watch for tracebacks.

The production settings mark the session and CSRF cookies ``Secure``. Browsers
treat ``http://localhost`` as a secure context and send such cookies there;
Python's cookie jar sends them over HTTPS only (and requests copies the jar
into a fresh one with the default policy for every request), so this client
keeps the cookies it gets from localhost as a browser would, without the flag.
Nothing about the portal is bent for the test.
"""

import email
import mailbox
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests

from .stack import SmokeFailure

TIMEOUT = 30
MAX_REDIRECTS = 10
# What Django's technical 500 page and a bare traceback look like; the portal's own error page has neither.
TRACEBACK_MARKS = ("Traceback (most recent call last)", "Exception Value", "django.core.handlers", 'id="traceback"')


@dataclass(frozen=True)
class Hop:
    """One answer the browser got: ``upstream`` is nginx's X-Upstream, the web instance that answered."""

    method: str
    url: str
    status: int
    upstream: str


@dataclass
class Form:
    action: str
    method: str
    attrs: dict[str, str]
    fields: dict[str, str] = field(default_factory=dict)


class _FormReader(HTMLParser):
    """The forms of a page with their current values: hidden inputs, checked boxes, text inputs' values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = Form(
                action=attributes.get("action", ""), method=attributes.get("method", "get").lower(), attrs=attributes
            )
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "button", "textarea", "select"):
            name = attributes.get("name")
            kind = attributes.get("type", "text").lower()
            if not name or tag == "button" or kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self._current.fields.setdefault(name, attributes.get("value", "on" if kind == "checkbox" else ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms_of(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


class Browser:
    """One person's session against the portal's front door (nginx)."""

    def __init__(self, base_url: str, *, language: str = "zh-CN,zh;q=0.9"):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers.update({"Accept-Language": language, "User-Agent": "portal-smoke/1 (requests)"})
        self.last: requests.Response | None = None
        self.hops: list[Hop] = []  # every answer, redirects included, in order

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def request(self, method: str, path: str, *, expect: int | tuple[int, ...] | None = 200, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        url = self.url(path)
        # Redirects are followed here, not by requests, so that each hop sends the cookies set by the last.
        for _hop in range(MAX_REDIRECTS):
            response = self.session.request(method, url, allow_redirects=False, **kwargs)
            self._keep_cookies()
            self.hops.append(Hop(method, url, response.status_code, response.headers.get("X-Upstream", "")))
            if not response.is_redirect:
                break
            url = urljoin(response.url, response.headers["Location"])
            if response.status_code in (301, 302, 303) and method != "HEAD":
                method, kwargs = "GET", {key: value for key, value in kwargs.items() if key not in ("data", "json")}
        else:
            raise SmokeFailure(f"more than {MAX_REDIRECTS} redirects from {path}")
        self.last = response
        no_traceback(response)
        if expect is not None:
            wanted = expect if isinstance(expect, tuple) else (expect,)
            if response.status_code not in wanted:
                raise SmokeFailure(
                    f"{method} {path} answered {response.status_code} (expected {wanted}); "
                    f"request id {response.headers.get('X-Request-ID', '?')}:\n{visible_text(response.text)[:1500]}"
                )
        return response

    def _keep_cookies(self) -> None:
        for cookie in self.session.cookies:
            # localhost is a secure context to a browser (see the module's docstring).
            if cookie.domain in ("localhost", "localhost.local"):
                cookie.secure = False

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def form(self, response, *, testid: str | None = None, action: str | None = None, has: str | None = None) -> Form:
        """The one form of ``response`` matching the description (data-testid, action, or a field name)."""
        found = [
            form
            for form in forms_of(response.text)
            if (testid is None or form.attrs.get("data-testid") == testid)
            and (action is None or form.action == action)
            and (has is None or has in form.fields)
        ]
        if not found:
            raise SmokeFailure(
                f"no form (testid={testid}, action={action}, field={has}) on {response.url}:\n"
                f"{visible_text(response.text)[:1500]}"
            )
        return found[0]

    def submit(self, response, form: Form, data: dict | None = None, *, expect=200, **kwargs):
        """Post ``form`` as the browser would (its own fields plus ``data``), following redirects."""
        target = urljoin(response.url, form.action) if form.action else response.url
        payload = {**form.fields, **(data or {})}
        headers = {"Referer": response.url}
        return self.request(
            form.method.upper() or "POST", target, data=payload, headers=headers, expect=expect, **kwargs
        )


def no_traceback(response) -> None:
    """Fail on any answer that shows a traceback; a 5xx must be the portal's own error page."""
    text = (
        response.text
        if "text" in response.headers.get("Content-Type", "") or "json" in response.headers.get("Content-Type", "")
        else ""
    )
    for mark in TRACEBACK_MARKS:
        if mark in text:
            raise SmokeFailure(f"{response.request.method} {response.url} showed a traceback ({response.status_code})")
    own_error_page = re.search(r'class="[^"]*\berror-page\b', text)
    if response.status_code >= 500 and "text/html" in response.headers.get("Content-Type", "") and not own_error_page:
        raise SmokeFailure(
            f"{response.request.method} {response.url} answered {response.status_code} without the portal's "
            f"error page:\n{visible_text(text)[:800]}"
        )


def visible_text(html: str) -> str:
    text = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text).strip()


class MailSink:
    """The SMTP sink's Maildir: what the portal really sent."""

    def __init__(self, directory: Path):
        self.directory = directory

    def messages_to(self, address: str) -> list[email.message.Message]:
        """Every message to ``address``, in the order the sink received them."""
        box = mailbox.Maildir(self.directory, factory=None, create=False)
        found = []
        for key in box.iterkeys():
            message = email.message_from_bytes(box.get_bytes(key))
            recipients = " ".join(message.get_all("To", []) + message.get_all("X-RcptTo", []))
            if address.lower() in recipients.lower():
                found.append((_arrival(key), message))
        return [message for _, message in sorted(found, key=lambda pair: pair[0])]

    @staticmethod
    def text_of(message: email.message.Message) -> str:
        parts = [part for part in message.walk() if part.get_content_type() == "text/plain"]
        return "\n".join(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8") for part in parts)


def _arrival(key: str) -> tuple[int, int]:
    """Maildir names start ``<seconds>.M<microseconds>P<pid>Q<count>``: the sink's order of arrival."""
    found = re.match(r"(\d+)\.M(\d+)P", key)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)
