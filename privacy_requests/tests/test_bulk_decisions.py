"""Bulk decisions in the staff queue: proposed by one officer, confirmed by another, all or nothing."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import OutboxEmail
from privacy_requests import services
from privacy_requests.models import PrivacyRequest, RequestChannel, RequestKind, RequestState
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:privacy_requests_privacyrequest_changelist"
STATUS = "request_status_changed"


def _file(*, staff, kind=RequestKind.ACCESS, citizen=None):
    return services.privacy_request_create(
        requester=citizen or UserFactory(),
        kind=kind,
        details={"text": "Please."},
        channel=RequestChannel.PHONE,
        identity_check_note="Security questions answered on the phone",
        filed_by=staff,
    )


def _refusal(requests, **extra):
    return {
        "action": "propose_decision",
        "_selected_action": [r.pk for r in requests],
        "confirm_batch": "1",
        "decision": "refuse",
        "reason_code": "manifestly_unfounded",
        "explanation": "The same request was answered last week.",
        **extra,
    }


def _status_notices(request):
    return OutboxEmail.objects.filter(recipient=request.requester, kind=STATUS).count()


def test_propose_page_lists_the_selection_and_changes_nothing_yet(verified_client, officer):
    requests = [_file(staff=officer) for _ in range(2)]

    page = verified_client(officer).post(
        reverse(CHANGELIST), {"action": "propose_decision", "_selected_action": [r.pk for r in requests]}
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert all(r.reference in html for r in requests)
    assert "it takes effect only when a second officer confirms it" in html
    assert not PrivacyRequest.objects.exclude(proposed_action="").exists()


def test_a_refusal_proposed_for_a_batch_is_one_proposal_per_request(verified_client, officer):
    requests = [_file(staff=officer) for _ in range(3)]
    notices_before = [_status_notices(r) for r in requests]

    response = verified_client(officer).post(reverse(CHANGELIST), _refusal(requests), follow=True)

    assert "Decision proposed for 3 requests: a second officer must confirm them." in response.content.decode()
    for request, before in zip(requests, notices_before, strict=True):
        request.refresh_from_db()
        assert (request.proposed_action, request.proposed_by, request.refusal_reason) == (
            "refuse",
            officer,
            "manifestly_unfounded",
        )
        assert request.state == RequestState.IDENTITY_VERIFIED
        assert request.events.filter(action="proposed_refuse", actor=officer).count() == 1
        # The citizen hears the decision once it is confirmed, not the proposal.
        assert _status_notices(request) == before
    assert AuditEvent.objects.filter(action="privacy_request.propose_refuse", actor=officer).count() == 3


def test_a_refusal_needs_a_reason_and_an_explanation(verified_client, officer):
    request = _file(staff=officer)

    response = verified_client(officer).post(reverse(CHANGELIST), _refusal([request], reason_code="", explanation=" "))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a reason for the refusal." in html
    assert "Explain the refusal to the citizen." in html
    request.refresh_from_db()
    assert request.proposed_action == ""


def test_a_batch_mixing_states_is_refused_whole_with_the_requests_named(verified_client, officer):
    open_ones = [_file(staff=officer) for _ in range(2)]
    closed = _file(staff=officer, kind=RequestKind.COMPLAINT)
    services.privacy_request_complete(request=closed, actor=officer, answer="Answered.")
    audit_before = AuditEvent.objects.count()

    response = verified_client(officer).post(reverse(CHANGELIST), _refusal([*open_ones, closed]))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was changed." in html
    problems = response.context["problems"]
    assert [p.reference for p in problems] == [closed.reference]
    assert "Completed" in problems[0].reason
    assert not PrivacyRequest.objects.exclude(proposed_action="").exists()
    assert not PrivacyRequest.objects.filter(events__action="proposed_refuse").exists()
    assert AuditEvent.objects.count() == audit_before


def test_approval_is_for_deletions_and_a_mixed_batch_changes_nothing(officer):
    deletion = _file(staff=officer, kind=RequestKind.DELETION)
    access = _file(staff=officer, kind=RequestKind.ACCESS)

    with pytest.raises(services.BatchNotAllowed) as refused:
        services.privacy_requests_propose_batch(requests=[deletion, access], actor=officer, decision="approve")

    assert [p.reference for p in refused.value.problems] == [access.reference]
    deletion.refresh_from_db()
    assert deletion.proposed_action == ""


def test_a_second_officer_confirms_the_batch_and_each_citizen_is_told(verified_client, officer, checker):
    requests = [_file(staff=officer) for _ in range(3)]
    services.privacy_requests_propose_batch(
        requests=requests, actor=officer, decision="refuse", reason_code="other", explanation="Not possible."
    )
    before = [_status_notices(r) for r in requests]
    client = verified_client(checker)
    selected = [r.pk for r in requests]

    page = client.post(reverse(CHANGELIST), {"action": "confirm_proposals", "_selected_action": selected})
    assert page.status_code == 200
    assert "officer_a" in page.content.decode()
    assert "Not possible." in page.content.decode()  # what the checker confirms
    assert PrivacyRequest.objects.filter(state=RequestState.REFUSED).count() == 0

    response = client.post(
        reverse(CHANGELIST),
        {"action": "confirm_proposals", "_selected_action": selected, "confirm_batch": "1"},
        follow=True,
    )

    assert "3 decisions confirmed; each citizen is told." in response.content.decode()
    for request, notices in zip(requests, before, strict=True):
        request.refresh_from_db()
        assert request.state == RequestState.REFUSED
        assert request.proposed_action == ""
        assert request.events.filter(action="refuse", actor=checker, to_state=RequestState.REFUSED).count() == 1
        assert _status_notices(request) == notices + 1
    assert AuditEvent.objects.filter(action="privacy_request.refuse", actor=checker).count() == 3
    assert AuditEvent.objects.filter(action="privacy_request.confirm_refuse", actor=checker).count() == 3


def test_single_items_of_a_batch_can_be_confirmed_alone(verified_client, officer, checker):
    first, second = _file(staff=officer), _file(staff=officer)
    services.privacy_requests_propose_batch(
        requests=[first, second], actor=officer, decision="refuse", reason_code="other", explanation="No."
    )

    verified_client(checker).post(
        reverse(CHANGELIST), {"action": "confirm_proposals", "_selected_action": [first.pk], "confirm_batch": "1"}
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (RequestState.REFUSED, RequestState.IDENTITY_VERIFIED)
    assert second.proposed_action == "refuse"


def test_the_proposer_cannot_confirm_their_own_batch(verified_client, officer, checker):
    mine = [_file(staff=officer) for _ in range(2)]
    services.privacy_requests_propose_batch(
        requests=mine, actor=officer, decision="refuse", reason_code="other", explanation="No."
    )
    theirs = _file(staff=officer)
    services.privacy_request_propose(
        request=theirs, actor=checker, action="refuse", reason_code="other", explanation="No."
    )
    notices = _status_notices(theirs)

    response = verified_client(officer).post(
        reverse(CHANGELIST),
        {"action": "confirm_proposals", "_selected_action": [r.pk for r in [*mine, theirs]], "confirm_batch": "1"},
    )

    assert response.status_code == 400
    problems = response.context["problems"]
    assert sorted(p.reference for p in problems) == sorted(r.reference for r in mine)
    assert "A second staff member must confirm this" in problems[0].reason
    # All or nothing: the one officer_a could confirm is not confirmed either.
    assert PrivacyRequest.objects.filter(state=RequestState.REFUSED).count() == 0
    assert _status_notices(theirs) == notices
    assert not AuditEvent.objects.filter(action="privacy_request.confirm_refuse").exists()


def test_approved_deletions_complete_when_the_second_officer_confirms(officer, checker):
    deletions = [_file(staff=officer, kind=RequestKind.DELETION) for _ in range(2)]
    services.privacy_requests_propose_batch(requests=deletions, actor=officer, decision="approve")

    services.privacy_requests_confirm_batch(requests=deletions, actor=checker)

    for request in deletions:
        request.refresh_from_db()
        assert request.state == RequestState.COMPLETED
        assert request.events.filter(action="confirmed_delete", actor=checker).count() == 1
    assert AuditEvent.objects.filter(action="privacy_request.confirm_delete", actor=checker).count() == 2


def test_the_proposal_filter_shows_what_others_proposed(verified_client, officer, checker):
    mine, theirs, none = _file(staff=officer), _file(staff=officer), _file(staff=officer)
    services.privacy_request_propose(request=mine, actor=officer, action="refuse", reason_code="other", explanation="x")
    services.privacy_request_propose(
        request=theirs, actor=checker, action="refuse", reason_code="other", explanation="x"
    )
    client = verified_client(officer)

    def listed(value):
        response = client.get(reverse(CHANGELIST), {"proposal": value})
        return [row.reference for row in response.context["cl"].result_list]

    assert listed("others") == [theirs.reference]
    assert listed("mine") == [mine.reference]
    assert none.reference not in listed("others")


def test_an_auditor_has_no_bulk_decision(verified_client, officer, auditor):
    request = _file(staff=officer)

    verified_client(auditor).post(reverse(CHANGELIST), _refusal([request]))

    request.refresh_from_db()
    assert request.proposed_action == ""
