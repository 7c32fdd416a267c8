"""Two privacy officers refuse a batch of requests in admin, in a real browser, and leave an internal note."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.roles import StaffRole
from accounts.services import staff_groups_ensure
from privacy_requests import services
from privacy_requests.models import PrivacyRequest, RequestChannel, RequestKind, RequestNote, RequestState
from tests.e2e.sessions import give_browser_session
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _file(staff):
    return services.privacy_request_create(
        requester=UserFactory(),
        kind=RequestKind.ACCESS,
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
