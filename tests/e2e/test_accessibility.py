"""Every citizen page through axe-core, in both languages, on a desktop and on a phone.

axe-core comes from npm at the version package-lock.json pins (``make axe``)
and is injected into each page as it is rendered, cookie banner included: a
first visit is what a newcomer sees. A page passes with zero violations of the
WCAG 2.0/2.1 A and AA rules and the WCAG 2.2 AA ones, and at 390 px it must
not scroll sideways. A screenshot of each page at 390 px goes to
``test-artifacts/accessibility/``, and a line of figures per page to
``figures.jsonl`` there, for the closing note of issue 14.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser

from accounts.delivery.services import delivery_request
from accounts.models import LoginActivity
from accounts.two_factor.selectors import session_key_hash
from consents.disclosures.services import disclosure_record
from consents.models import DataCategory, PolicyVersion, Purpose
from consents.services import consent_grant
from notifications.services import notification_send
from privacy_requests import services as request_services
from privacy_requests.models import ExportFile, RequestKind
from tests.e2e.sessions import give_browser_session
from tests.factories import StaffFactory, VerifiedCitizenFactory, step_up_passed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LANGUAGES = ["zh-hans", "en"]
DESKTOP, PHONE = 1280, 390
HEIGHT = {DESKTOP: 800, PHONE: 844}
DELIVERY = {
    "item": "Business licence (paper copy)",
    "recipient_name": "陈美玲",
    "mobile": "+86 139-1234-5678",
    "region": "广东省广州市天河区",
    "street": "天河路 385 号 2 栋 1203 室",
}


@dataclass(frozen=True)
class World:
    """What a signed-in citizen's pages need to show something: a request, an export, a message."""

    policy_version: str
    request_id: int = 0
    export_id: int = 0
    message_id: int = 0


@dataclass(frozen=True)
class CitizenPage:
    name: str
    path: Callable[[World], str]
    signed_in: bool = False


def _anonymous(name: str, path: str | Callable[[World], str]) -> CitizenPage:
    return CitizenPage(name, path if callable(path) else (lambda world, path=path: path))


def _signed_in(name: str, path: str | Callable[[World], str]) -> CitizenPage:
    return CitizenPage(name, path if callable(path) else (lambda world, path=path: path), signed_in=True)


PAGES = [
    _anonymous("home", "/"),
    _anonymous("policy", "/policy/"),
    _anonymous("policy-versions", "/policy/versions/"),
    _anonymous("policy-version", lambda world: f"/policy/{world.policy_version}/"),
    _anonymous("policy-changes", lambda world: f"/policy/{world.policy_version}/changes/"),
    _anonymous("sign-in", "/accounts/login/"),
    _anonymous("sign-up", "/accounts/signup/"),
    _anonymous("password-reset", "/accounts/password/reset/"),
    _anonymous("complaint-anonymous", "/requests/complaint/"),
    _signed_in("home-signed-in", "/"),
    _signed_in("dashboard", "/privacy/"),
    _signed_in("consent-history", "/privacy/history/"),
    _signed_in("cookies", "/privacy/cookies/"),
    _signed_in("location", "/privacy/location/"),
    _signed_in("optional-services", "/privacy/services/"),
    _signed_in("personalisation", "/privacy/interests/"),
    _signed_in("strong-verification", "/privacy/verification/"),
    _signed_in("disclosures", "/privacy/disclosures/"),
    _signed_in("services-used", "/privacy/services-used/"),
    _signed_in("requests", "/requests/"),
    _signed_in("request-new-access", "/requests/new/access/"),
    _signed_in("request-new-correction", "/requests/new/correction/"),
    _signed_in("request-detail", lambda world: f"/requests/{world.request_id}/"),
    _signed_in("complaint", "/requests/complaint/"),
    _signed_in("cancellation", "/requests/cancel/"),
    _signed_in("inbox", "/inbox/"),
    _signed_in("inbox-message", lambda world: f"/inbox/{world.message_id}/"),
    _signed_in("identity", "/account/identity/"),
    _signed_in("guardians", "/account/identity/guardians/"),
    _signed_in("two-factor", "/account/two-factor/"),
    _signed_in("deliveries", "/account/deliveries/"),
    _signed_in("delivery-new", "/account/deliveries/new/"),
    _signed_in("activity", "/account/activity/"),
    _signed_in("sessions", "/account/activity/sessions/"),
    _signed_in("linked-accounts", "/accounts/3rdparty/"),
    _signed_in("export-detail", lambda world: f"/requests/exports/{world.export_id}/"),
]


def _world_for(citizen) -> World:
    """A citizen with something in every table: an answered access request (its export ready), a
    sign-in, a consent given, a delivery, a disclosure to a court, and a message."""
    LoginActivity.objects.create(
        user=citizen,
        ip_prefix="203.0.113.0/24",
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
        method="password",
    )
    request = request_services.privacy_request_create(
        requester=citizen, kind=RequestKind.ACCESS, details={}, identity_check=step_up_passed(citizen)
    )
    staff = StaffFactory()
    request_services.privacy_request_start_review(request=request, actor=staff)
    request_services.privacy_request_complete(request=request, actor=staff, answer="Your data is attached.")
    export = ExportFile.objects.get(request=request)
    purpose = Purpose.objects.filter(kind="optional", sensitive=False, active=True).order_by("display_order").first()
    consent_grant(subject=citizen, purpose=purpose)
    delivery_request(user=citizen, **DELIVERY)
    disclosure_record(
        authority="Court", kind="disclosure", legal_basis="court",
        categories=DataCategory.objects.filter(code="contact"), subjects=[citizen], recorded_by=staff,
    )  # fmt: skip
    message, _ = notification_send(recipient=citizen, kind="welcome")
    return World(
        policy_version=PolicyVersion.objects.order_by("-published_at").first().version,
        request_id=request.pk,
        export_id=export.pk,
        message_id=message.pk,
    )


def _violations_text(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"      at {' '.join(node['target'])}")
            lines.append(f"         {node['failureSummary'].splitlines()[-1].strip()}")
        if len(violation["nodes"]) > 5:
            lines.append(f"      … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.fixture
def signed_in_context(browser: Browser, live_server):
    """A browser context factory; ``user`` signs it in, with a fresh step-up check for the request forms."""
    contexts = []

    def make(*, language: str, user=None):
        # CSP forbids inline scripts, which is how Playwright injects axe.
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True)
        contexts.append(context)
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        if user is not None:
            give_browser_session(context, live_server, user)
            session_key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
            step_up_passed(user, session_key_hash=session_key_hash(session_key), verified_at=timezone.now())
        return context

    yield make
    for context in contexts:
        context.close()


def _audit(page, *, url: str, name: str, language: str, out: Path) -> tuple[list[str], dict]:
    """axe at both widths and the sideways-scroll check at 390 px; the problems found and the figures."""
    problems = []
    figures = {"page": name, "language": language}
    for width in (DESKTOP, PHONE):
        page.set_viewport_size({"width": width, "height": HEIGHT[width]})
        response = page.goto(url)
        if response is None or response.status != 200 or page.url != url:
            problems.append(f"{name} ({language}): {url} answered {response and response.status} at {page.url}")
            return problems, figures
        if (shown := page.locator("html").get_attribute("lang")) != language:
            problems.append(f"{name}: shown in {shown}, not {language}")
        page.add_script_tag(path=str(AXE))
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS
        )
        violations = results["violations"]
        figures[f"violations_{width}"] = sum(len(violation["nodes"]) for violation in violations)
        if violations:
            problems.append(f"{name} ({language}, {width} px) at {url}:\n{_violations_text(violations)}")
        if width == PHONE:
            scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            figures["scroll_width_390"] = scroll_width
            # A full-page capture would paint the sticky banner over the middle of a long page.
            page.add_style_tag(content=".cookie-banner { position: static; }")
            page.screenshot(path=str(out / f"{name}-{language}-390.png"), full_page=True)
            if scroll_width > inner_width:
                problems.append(f"{name} ({language}) scrolls sideways at 390 px: {scroll_width} px of content")
    return problems, figures


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_citizen_pages_have_no_accessibility_violations_and_fit_a_phone(
    live_server, signed_in_context, artifacts_dir, settings, tmp_path, signed_in, language
):
    """One browser session walks every page of one audience in one language (a database flush per
    page would make this module take half an hour); every problem is collected, then reported."""
    assert AXE.exists(), "axe-core is not installed: run `make axe` (npm ci)"
    settings.MEDIA_ROOT = tmp_path / "media"
    out = artifacts_dir / "accessibility"
    out.mkdir(exist_ok=True)
    user = VerifiedCitizenFactory(language=language) if signed_in else None
    if user is not None:
        world = _world_for(user)
    else:
        world = World(policy_version=PolicyVersion.objects.order_by("-published_at").first().version)
    page = signed_in_context(language=language, user=user).new_page()

    problems, audited = [], []
    for citizen_page in PAGES:
        if citizen_page.signed_in != signed_in:
            continue
        found, figures = _audit(
            page, url=live_server.url + citizen_page.path(world), name=citizen_page.name, language=language, out=out
        )
        problems += found
        audited.append(figures)
    with (out / "figures.jsonl").open("a") as log:
        for figures in audited:
            log.write(json.dumps(figures) + "\n")
    assert len(audited) == sum(1 for p in PAGES if p.signed_in == signed_in)
    assert not problems, f"{len(problems)} problems:\n\n" + "\n\n".join(problems)
