"""Two privacy officers complete a deletion in admin, in a real browser: one proposes, the other confirms."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.identity.services import identity_profile_update
from accounts.models import IdentityProfile
from accounts.roles import StaffRole
from accounts.services import staff_groups_ensure
from privacy_requests import services
from privacy_requests.models import PrivacyRequest, RequestChannel, RequestKind, RequestState
from tests.e2e.sessions import give_browser_session
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ID_NUMBER = "440106199003071231"


def test_two_officers_complete_a_deletion(live_server, browser, artifacts_dir):
    groups = staff_groups_ensure()
    # English, so the test does not depend on the translation of new strings.
    maker = UserFactory(is_staff=True, language="en", username="officer_maker")
    checker = UserFactory(is_staff=True, language="en", username="officer_checker")
    for officer in (maker, checker):
        officer.groups.add(groups[StaffRole.PRIVACY_OFFICER])
    citizen = UserFactory()
    identity_profile_update(user=citizen, data={"legal_name": "王小明", "id_number": ID_NUMBER})
    request = services.privacy_request_create(
        requester=citizen,
        kind=RequestKind.DELETION,
        details={"text": "Please delete everything you hold about me."},
        channel=RequestChannel.COUNTER,
        identity_check_note="Resident ID card seen at the counter",
        filed_by=maker,
    )
    change_url = live_server.url + reverse("admin:privacy_requests_privacyrequest_change", args=[request.pk])

    # The first officer: finds it in the queue, starts the review, proposes deletion.
    maker_context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    page: Page = maker_context.new_page()
    give_browser_session(maker_context, live_server, maker, second_factor_passed=True)
    page.goto(live_server.url + reverse("admin:privacy_requests_privacyrequest_changelist"))
    page.get_by_role("link", name=request.reference).click()
    expect(page.locator(".field-citizen_identity")).to_contain_text("4401**********1231")
    expect(page.locator("body")).not_to_contain_text(ID_NUMBER)
    page.get_by_role("button", name="Start review").click()
    expect(page.locator(".messagelist")).to_contain_text("Review started.")
    page.get_by_role("button", name="Propose deletion").click()
    expect(page.locator(".messagelist")).to_contain_text("Deletion proposed")
    # The maker cannot confirm their own proposal.
    expect(page.get_by_role("button", name="Confirm the proposal")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "staff-deletion-proposed.png"), full_page=True)
    maker_context.close()

    # The second officer confirms; the request completes and the data is erased.
    checker_context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    page = checker_context.new_page()
    give_browser_session(checker_context, live_server, checker, second_factor_passed=True)
    page.goto(change_url)
    expect(page.locator(".field-proposal")).to_contain_text("Deletion proposed by officer_maker")
    page.screenshot(path=str(artifacts_dir / "staff-deletion-to-confirm.png"), full_page=True)
    page.get_by_role("button", name="Confirm the proposal").click()
    expect(page.locator(".messagelist")).to_contain_text("Proposal confirmed and applied.")
    expect(page.locator(".field-state")).to_contain_text("Completed")
    outcomes = page.locator("#request-outcomes tbody tr.outcome")
    expect(outcomes.first).to_be_visible()
    expect(page.locator("#request-actions")).to_contain_text("Nothing: the request is closed.")
    page.screenshot(path=str(artifacts_dir / "staff-deletion-completed.png"), full_page=True)

    # The officers' summary counts it among last week's completions.
    page.goto(live_server.url + reverse("admin:privacy_requests_privacyrequest_summary"))
    expect(page.locator("#open-total")).to_have_text("0")
    expect(page.locator("#summary-chart svg")).to_be_visible()
    expect(page.locator("#median-days")).to_contain_text("1 request completed")
    page.screenshot(path=str(artifacts_dir / "staff-deletion-summary.png"), full_page=True)
    checker_context.close()

    request = PrivacyRequest.objects.get(pk=request.pk)
    assert request.state == RequestState.COMPLETED
    assert request.events.filter(action="confirmed_delete", actor=checker).exists()
    # Everything else is erased, but a deletion never closes the account (issue #15): the account and
    # identity profile stay, and the citizen is told why (closing it is an account cancellation).
    citizen.refresh_from_db()
    assert citizen.is_active and IdentityProfile.objects.filter(user_id=citizen.pk).exists()
    kept = request.outcomes.get(category="profile")
    assert kept.result == "kept" and "注销账户" in kept.legal_reason  # in the citizen's language
    assert request.outcomes.exclude(category="profile").exclude(result="kept").exists()
