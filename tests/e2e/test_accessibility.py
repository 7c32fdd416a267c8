"""Every citizen page through axe-core, in both languages, on a desktop and on a phone.

axe-core comes from npm at the version package-lock.json pins (``make axe``)
and is injected into each page as it is rendered, cookie banner included: a
first visit is what a newcomer sees. A page passes with zero violations of the
WCAG 2.0/2.1 A and AA rules and the WCAG 2.2 AA ones, and at 390 px it must
not scroll sideways. A screenshot of each page at 390 px goes to
``test-artifacts/accessibility/``, and a line of figures per page to
``figures.jsonl`` there, for the closing note of issue 14: per width the
violations, the page's height and the number of axe rules run.

Three audiences walk their pages: a visitor, a verified citizen with
something in every table, and a newcomer (identity not yet verified, codes by
email turned on, a complaint open). A page with a ``prepare`` step is audited
as that step leaves it: a form sent empty shows its error summary.
"""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_email.models import EmailDevice
from playwright.sync_api import Browser, Page

from accounts.delivery.services import delivery_request
from accounts.models import LoginActivity
from accounts.reminders import links as reminder_links
from accounts.two_factor.selectors import EMAIL_DEVICE_NAME, session_key_hash
from consents.disclosures.services import disclosure_record
from consents.location.services import location_record, location_sharing_turn_on
from consents.models import DataCategory, PolicyVersion, Purpose
from consents.services import consent_grant
from consents.surveys import links as survey_links
from notifications.services import notification_send
from privacy_requests import services as request_services
from privacy_requests.cancellation.outcome_links import outcome_token
from privacy_requests.cancellation.services import cancellation_request
from privacy_requests.models import ExportFile, PrivacyRequest, RequestKind
from tests.e2e.sessions import give_browser_session
from tests.factories import (
    CitizenFactory,
    GuardianLinkFactory,
    StaffFactory,
    VerifiedCitizenFactory,
    step_up_passed,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LANGUAGES = ["zh-hans", "en"]
DESKTOP, PHONE = 1280, 390
ANONYMOUS, SIGNED_IN, NEWCOMER = "anonymous", "signed-in", "newcomer"
PASSWORD = "Correct-Horse-42"
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
    outcome_token: str = ""
    open_request_id: int = 0
    ward_id: int = 0
    reminders_stop_token: str = ""
    survey_stop_token: str = ""


@dataclass(frozen=True)
class CitizenPage:
    name: str
    path: Callable[[World], str]
    audience: str = ANONYMOUS
    # The status the page answers with; a page with ``prepare`` is audited as that step leaves it.
    status: int = 200
    prepare: Callable[[Page], None] | None = None


def _page(audience: str):
    def make(name: str, path: str | Callable[[World], str], **options) -> CitizenPage:
        return CitizenPage(name, path if callable(path) else (lambda world, path=path: path), audience, **options)

    return make


_anonymous, _signed_in, _newcomer = _page(ANONYMOUS), _page(SIGNED_IN), _page(NEWCOMER)


def _send(page: Page, form: str) -> None:
    """Send ``form`` as it stands, as its submit button would (the cookie banner may cover the button)."""
    with page.expect_navigation():
        page.locator(form).first.evaluate("form => form.submit()")


def _sent_empty(form: str) -> Callable[[Page], None]:
    return lambda page: _send(page, form)


def _signed_up(page: Page) -> None:
    """Sign up with a new address: the next page asks for the code emailed to it."""
    page.locator("#id_email").fill(f"new-{uuid.uuid4().hex[:12]}@example.cn")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    _send(page, "[data-testid=signup-form]")
    page.wait_for_url("**/accounts/confirm-email/")


def _phone_given(page: Page) -> None:
    """Ask to add a mobile number: the next page asks for the code texted to it."""
    page.locator("main form input[name=phone]").fill("139 1234 5678")
    _send(page, "main form:has(input[name=phone])")
    page.wait_for_url("**/accounts/phone/verify/")


COMPLAINT_FORM = "[data-testid=complaint-form]"
IDENTITY_FORM = "main form[action$='/identity/verify/']"

PAGES = [
    _anonymous("home", "/"),
    _anonymous("policy", "/policy/"),
    _anonymous("policy-versions", "/policy/versions/"),
    _anonymous("policy-version", lambda world: f"/policy/{world.policy_version}/"),
    _anonymous("policy-changes", lambda world: f"/policy/{world.policy_version}/changes/"),
    _anonymous("sign-in", "/accounts/login/"),
    _anonymous("sign-in-errors", "/accounts/login/", prepare=_sent_empty("[data-testid=login-form]")),
    _anonymous("sign-up", "/accounts/signup/"),
    _anonymous("sign-up-errors", "/accounts/signup/", prepare=_sent_empty("[data-testid=signup-form]")),
    _anonymous("password-reset", "/accounts/password/reset/"),
    _anonymous("password-reset-done", "/accounts/password/reset/done/"),
    _anonymous("password-reset-key-done", "/accounts/password/reset/key/done/"),
    _anonymous("account-inactive", "/accounts/inactive/"),
    _anonymous("weixin-cancelled", "/accounts/3rdparty/login/cancelled/"),
    _anonymous("weixin-error", "/accounts/3rdparty/login/error/", status=401),
    _anonymous("complaint-anonymous", "/requests/complaint/"),
    _anonymous("complaint-anonymous-errors", "/requests/complaint/", prepare=_sent_empty(COMPLAINT_FORM)),
    _anonymous("help-faq", "/help/faq/"),
    _anonymous("help-contact", "/help/contact/"),
    _anonymous("help-accessibility", "/help/accessibility/"),
    _anonymous("cancellation-outcome", lambda world: f"/requests/cancel/outcome/{world.outcome_token}/"),
    _anonymous("cancellation-done-anonymous", "/requests/cancel/done/"),
    _anonymous("reminders-stop", lambda world: f"/account/reminders/stop/{world.reminders_stop_token}/"),
    _anonymous("survey-stop", lambda world: f"/privacy/surveys/stop/{world.survey_stop_token}/"),
    _anonymous("not-found", "/no-such-page/", status=404),
    # Last: it leaves a sign-up waiting for its code in the session.
    _anonymous("sign-up-code", "/accounts/signup/", prepare=_signed_up),
    _signed_in("home-signed-in", "/"),
    _signed_in("dashboard", "/privacy/"),
    _signed_in("consent-history", "/privacy/history/"),
    _signed_in("ward-dashboard", lambda world: f"/privacy/for/{world.ward_id}/"),
    _signed_in("ward-history", lambda world: f"/privacy/for/{world.ward_id}/history/"),
    _signed_in("partner-confirm", "/privacy/consent/surveys/partner/survey_partner/confirm/"),
    _signed_in("cookies", "/privacy/cookies/"),
    _signed_in("location", "/privacy/location/"),
    _signed_in("location-on", "/privacy/location/on/"),
    _signed_in("location-off", "/privacy/location/off/"),
    _signed_in("location-photo", "/privacy/location/photo/"),
    _signed_in("optional-services", "/privacy/services/"),
    _signed_in("service-enrol", "/privacy/services/public_transport/enrol/"),
    _signed_in("service-enrol-sensitive", "/privacy/services/provident_fund/enrol/"),
    _signed_in("personalisation", "/privacy/interests/"),
    _signed_in("strong-verification", "/privacy/verification/"),
    _signed_in("face-consent", "/privacy/verification/face/consent/"),
    _signed_in("disclosures", "/privacy/disclosures/"),
    _signed_in("services-used", "/privacy/services-used/"),
    _signed_in("requests", "/requests/"),
    _signed_in("request-new-access", "/requests/new/access/"),
    _signed_in("request-new-export", "/requests/new/export/"),
    _signed_in("request-new-correction", "/requests/new/correction/"),
    _signed_in("request-new-deletion", "/requests/new/deletion/"),
    _signed_in("request-new-withdrawal", "/requests/new/withdrawal/"),
    _signed_in("deletion-account", "/requests/new/deletion/account/"),
    _signed_in("request-detail", lambda world: f"/requests/{world.request_id}/"),
    _signed_in("complaint", "/requests/complaint/"),
    _signed_in("cancellation", "/requests/cancel/"),
    _signed_in("cancellation-done", "/requests/cancel/done/"),
    _signed_in("inbox", "/inbox/"),
    _signed_in("inbox-message", lambda world: f"/inbox/{world.message_id}/"),
    _signed_in("identity", "/account/identity/"),
    _signed_in("identity-verified", "/account/identity/verify/"),
    _signed_in("guardians", "/account/identity/guardians/"),
    _signed_in("two-factor", "/account/two-factor/"),
    _signed_in("two-factor-authenticator", "/account/two-factor/authenticator/"),
    _signed_in("two-factor-email", "/account/two-factor/email/"),
    _signed_in("two-factor-recovery-codes", "/account/two-factor/recovery-codes/"),
    _signed_in("two-factor-step-up", "/account/two-factor/step-up/"),
    _signed_in("deliveries", "/account/deliveries/"),
    _signed_in("delivery-new", "/account/deliveries/new/"),
    _signed_in("reminders", "/account/reminders/"),
    _signed_in("activity", "/account/activity/"),
    _signed_in("sessions", "/account/activity/sessions/"),
    _signed_in("sessions-allauth", "/accounts/sessions/"),
    _signed_in("email-addresses", "/accounts/email/"),
    _signed_in("password-change", "/accounts/password/change/"),
    _signed_in("reauthenticate", "/accounts/reauthenticate/"),
    _signed_in("phone-change", "/accounts/phone/change/"),
    _signed_in("phone-verify", "/accounts/phone/change/", prepare=_phone_given),
    _signed_in("sign-out", "/accounts/logout/"),
    _signed_in("linked-accounts", "/accounts/3rdparty/"),
    _signed_in("export-detail", lambda world: f"/requests/exports/{world.export_id}/"),
    _signed_in("not-found-signed-in", "/no-such-page/", status=404),
    _newcomer("home-newcomer", "/"),
    _newcomer("identity-verify", "/account/identity/verify/"),
    _newcomer("identity-verify-errors", "/account/identity/verify/", prepare=_sent_empty(IDENTITY_FORM)),
    _newcomer("two-factor-on", "/account/two-factor/"),
    _newcomer("two-factor-turn-off", "/account/two-factor/turn-off/"),
    _newcomer("two-factor-verify", "/account/two-factor/verify/"),
    _newcomer("request-detail-open", lambda world: f"/requests/{world.open_request_id}/"),
    _newcomer("request-withdraw", lambda world: f"/requests/{world.open_request_id}/withdraw/"),
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
    # Surveys agreed to, so sharing with the survey partner asks for its confirmation.
    consent_grant(subject=citizen, purpose=Purpose.objects.get(code="surveys"))
    # A child's choices, made by this citizen as their guardian.
    ward = GuardianLinkFactory(guardian=citizen, minor__language=citizen.language).minor
    delivery_request(user=citizen, **DELIVERY)
    disclosure_record(
        authority="Court", kind="disclosure", legal_basis="court",
        categories=DataCategory.objects.filter(code="contact"), subjects=[citizen], recorded_by=staff,
    )  # fmt: skip
    message, _ = notification_send(recipient=citizen, kind="welcome")
    # Location shared, with a history: the switch then asks keep or delete.
    location_sharing_turn_on(subject=citizen, actor=citizen, channel="web")
    location_record(user=citizen, latitude=23.13, longitude=113.26, source="device")
    return World(
        policy_version=PolicyVersion.objects.order_by("-published_at").first().version,
        request_id=request.pk,
        export_id=export.pk,
        message_id=message.pk,
        ward_id=ward.pk,
    )


def _newcomer_world_for(citizen) -> World:
    """A citizen who signed up lately: identity not verified yet, codes by email on, a complaint open."""
    EmailDevice.objects.create(user=citizen, name=EMAIL_DEVICE_NAME, email=citizen.email, confirmed=True)
    complaint = request_services.privacy_request_create(
        requester=citizen,
        kind=RequestKind.COMPLAINT,
        details={"subject": "Letters", "message": "Why do I get letters from a partner?"},
        identity_check=step_up_passed(citizen),
    )
    return World(
        policy_version=PolicyVersion.objects.order_by("-published_at").first().version,
        open_request_id=complaint.pk,
    )


def _visitor_world() -> World:
    """Links from emails, opened without signing in: someone's outcome, reminders and survey stop links."""
    person = CitizenFactory()
    invited_under = consent_grant(subject=person, purpose=Purpose.objects.get(code="surveys"))
    return World(
        policy_version=PolicyVersion.objects.order_by("-published_at").first().version,
        outcome_token=_cancellation_outcome_token(),
        reminders_stop_token=reminder_links.stop_url(user_id=person.pk).rstrip("/").rsplit("/", 1)[1],
        survey_stop_token=survey_links.withdraw_token(
            subject_id=person.pk, purpose_code="surveys", event_id=invited_under.pk
        ),
    )


def _cancellation_outcome_token() -> str:
    """The link from the final email of someone else's completed account cancellation."""
    person = VerifiedCitizenFactory()
    request = cancellation_request(user=person, identity_check=step_up_passed(person))
    PrivacyRequest.objects.filter(pk=request.pk).update(cooling_off_until=timezone.now() - timedelta(minutes=1))
    request.refresh_from_db()
    request_services.privacy_request_complete(request=request, actor=StaffFactory())
    return outcome_token(request=request)


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

    def make(*, language: str, user=None, second_factor_passed: bool = False):
        # CSP forbids inline scripts, which is how Playwright injects axe.
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True)
        contexts.append(context)
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        if user is not None:
            give_browser_session(context, live_server, user, second_factor_passed=second_factor_passed)
            session_key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
            step_up_passed(user, session_key_hash=session_key_hash(session_key), verified_at=timezone.now())
        return context

    yield make
    for context in contexts:
        context.close()


def _audit(page, *, url: str, citizen_page: CitizenPage, language: str, out: Path) -> tuple[list[str], dict]:
    """axe at both widths and the sideways-scroll check at 390 px; the problems found and the figures.

    A page with a ``prepare`` step is opened and prepared once, then audited at both widths as it stands
    (sending a form twice would meet the rate limits, and would not show the same page).
    """
    name, expected = citizen_page.name, citizen_page.status
    problems = []
    figures = {"page": name, "language": language}
    for width in (DESKTOP, PHONE):
        page.set_viewport_size({"width": width, "height": HEIGHT[width]})
        if width == DESKTOP or citizen_page.prepare is None:
            response = page.goto(url)
            if response is None or response.status != expected or page.url != url:
                problems.append(
                    f"{name} ({language}): {url} answered {response and response.status} (not {expected}) at {page.url}"
                )
                return problems, figures
            if citizen_page.prepare is not None:
                citizen_page.prepare(page)
            page.add_script_tag(path=str(AXE))
        if (shown := page.locator("html").get_attribute("lang")) != language:
            problems.append(f"{name}: shown in {shown}, not {language}")
        figures[f"height_{width}"] = page.evaluate("() => document.documentElement.scrollHeight")
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS
        )
        violations = results["violations"]
        figures[f"violations_{width}"] = sum(len(violation["nodes"]) for violation in violations)
        figures[f"rules_{width}"] = sum(
            len(results[kind]) for kind in ("passes", "violations", "incomplete", "inapplicable")
        )
        if violations:
            problems.append(f"{name} ({language}, {width} px) at {page.url}:\n{_violations_text(violations)}")
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
@pytest.mark.parametrize("audience", [ANONYMOUS, SIGNED_IN, NEWCOMER])
def test_citizen_pages_have_no_accessibility_violations_and_fit_a_phone(
    live_server, signed_in_context, artifacts_dir, settings, tmp_path, audience, language
):
    """One browser session walks every page of one audience in one language (a database flush per
    page would make this module take half an hour); every problem is collected, then reported."""
    assert AXE.exists(), "axe-core is not installed: run `make axe` (npm ci)"
    settings.MEDIA_ROOT = tmp_path / "media"
    out = artifacts_dir / "accessibility"
    out.mkdir(exist_ok=True)
    user = None
    if audience == SIGNED_IN:
        user = VerifiedCitizenFactory(language=language)
        world = _world_for(user)
    elif audience == NEWCOMER:
        user = CitizenFactory(language=language)
        world = _newcomer_world_for(user)
    else:
        world = _visitor_world()
    # The newcomer's session has passed the code step that their codes by email ask for.
    page = signed_in_context(language=language, user=user, second_factor_passed=audience == NEWCOMER).new_page()

    problems, audited = [], []
    for citizen_page in PAGES:
        if citizen_page.audience != audience:
            continue
        found, figures = _audit(
            page, url=live_server.url + citizen_page.path(world), citizen_page=citizen_page, language=language, out=out
        )
        problems += found
        audited.append(figures)
    with (out / "figures.jsonl").open("a") as log:
        for figures in audited:
            log.write(json.dumps(figures) + "\n")
    assert len(audited) == sum(1 for p in PAGES if p.audience == audience)
    assert not problems, f"{len(problems)} problems:\n\n" + "\n\n".join(problems)
