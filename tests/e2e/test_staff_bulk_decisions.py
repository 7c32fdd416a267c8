"""Two privacy officers decide batches of requests in admin, in a real browser: refused, then approved across kinds."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import IdentityProfile
from accounts.roles import StaffRole
from accounts.services import staff_groups_ensure
from privacy_requests import services
from privacy_requests.cancellation.services import cancellation_file_on_behalf
from privacy_requests.models import PrivacyRequest, RequestChannel, RequestKind, RequestNote, RequestState
from tests.e2e.sessions import give_browser_session
from tests.factories import UserFactory, VerifiedCitizenFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
CARD = "6222021234567890128"


def _file(staff, kind=RequestKind.ACCESS):
    return services.privacy_request_create(
        requester=UserFactory(),
        kind=kind,
        details={"text": "The same question again."},
        channel=RequestChannel.PHONE,
        identity_check_note="Security questions answered on the phone",
        filed_by=staff,
    )


def test_a_batch_refusal_proposed_and_confirmed_by_two_officers(live_server, browser, artifacts_dir):
    groups = staff_groups_ensure()
    # English, so the test does not depend on the translation of new strings.
    maker = UserFactory(is_staff=True, language="en", username="officer_maker")
    checker = UserFactory(is_staff=True, language="en", username="officer_checker")
    for officer in (maker, checker):
        officer.groups.add(groups[StaffRole.PRIVACY_OFFICER])
    batch = [_file(maker) for _ in range(2)]
    left_alone = _file(maker)
    changelist = live_server.url + reverse("admin:privacy_requests_privacyrequest_changelist")

    # The maker: selects two requests, proposes a refusal with a reason, adds a note on one.
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    page: Page = context.new_page()
    give_browser_session(context, live_server, maker, second_factor_passed=True)
    page.goto(changelist)
    for request in batch:
        page.locator(f'input[name="_selected_action"][value="{request.pk}"]').check()
    page.locator('select[name="action"]').select_option("propose_decision")
    page.get_by_role("button", name="Go", exact=True).click()
    expect(page.locator("#batch-requests")).to_contain_text(batch[0].reference)
    page.get_by_label("Refuse").check()
    page.get_by_label("reason for a refusal").select_option("manifestly_unfounded")
    page.get_by_label("explanation for the citizen").fill("You asked the same question three times this week.")
    page.get_by_role("button", name="Propose the decision").click()
    expect(page.locator(".messagelist")).to_contain_text("Decision proposed for 2 requests")
    page.goto(live_server.url + reverse("admin:privacy_requests_privacyrequest_change", args=[batch[0].pk]))
    page.get_by_label("internal note").fill("Third identical request this week; see the earlier answer.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator(".messagelist")).to_contain_text("Note added. Only staff can read it.")
    expect(page.locator("#request-notes")).to_contain_text("Third identical request this week")
    page.screenshot(path=str(artifacts_dir / "staff-bulk-proposed.png"), full_page=True)
    context.close()

    # The checker: filters what others proposed, selects all of it, confirms.
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    give_browser_session(context, live_server, checker, second_factor_passed=True)
    page.goto(changelist + "?proposal=others")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    page.locator("#action-toggle").check()
    page.locator('select[name="action"]').select_option("confirm_proposals")
    page.get_by_role("button", name="Go", exact=True).click()
    expect(page.locator("#batch-requests")).to_contain_text("officer_maker")
    page.screenshot(path=str(artifacts_dir / "staff-bulk-to-confirm.png"), full_page=True)
    page.get_by_role("button", name="Confirm these decisions").click()
    expect(page.locator(".messagelist")).to_contain_text("2 decisions confirmed; each citizen is told.")
    context.close()

    states = dict(PrivacyRequest.objects.values_list("pk", "state"))
    assert [states[r.pk] for r in batch] == [RequestState.REFUSED, RequestState.REFUSED]
    assert states[left_alone.pk] == RequestState.IDENTITY_VERIFIED
    assert RequestNote.objects.filter(request=batch[0], author=maker).count() == 1


def test_a_mixed_kind_batch_approved_by_one_officer_and_confirmed_by_another(live_server, browser, artifacts_dir):
    groups = staff_groups_ensure()
    maker = UserFactory(is_staff=True, language="en", username="officer_maker")
    checker = UserFactory(is_staff=True, language="en", username="officer_checker")
    for officer in (maker, checker):
        officer.groups.add(groups[StaffRole.PRIVACY_OFFICER])
    corrected = VerifiedCitizenFactory()
    batch = {
        RequestKind.ACCESS: _file(maker),
        RequestKind.COMPLAINT: _file(maker, kind=RequestKind.COMPLAINT),
        RequestKind.DELETION: _file(maker, kind=RequestKind.DELETION),
        RequestKind.CORRECTION: services.privacy_request_create(
            requester=corrected,
            kind=RequestKind.CORRECTION,
            details={"field": "bank_card", "new_value": CARD, "reason": "The card was replaced"},
            channel=RequestChannel.PHONE,
            identity_check_note="Security questions answered on the phone",
            filed_by=maker,
        ),
    }
    cancellation = cancellation_file_on_behalf(
        citizen=UserFactory(), staff=maker, identity_check_note="Called back on the registered number"
    )
    changelist = live_server.url + reverse("admin:privacy_requests_privacyrequest_changelist")

    def propose(page, requests):
        page.goto(changelist)
        for request in requests:
            page.locator(f'input[name="_selected_action"][value="{request.pk}"]').check()
        page.locator('select[name="action"]').select_option("propose_decision")
        page.get_by_role("button", name="Go", exact=True).click()
        page.get_by_role("radio", name=re.compile("Approve")).check()
        page.get_by_label("explanation for the citizen").fill("We have dealt with your request as you asked.")
        page.get_by_role("button", name="Propose the decision").click()

    # The maker: a cancellation in the selection stops the whole batch, with its reason.
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    page: Page = context.new_page()
    give_browser_session(context, live_server, maker, second_factor_passed=True)
    propose(page, [*batch.values(), cancellation])
    problems = page.locator("#batch-problems")
    expect(problems).to_contain_text("Nothing was changed.")
    expect(problems).to_contain_text(cancellation.reference)
    expect(problems).to_contain_text("follows its own workflow")
    page.screenshot(path=str(artifacts_dir / "staff-bulk-approve-refused.png"), full_page=True)
    assert not PrivacyRequest.objects.exclude(proposed_action="").exists()
    propose(page, batch.values())
    expect(page.locator(".messagelist")).to_contain_text("Decision proposed for 4 requests")
    context.close()

    # The checker: confirms the complaint alone on its own page, reading the answer first, then the rest together.
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    give_browser_session(context, live_server, checker, second_factor_passed=True)
    page.goto(live_server.url + reverse("admin:privacy_requests_privacyrequest_change", args=[batch["complaint"].pk]))
    expect(page.locator(".proposed-answer")).to_contain_text("We have dealt with your request as you asked.")
    page.get_by_role("button", name="Confirm the proposal").click()
    expect(page.locator(".messagelist")).to_contain_text("Proposal confirmed and applied.")
    page.goto(changelist + "?proposal=others")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    page.locator("#action-toggle").check()
    page.locator('select[name="action"]').select_option("confirm_proposals")
    page.get_by_role("button", name="Go", exact=True).click()
    expect(page.locator("#batch-requests")).to_contain_text("Completion (officer_maker)")
    expect(page.locator("#batch-requests")).to_contain_text("Deletion (officer_maker)")
    page.screenshot(path=str(artifacts_dir / "staff-bulk-approve-to-confirm.png"), full_page=True)
    page.get_by_role("button", name="Confirm these decisions").click()
    expect(page.locator(".messagelist")).to_contain_text("3 decisions confirmed; each citizen is told.")
    context.close()

    for request in batch.values():
        request.refresh_from_db()
        assert request.state == RequestState.COMPLETED
        assert request.answer.startswith("We have dealt with your request as you asked.")
    cancellation.refresh_from_db()
    assert (cancellation.state, cancellation.proposed_action) == (RequestState.IDENTITY_VERIFIED, "")
    assert IdentityProfile.objects.get(user=corrected).bank_card == CARD
