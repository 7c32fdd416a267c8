"""Issue #15's last promises, as the citizen sees them in a real browser: the services that used their data,
interests sent by services, reminders turned off, GPC in the consent history, and the outcome of a request
decided by two officers."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, expect
from rest_framework.test import APIClient

from accounts.reminders import services as reminders
from accounts.roles import StaffRole
from accounts.service_clients.scopes import CONSENT_CHECK, INTERESTS_WRITE
from accounts.service_clients.tests.factories import service_client_with_token
from accounts.services import staff_groups_ensure
from consents.cookies.services import cookie_choice_record
from consents.disclosures import services as disclosures
from consents.models import ConsentChannel, ConsentEvent, DataCategory, InterestTag
from consents.models.disclosures import DisclosureBasis, DisclosureKind
from consents.personalisation import services as personalisation
from consents.selectors import consent_check
from consents.service_usage import counting
from notifications.models import OutboxEmail
from privacy_requests import services
from privacy_requests.models import RequestChannel, RequestKind, RequestState
from tests.e2e.sessions import give_browser_session
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_page(browser: Browser, live_server):
    """A page signed in as ``user`` in English (staff: past the second factor), closed after the test."""
    contexts = []

    def make(user, **options):
        context = browser.new_context(locale="en-US", **options)
        contexts.append(context)
        give_browser_session(context, live_server, user, second_factor_passed=user.is_staff)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _service_api(*, scopes, name):
    _client, token = service_client_with_token(scopes=scopes, name=name)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def test_the_person_reads_which_services_asked_about_them_and_who_received_their_data(
    live_server, open_page, artifacts_dir
):
    citizen, other = UserFactory(language="en"), UserFactory(language="en")
    api = _service_api(scopes=[CONSENT_CHECK], name="Transport card service")
    for subject in (citizen, citizen, other):
        answer = api.get("/api/v1/consent-check/", {"subject": subject.pk, "purpose": "recommendations"})
        assert answer.status_code == 200
    counting.service_checks_flush()
    officer = UserFactory(is_staff=True)
    disclosures.disclosure_record(
        kind=DisclosureKind.DISCLOSURE,
        legal_basis=DisclosureBasis.COURT,
        authority="Haidian District Court",
        categories=DataCategory.objects.filter(code="contact"),
        subjects=[citizen],
        recorded_by=officer,
    )

    page = open_page(citizen)
    page.goto(live_server.url + "/account/activity/")
    page.get_by_role("link", name="Services that used my data").first.click()

    table = page.get_by_test_id("services-used")
    expect(table.locator("tr", has_text="Transport card service")).to_contain_text("Asked 2 times")
    expect(table.locator("tr", has_text="Haidian District Court")).to_contain_text("Received your data")
    page.screenshot(path=str(artifacts_dir / "services-used.png"), full_page=True)
    # Another person sees only what concerns them.
    page = open_page(other)
    page.goto(live_server.url + "/privacy/services-used/")
    expect(page.get_by_test_id("services-used")).to_contain_text("Asked once")
    expect(page.get_by_test_id("services-used")).not_to_contain_text("Haidian District Court")


def test_interests_sent_by_a_service_are_shown_to_the_person_who_deletes_one(live_server, open_page, artifacts_dir):
    citizen = UserFactory(language="en")
    personalisation.recommendations_opt_in(subject=citizen, actor=citizen, channel=ConsentChannel.WEB)
    api = _service_api(scopes=[INTERESTS_WRITE], name="Housing fund service")
    answer = api.post("/api/v1/interest-signals/", {"subject": citizen.pk, "tags": ["housing", "transport"]}, "json")
    assert answer.status_code == 201

    page = open_page(citizen)
    page.goto(live_server.url + "/privacy/interests/")
    tags = page.get_by_test_id("interest-tag")
    expect(tags).to_have_count(2)
    page.screenshot(path=str(artifacts_dir / "interests-from-a-service.png"), full_page=True)
    page.get_by_role("button", name="Delete the interest “housing”").click()

    expect(page.get_by_test_id("interest-tag")).to_have_count(1)
    expect(page.get_by_test_id("interest-tags")).to_contain_text("transport")
    assert list(InterestTag.objects.filter(user=citizen).values_list("tag", flat=True)) == ["transport"]


def test_reminders_turned_off_on_the_settings_page_are_not_sent(live_server, open_page):
    # Two people who signed up 4 days ago and never confirmed their address: a reminder is due to both.
    citizen, other = UserFactory(language="en"), UserFactory(language="en")
    for person in (citizen, other):
        EmailAddress.objects.filter(user=person).update(verified=False)
    type(citizen).objects.filter(pk__in=[citizen.pk, other.pk]).update(
        date_joined=timezone.now() - datetime.timedelta(days=4)
    )
    page = open_page(citizen)
    page.goto(live_server.url + reverse("accounts:reminders"))
    checkbox = page.get_by_label("Send me these reminders")
    expect(checkbox).to_be_checked()

    checkbox.uncheck()
    page.get_by_test_id("reminders-save").click()

    expect(page.get_by_label("Send me these reminders")).not_to_be_checked()
    citizen.refresh_from_db()
    assert not citizen.reminders_enabled
    assert reminders.reminders_send_due() == 1
    assert OutboxEmail.objects.filter(recipient=other, kind="email_confirmation_reminder").count() == 1
    assert not OutboxEmail.objects.filter(recipient=citizen, kind="email_confirmation_reminder").exists()


def test_gpc_from_a_signed_in_browser_is_written_to_the_consent_history(live_server, open_page, artifacts_dir):
    citizen = UserFactory(language="en")
    cookie_choice_record(subject=citizen, accept=True, channel=ConsentChannel.COOKIE_BANNER, actor=citizen)
    purpose_code = "cookies_analytics"

    page = open_page(citizen, extra_http_headers={"Sec-GPC": "1"})
    page.goto(live_server.url + "/")

    expect(page.get_by_test_id("cookie-gpc-recorded")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "gpc-recorded.png"), full_page=True)
    event = ConsentEvent.objects.filter(subject=citizen, purpose__code=purpose_code).order_by("-seq").first()
    assert (event.action, event.channel) == ("withdrawn", ConsentChannel.GPC)
    assert not consent_check(subject=citizen, purpose=event.purpose).allowed
    # Reloading with the signal writes nothing more: the refusal is already recorded.
    page.reload()
    expect(page.get_by_test_id("cookie-gpc-recorded")).to_have_count(0)
    assert ConsentEvent.objects.filter(subject=citizen, purpose__code=purpose_code, channel="gpc").count() == 1


def test_the_citizen_reads_the_outcome_of_a_deletion_approved_by_two_officers_and_keeps_the_account(
    live_server, open_page, artifacts_dir
):
    groups = staff_groups_ensure()
    maker, checker = (UserFactory(is_staff=True, username=name) for name in ("officer_m", "officer_c"))
    for officer in (maker, checker):
        officer.groups.add(groups[StaffRole.PRIVACY_OFFICER])
    citizen = UserFactory(language="en")
    deletion = services.privacy_request_create(
        requester=citizen,
        kind=RequestKind.DELETION,
        details={"text": "Please delete everything."},
        channel=RequestChannel.PHONE,
        identity_check_note="Security questions answered on the phone",
        filed_by=maker,
    )
    services.privacy_requests_propose_batch(
        requests=[deletion], actor=maker, decision="approve", explanation="We deleted what you asked us to."
    )
    services.privacy_requests_confirm_batch(requests=[deletion], actor=checker)

    page = open_page(citizen)
    page.goto(live_server.url + reverse("privacy_requests:detail", args=[deletion.pk]))

    expect(page.get_by_test_id("answer")).to_contain_text("We deleted what you asked us to.")
    outcomes = page.get_by_test_id("outcomes")
    expect(outcomes).to_contain_text("Deleted")
    # The account and identity stay: closing the account is a cancellation, and the page says so.
    expect(outcomes).to_contain_text("account cancellation")
    # The officers' deliberation is theirs: the citizen's timeline shows the decision only.
    expect(page.get_by_test_id("event-complete")).to_have_count(1)
    expect(page.get_by_test_id("event-proposed_delete")).to_have_count(0)
    expect(page.get_by_test_id("event-confirmed_delete")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "deletion-outcome-citizen.png"), full_page=True)
    deletion.refresh_from_db()
    citizen.refresh_from_db()
    assert deletion.state == RequestState.COMPLETED and citizen.is_active
