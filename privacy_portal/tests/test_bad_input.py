"""Bad input, sent to every API operation and every citizen form: never a 5xx, and a refusal stores nothing.

The corpus is what the issue's outsider tried: NUL bytes, 1 MB strings, lone surrogates, deep
JSON, bidi controls, formula strings, wrong types, huge numbers, invalid dates, malformed
multipart and files that are not images. The API operations come from the OpenAPI schema, the
forms from the citizen pages themselves (every POST form they render), so a new operation or
form is covered without a change here. "Stored" is the row count of every model of the portal's
apps: a request that is refused (4xx) must leave all of them as they were.
"""

import json
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes

import pytest
from django.apps import apps
from django.contrib import messages
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from consents.models import OptionalService
from privacy_requests.models import RequestKind
from tests.factories import UserFactory, step_up_passed

pytestmark = pytest.mark.django_db

PORTAL_APPS = {
    "accounts",
    "audit",
    "consents",
    "incidents",
    "notifications",
    "personal_data",
    "privacy_requests",
    "retention",
}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
MEGABYTE = 1024 * 1024

# Text values, sent in every field of a JSON body and of a form.
TEXT_CORPUS = {
    "nul": "a\x00b",
    "lone surrogate": "\ud800",
    "bidi override": "Zhang\u202eoaiX",
    "bidi isolate": "\u2066Li\u2069",
    "formula": "=1+1",
    "formula with a command": "=cmd|' /C calc'!A0",
    "huge number": "9" * 400,
    "exponent": "1e999999",
    "negative": "-1",
    "invalid date": "2023-02-30",
    "not a date": "31/31/31",
    "escape sequence": "\x1b[31mred",
    "full-width digits": "\uff11\uff12\uff13",
}
# Values of the wrong JSON type for whatever field they land in.
JSON_TYPE_CORPUS = {
    "list": [],
    "object": {"a": 1},
    "nested list": [[["x"]]],
    "true": True,
    "null": None,
    "huge integer": 10**400,
    "float": 1.5e308,
}
# Whole bodies that are not what any operation takes.
RAW_BODY_CORPUS = {
    "deep list": (b"[" * 100_000, "application/json"),
    "deep object": (b'{"a":' * 5000, "application/json"),
    "broken json": (b'{"a": ', "application/json"),
    "top-level list": (b"[1, 2]", "application/json"),
    "top-level string": (b'"x"', "application/json"),
    "not utf-8": (b'{"a": "\xff\xfe"}', "application/json"),
    "nul bytes": (b"\x00" * 64, "application/json"),
    "malformed multipart": (b"--x\r\nContent-Disposition: form-data\r\n\r\n", "multipart/form-data; boundary=x"),
    "multipart without boundary": (b"abc", "multipart/form-data"),
    "form": (b"a=1&b=%00", "application/x-www-form-urlencoded"),
}


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in PORTAL_APPS and not model._meta.proxy
    }


class Findings(list):
    """What went wrong, all of it: one run shows every operation and form that fails."""

    def __init__(self):
        super().__init__()
        self.statuses: Counter[int] = Counter()

    def check(self, response, before: dict[str, int], what: str) -> None:
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.append(f"{what}: {response.status_code}")
        elif response.status_code >= 400 or _error_message_queued(response):
            after = _row_counts()
            changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
            if changed:
                self.append(f"{what}: refused ({response.status_code}) but rows changed: {changed}")


def _error_message_queued(response) -> bool:
    """A page that refuses input by redirecting back with an error message (the cookie choice, say)."""
    queued = getattr(response.wsgi_request, "_messages", [])
    return any(message.level == messages.ERROR for message in queued)


def _signed_in_citizen() -> Client:
    """A signed-in citizen (English) who has passed the step-up check in this session."""
    citizen = UserFactory(language="en")
    client = Client()
    client.force_login(citizen)
    step_up_passed(citizen, client=client)
    return client


@pytest.fixture
def citizen_client():
    return _signed_in_citizen()


# -- The API ------------------------------------------------------------------------------------------


def _body_fields(operation: dict, components: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return list(schema.get("properties", {}))


def _concrete(path: str, value: str = "1") -> str:
    """The path with every {parameter} filled in."""
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + value + path[end + 1 :]
    return path


def _send(client, method: str, url: str, body: bytes | None = None, content_type: str = "application/json"):
    if body is None:
        return getattr(client, method)(url, **EN)
    return client.generic(method.upper(), url, body, content_type=content_type, **EN)


def test_every_api_operation_refuses_bad_bodies_without_a_5xx_or_a_write(citizen_client):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    tried = 0
    findings = Findings()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            url = _concrete(path)
            if "requestBody" in operation:
                fields = _body_fields(operation, components) or ["value"]
                values = {**TEXT_CORPUS, **JSON_TYPE_CORPUS}
                for name, value in values.items():
                    body = json.dumps(dict.fromkeys(fields, value)).encode()
                    before = _row_counts()
                    response = _send(citizen_client, method, url, body)
                    findings.check(response, before, f"{method} {url} {name}")
                    tried += 1
                for field in fields:
                    before = _row_counts()
                    body = json.dumps({field: "x" * MEGABYTE}).encode()
                    response = _send(citizen_client, method, url, body)
                    findings.check(response, before, f"{method} {url} 1 MB {field}")
                    tried += 1
            for name, (body, content_type) in RAW_BODY_CORPUS.items():
                before = _row_counts()
                response = _send(citizen_client, method, url, body, content_type)
                findings.check(response, before, f"{method} {url} {name}")
                tried += 1
    assert tried > 300
    assert not findings, "\n".join(findings)
    assert findings.statuses[400] > 100


def test_every_api_operation_refuses_bad_parameters_without_a_5xx(citizen_client):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    findings = Findings()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            names = [param["name"] for param in operation.get("parameters", []) if param["in"] == "query"]
            for label, value in TEXT_CORPUS.items():
                encoded = quote_from_bytes(value.encode("utf-8", "surrogatepass"))
                url = _concrete(path, encoded)
                if names:
                    url += "?" + "&".join(f"{name}={encoded}" for name in names)
                before = _row_counts()
                response = _send(citizen_client, method, url)
                findings.check(response, before, f"{method} {url[:80]} {label}")
    assert not findings, "\n".join(findings)


# -- The citizen's pages ------------------------------------------------------------------------------

CITIZEN_PAGES = [
    "/account/identity/",
    "/account/identity/verify/",
    "/account/identity/guardians/",
    "/account/deliveries/",
    "/account/deliveries/new/",
    "/account/two-factor/",
    "/account/two-factor/authenticator/",
    "/account/two-factor/email/",
    "/account/two-factor/recovery-codes/",
    "/account/two-factor/step-up/",
    "/privacy/cookies/",
    "/privacy/interests/",
    "/privacy/location/",
    "/privacy/services/",
    "/privacy/verification/",
    "/requests/complaint/",
    "/requests/cancel/",
    # A complaint and an account cancellation have pages of their own (above).
    *[f"/requests/new/{kind}/" for kind in RequestKind.values if kind not in ("complaint", "cancellation")],
]
# Forms a page shows only in another state (location on hides "turn on"), with their fields.
FORMS_NOT_ON_A_FRESH_PAGE = {
    "/privacy/location/on/": ["next"],
    "/privacy/location/off/": ["next"],
    "/privacy/location/history/delete/": ["next"],
    "/privacy/location/photo/": ["photo"],
    "/privacy/cookies/choose/": ["choice", "next"],
    "/privacy/interests/recommendations/": ["choice", "next"],
    "/requests/new/withdrawal/": ["purposes", "note"],
    "/requests/complaint/": ["subject", "message", "contact_email"],
    "/account/identity/guardians/link/": ["identifier"],
    "/account/two-factor/turn-off/": ["code", "method"],
}


class _PostForms(HTMLParser):
    """The POST forms of a page: their action and the names of their fields."""

    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: dict[str, set[str]] = {}
        self._current: set[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            if (attributes.get("method") or "get").lower() == "post":
                action = attributes.get("action") or self.page
                self._current = self.forms.setdefault(action.split("?")[0], set())
            return
        name = attributes.get("name")
        if (
            self._current is not None
            and tag in ("input", "textarea", "select")
            and name not in (None, "csrfmiddlewaretoken")
        ):
            self._current.add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _citizen_forms(client) -> dict[str, set[str]]:
    forms = {url: set(fields) for url, fields in FORMS_NOT_ON_A_FRESH_PAGE.items()}
    services = [f"/privacy/services/{code}/enrol/" for code in OptionalService.objects.values_list("code", flat=True)]
    for page in [*CITIZEN_PAGES, *services]:
        response = client.get(page, **EN)
        assert response.status_code == 200, page
        parser = _PostForms(page)
        parser.feed(response.content.decode())
        for action, fields in parser.forms.items():
            if action.startswith("/") and not action.startswith(("/accounts/logout", "/i18n/")):
                forms.setdefault(action, set()).update(fields)
    return forms


def _urlencoded(fields, value: bytes) -> bytes:
    return "&".join(f"{name}={quote_from_bytes(value)}" for name in sorted(fields)).encode()


def test_every_citizen_form_refuses_bad_input_without_a_5xx_or_a_write(citizen_client):
    forms = _citizen_forms(citizen_client)
    assert len(forms) >= 24, sorted(forms)
    findings = Findings()
    text = {label: value.encode("utf-8", "surrogatepass") for label, value in TEXT_CORPUS.items()}
    for url, fields in sorted(forms.items()):
        # Someone new for each form: a form with no fields (cancel the account) does its work on any body.
        citizen_client = _signed_in_citizen()
        names = fields or {"value"}
        for label, value in text.items():
            before = _row_counts()
            response = _send(
                citizen_client, "post", url, _urlencoded(names, value), "application/x-www-form-urlencoded"
            )
            findings.check(response, before, f"POST {url} {label}")
        for name in names:
            before = _row_counts()
            body = _urlencoded([name], b"x" * MEGABYTE)
            response = _send(citizen_client, "post", url, body, "application/x-www-form-urlencoded")
            findings.check(response, before, f"POST {url} 1 MB {name}")
        for label, (body, content_type) in RAW_BODY_CORPUS.items():
            before = _row_counts()
            response = _send(citizen_client, "post", url, body, content_type)
            findings.check(response, before, f"POST {url} {label}")
        before = _row_counts()
        response = citizen_client.post(url, {name: _not_an_image() for name in names}, **EN)
        findings.check(response, before, f"POST {url} a file that is not an image")
    assert not findings, "\n".join(findings)
    # The forms were reached and judged the input, not all turned away before it.
    assert findings.statuses[400] > 100


def _not_an_image():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a jpeg at all", content_type="image/jpeg")
