"""The staff queue in admin: order, filters, assignment, the buttons per state, maker-checker, masking."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.identity.services import identity_profile_update
from accounts.roles import StaffRole
from audit.models import AuditEvent
from privacy_requests import services
from privacy_requests.models import PrivacyRequest, RequestChannel, RequestKind, RequestState
from privacy_requests.selectors import allowed_actions
from privacy_requests.staff.views import ACTIONS
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "440106199003071231"
CHANGELIST = "admin:privacy_requests_privacyrequest_changelist"


def _file(*, staff, kind=RequestKind.ACCESS, citizen=None):
    """A request entered by staff with an identity note: verified at once, 15 working days to go."""
    return services.privacy_request_create(
        requester=citizen or UserFactory(),
        kind=kind,
        details={"text": "Please send me a copy."},
        channel=RequestChannel.PHONE,
        identity_check_note="Security questions answered on the phone",
        filed_by=staff,
    )


def _set_due(request, days_from_today):
    # The clock cannot be run forward in a test; the due date is moved instead.
    PrivacyRequest.objects.filter(pk=request.pk).update(due_date=timezone.localdate() + timedelta(days=days_from_today))


def _change_url(request):
    return reverse("admin:privacy_requests_privacyrequest_change", args=[request.pk])


def _action_url(request, action):
    return reverse("admin:privacy_requests_privacyrequest_action", args=[request.pk, action])


def _listed_references(response):
    return [row.reference for row in response.context["cl"].result_list]


# -- The list ----------------------------------------------------------------------


def test_queue_lists_overdue_first_then_due_soon_then_later_then_closed(verified_client, officer):
    later = _file(staff=officer)
    overdue = _file(staff=officer)
    _set_due(overdue, -2)
    soon = _file(staff=officer)
    _set_due(soon, 1)
    closed = _file(staff=officer, kind=RequestKind.COMPLAINT)
    services.privacy_request_complete(request=closed, actor=officer, answer="Answered.")
    _set_due(closed, -30)

    response = verified_client(officer).get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert _listed_references(response) == [overdue.reference, soon.reference, later.reference, closed.reference]
    html = response.content.decode()
    assert "overdue" in html
    assert "due within 3 working days" in html


def test_overdue_filter_and_assigned_to_me_filter(verified_client, officer, checker):
    overdue = _file(staff=officer)
    _set_due(overdue, -1)
    mine = _file(staff=officer)
    services.privacy_request_assign(request=mine, actor=officer, assignee=officer)
    theirs = _file(staff=officer)
    services.privacy_request_assign(request=theirs, actor=officer, assignee=checker)
    client = verified_client(officer)

    assert _listed_references(client.get(reverse(CHANGELIST), {"overdue": "yes"})) == [overdue.reference]
    assert _listed_references(client.get(reverse(CHANGELIST), {"assigned": "me"})) == [mine.reference]
    assert _listed_references(client.get(reverse(CHANGELIST), {"assigned": "none"})) == [overdue.reference]


def test_due_soon_filter(verified_client, officer):
    soon = _file(staff=officer)
    _set_due(soon, 0)
    _file(staff=officer)

    response = verified_client(officer).get(reverse(CHANGELIST), {"due": "soon"})

    assert _listed_references(response) == [soon.reference]


def test_queue_query_count_does_not_grow_with_requests(verified_client, officer, django_assert_max_num_queries):
    client = verified_client(officer)
    for _ in range(3):
        _file(staff=officer)
    client.get(reverse(CHANGELIST))
    for _ in range(10):
        _file(staff=officer)
    with django_assert_max_num_queries(15):
        response = client.get(reverse(CHANGELIST))
    assert len(_listed_references(response)) == 13


def test_assign_to_me_action(verified_client, officer):
    first, second = _file(staff=officer), _file(staff=officer)

    response = verified_client(officer).post(
        reverse(CHANGELIST), {"action": "assign_to_me", "_selected_action": [first.pk, second.pk]}, follow=True
    )

    assert "2 requests assigned to you." in response.content.decode()
    assert set(PrivacyRequest.objects.values_list("assigned_to", flat=True)) == {officer.pk}
    assert AuditEvent.objects.filter(action="privacy_request.assign", actor=officer).count() == 2


def test_bulk_assign_to_a_chosen_staff_member(verified_client, officer, checker):
    requests = [_file(staff=officer) for _ in range(3)]
    client = verified_client(officer)
    selected = [r.pk for r in requests]

    form_page = client.post(reverse(CHANGELIST), {"action": "assign_to", "_selected_action": selected})
    assert form_page.status_code == 200
    assert "Assign these requests to one staff member" in form_page.content.decode()
    assert PrivacyRequest.objects.filter(assigned_to__isnull=False).count() == 0

    response = client.post(
        reverse(CHANGELIST),
        {"action": "assign_to", "_selected_action": selected, "assignee": checker.pk},
        follow=True,
    )

    assert "3 requests assigned to officer_b." in response.content.decode()
    assert set(PrivacyRequest.objects.values_list("assigned_to", flat=True)) == {checker.pk}


def test_bulk_assign_offers_only_staff_who_may_work_the_queue(verified_client, officer, auditor):
    request = _file(staff=officer)
    response = verified_client(officer).post(
        reverse(CHANGELIST), {"action": "assign_to", "_selected_action": [request.pk], "assignee": auditor.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert PrivacyRequest.objects.get(pk=request.pk).assigned_to is None


def test_no_generic_add_form(verified_client, officer):
    response = verified_client(officer).get(reverse("admin:privacy_requests_privacyrequest_add"))
    assert response.status_code == 403


# -- One request's page ------------------------------------------------------------


def _shown_actions(response):
    return [button["action"].code for button in response.context["buttons"]]


@pytest.mark.parametrize("step", ["identity_verified", "in_review", "proposed", "completed"])
def test_buttons_match_allowed_actions(verified_client, officer, checker, step):
    request = _file(staff=officer, kind=RequestKind.DELETION)
    if step in ("in_review", "proposed"):
        services.privacy_request_start_review(request=request, actor=officer)
    if step == "proposed":
        services.privacy_request_propose(request=request, actor=checker, action="delete")
    if step == "completed":
        request = _file(staff=officer, kind=RequestKind.COMPLAINT)
        services.privacy_request_complete(request=request, actor=officer, answer="Done.")
    request.refresh_from_db()

    response = verified_client(officer).get(_change_url(request))

    assert response.status_code == 200
    expected = allowed_actions(request=request, actor=officer)
    assert _shown_actions(response) == expected
    html = response.content.decode()
    for code in ACTIONS:
        assert (f'action="{_action_url(request, code)}"' in html) == (code in expected)


def test_a_completed_request_has_no_buttons(verified_client, officer):
    request = _file(staff=officer, kind=RequestKind.COMPLAINT)
    services.privacy_request_complete(request=request, actor=officer, answer="Answered.")

    response = verified_client(officer).get(_change_url(request))

    assert _shown_actions(response) == []
    assert "Nothing: the request is closed." in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_request_page_shows_the_due_date_once_and_a_stopped_clock_after_completion(
    verified_client, officer, language
):
    officer.language = language  # staff pages follow the account's language
    officer.save(update_fields=["language"])
    request = _file(staff=officer, kind=RequestKind.COMPLAINT)
    client = verified_client(officer)
    open_page = client.get(_change_url(request)).content.decode()
    # One row shows the due date (with its flag); the plain due-date row repeated it under the same name.
    assert "field-deadline_flag" in open_page and "field-due_date" not in open_page
    assert {"zh-hans": "计时中", "en": "Running"}[language] in open_page

    services.privacy_request_complete(request=request, actor=officer, answer="Answered.")
    closed_page = client.get(_change_url(request)).content.decode()

    assert {"zh-hans": "计时中", "en": "Running"}[language] not in closed_page
    assert {"zh-hans": "已停止（已完成，", "en": "Stopped (Completed) on"}[language] in closed_page


def test_start_review_button_goes_through_the_service(verified_client, officer):
    request = _file(staff=officer)

    response = verified_client(officer).post(_action_url(request, "start_review"), follow=True)

    request.refresh_from_db()
    assert request.state == RequestState.IN_REVIEW
    assert "Review started." in response.content.decode()
    assert AuditEvent.objects.filter(action="privacy_request.start_review", actor=officer).exists()
    assert request.events.filter(action="start_review", actor=officer).exists()


def test_an_action_not_allowed_now_is_refused_with_a_message(verified_client, officer):
    request = _file(staff=officer, kind=RequestKind.COMPLAINT)
    services.privacy_request_complete(request=request, actor=officer, answer="Answered.")

    response = verified_client(officer).post(_action_url(request, "start_review"), follow=True)

    assert "is not possible for this request now" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED


def test_propose_refusal_needs_an_explanation(verified_client, officer):
    request = _file(staff=officer)
    client = verified_client(officer)

    response = client.post(_action_url(request, "propose_refuse"), {"propose_refuse-reason_code": "other"}, follow=True)

    assert "Explanation for the citizen: This field is required." in response.content.decode()
    request.refresh_from_db()
    assert request.proposed_action == ""

    client.post(
        _action_url(request, "propose_refuse"),
        {"propose_refuse-reason_code": "manifestly_unfounded", "propose_refuse-explanation": "Asked 5 times today."},
    )
    request.refresh_from_db()
    assert (request.proposed_action, request.refusal_reason) == ("refuse", "manifestly_unfounded")
    assert request.state == RequestState.IDENTITY_VERIFIED


def test_proposer_cannot_confirm_their_own_proposal(verified_client, officer):
    request = _file(staff=officer, kind=RequestKind.DELETION)
    services.privacy_request_start_review(request=request, actor=officer)
    client = verified_client(officer)
    client.post(_action_url(request, "propose_delete"))
    request.refresh_from_db()
    assert request.proposed_by == officer

    page = client.get(_change_url(request))
    assert "confirm" not in _shown_actions(page)
    assert f'action="{_action_url(request, "confirm")}"' not in page.content.decode()

    response = client.post(_action_url(request, "confirm"), follow=True)
    assert "is not possible for this request now" in response.content.decode()
    with pytest.raises(services.TransitionNotAllowed):
        services.privacy_request_confirm(request=request, actor=officer)
    request.refresh_from_db()
    assert request.state == RequestState.IN_REVIEW


def test_second_staff_member_confirms_a_deletion_and_it_completes(verified_client, officer, checker):
    citizen = UserFactory()
    request = _file(staff=officer, kind=RequestKind.DELETION, citizen=citizen)
    services.privacy_request_start_review(request=request, actor=officer)
    services.privacy_request_propose(request=request, actor=officer, action="delete")
    client = verified_client(checker)

    page = client.get(_change_url(request))
    assert "confirm" in _shown_actions(page)
    request.refresh_from_db()
    proposed = timezone.localtime(request.proposed_at)
    # When, in the staff member's language's format, as on the rest of the page.
    when = f"{proposed.day} {proposed:%B %Y}, {proposed:%H:%M}"
    assert f"Deletion proposed by officer_a at {when}" in page.content.decode()

    response = client.post(_action_url(request, "confirm"), follow=True)

    assert "Proposal confirmed and applied." in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED
    assert AuditEvent.objects.filter(action="privacy_request.confirm_delete", actor=checker).exists()


def test_extend_and_message_with_pause(verified_client, officer):
    request = _file(staff=officer)
    old_due = request.due_date
    client = verified_client(officer)

    client.post(_action_url(request, "extend"), {"extend-working_days": "5", "extend-reason": "Archive lookup"})
    client.post(
        _action_url(request, "message"),
        {"message-body": "Which year's records do you mean?", "message-waits_for_citizen": "on"},
    )

    request.refresh_from_db()
    assert request.due_date > old_due
    assert request.extension_reason == "Archive lookup"
    assert request.paused_since is not None
    page = client.get(_change_url(request)).content.decode()
    assert "Which year&#x27;s records do you mean?" in page
    assert "waiting for the citizen" in page.lower()


def test_auditor_sees_everything_and_no_buttons(verified_client, officer, auditor):
    request = _file(staff=officer)
    client = verified_client(auditor)

    page = client.get(_change_url(request))
    assert page.status_code == 200
    assert page.context["buttons"] == []
    assert "You can view this request; you cannot act on it." in page.content.decode()
    listing = client.get(reverse(CHANGELIST))
    assert listing.status_code == 200
    assert "assign_to_me" not in listing.content.decode()

    for action in ("start_review", "assign", "message"):
        assert client.post(_action_url(request, action), {}).status_code == 403
    assert client.post(_change_url(request), {}).status_code == 403
    assert client.post(
        reverse(CHANGELIST), {"action": "assign_to_me", "_selected_action": [request.pk]}
    ).status_code in (
        200,
        302,
    )
    request.refresh_from_db()
    assert request.state == RequestState.IDENTITY_VERIFIED
    assert request.assigned_to is None


def test_citizen_identity_is_masked_on_the_request_page(verified_client, officer):
    citizen = UserFactory()
    identity_profile_update(user=citizen, data={"legal_name": "王小明", "id_number": ID_NUMBER})
    request = _file(staff=officer, citizen=citizen)

    html = verified_client(officer).get(_change_url(request)).content.decode()

    assert "4401**********1231" in html
    assert "王**" in html
    assert ID_NUMBER not in html
    assert citizen.email not in html


def test_non_staff_cannot_reach_the_queue(verified_client, officer):
    request = _file(staff=officer)
    citizen = UserFactory()
    response = verified_client(citizen).get(_change_url(request))
    assert response.status_code == 302
    assert reverse("admin:index") not in response["Location"] or "login" in response["Location"]


# -- Requests entered by staff -----------------------------------------------------------


def test_phone_entry_records_filed_by_and_identity_note(verified_client):
    agent = StaffFactory(role=StaffRole.CUSTOMER_SERVICE, username="agent_d")
    citizen = UserFactory()
    identity_profile_update(user=citizen, data={"legal_name": "王小明", "id_number": ID_NUMBER})

    response = verified_client(agent).post(
        reverse("admin:privacy_requests_privacyrequest_staff_entry"),
        {
            "citizen": ID_NUMBER,
            "channel": "phone",
            "kind": "access",
            "details": "A copy of my data, please.",
            "identity_check_note": "Security questions answered on the phone",
        },
    )

    request = PrivacyRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _change_url(request)
    assert request.requester == citizen
    assert request.filed_by == agent
    assert request.channel == RequestChannel.PHONE
    assert request.identity_check_note == "Security questions answered on the phone"
    assert request.state == RequestState.IDENTITY_VERIFIED
    assert request.due_date is not None


def test_phone_entry_requires_the_identity_note_and_a_known_citizen(verified_client, officer):
    response = verified_client(officer).post(
        reverse("admin:privacy_requests_privacyrequest_staff_entry"),
        {"citizen": "nobody@example.cn", "channel": "counter", "kind": "access", "details": "x"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "No citizen&#x27;s account matches" in html
    assert "This field is required." in html
    assert not PrivacyRequest.objects.exists()


def test_phone_entry_points_to_an_open_duplicate(verified_client, officer):
    citizen = UserFactory()
    existing = _file(staff=officer, citizen=citizen)
    response = verified_client(officer).post(
        reverse("admin:privacy_requests_privacyrequest_staff_entry"),
        {
            "citizen": citizen.email,
            "channel": "counter",
            "kind": "access",
            "details": "Again",
            "identity_check_note": "ID card seen at the counter",
        },
    )
    assert response.status_code == 400
    assert existing.reference in response.content.decode()
    assert PrivacyRequest.objects.count() == 1


def test_auditor_cannot_enter_requests(verified_client, auditor):
    url = reverse("admin:privacy_requests_privacyrequest_staff_entry")
    assert verified_client(auditor).get(url).status_code == 403


def test_cancellation_filed_on_a_citizens_behalf(verified_client):
    agent = StaffFactory(role=StaffRole.CUSTOMER_SERVICE, username="agent_e")
    citizen = UserFactory()
    client = verified_client(agent)
    entry = client.get(reverse("admin:privacy_requests_privacyrequest_staff_entry")).content.decode()
    url = reverse("admin:privacy_requests_privacyrequest_cancel_on_behalf")
    assert url in entry

    refused = client.post(url, {"citizen": citizen.email, "identity_check_note": "Called back on the number"})
    assert refused.status_code == 400
    assert not PrivacyRequest.objects.exists()

    response = client.post(
        url,
        {"citizen": citizen.email, "identity_check_note": "Called back on the number", "consequences_read": "on"},
    )

    request = PrivacyRequest.objects.get()
    assert response.status_code == 302
    assert (request.kind, request.requester, request.filed_by) == (RequestKind.CANCELLATION, citizen, agent)
    assert request.identity_check_note == "Called back on the number"


def test_auditor_cannot_file_a_cancellation(verified_client, auditor):
    url = reverse("admin:privacy_requests_privacyrequest_cancel_on_behalf")
    assert verified_client(auditor).post(url, {}).status_code == 403


def test_request_page_query_count_does_not_grow_with_its_timeline(
    verified_client, officer, django_assert_max_num_queries
):
    request = _file(staff=officer)
    client = verified_client(officer)

    def send(count):
        for number in range(count):
            services.privacy_request_message(request=request, author=officer, body=f"Note {number}", from_staff=True)

    send(2)
    client.get(_change_url(request))
    with django_assert_max_num_queries(40) as few:
        client.get(_change_url(request))
    send(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_change_url(request))
    assert response.content.decode().count('class="request-message from-staff"') == 12


def test_the_request_timeline_gives_dates_in_the_staff_members_language(verified_client, officer):
    officer.language = "en"
    officer.save(update_fields=["language"])
    request = _file(staff=officer, kind=RequestKind.COMPLAINT)
    local = timezone.localtime(request.events.earliest("created_at").created_at)

    page = verified_client(officer).get(_change_url(request)).content.decode()

    # The long English form ("3 December 2026, 14:05"), never an ISO date a reader has to decode.
    assert f"{local.day} {local:%B %Y}, {local:%H:%M}" in page
    assert f"{local:%Y-%m-%d %H:%M}" not in page
