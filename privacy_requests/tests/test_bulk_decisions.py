"""Bulk decisions in the staff queue: proposed by one officer, confirmed by another, all or nothing."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts import phones
from accounts.models import IdentityProfile
from audit.models import AuditEvent
from notifications.models import OutboxEmail
from privacy_requests import services
from privacy_requests.cancellation.services import cancellation_file_on_behalf
from privacy_requests.models import (
    ExportFile,
    PrivacyRequest,
    RequestChannel,
    RequestKind,
    RequestOutcome,
    RequestState,
)
from privacy_requests.selectors import citizen_timeline
from tests.factories import UserFactory, VerifiedCitizenFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:privacy_requests_privacyrequest_changelist"
CHANGE = "admin:privacy_requests_privacyrequest_change"
ACTION = "admin:privacy_requests_privacyrequest_action"
CARD = "6222021234567890128"
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


def _mixed_kinds(staff):
    """One request of every kind a staff decision completes, each for its own citizen."""
    correction = services.privacy_request_create(
        requester=VerifiedCitizenFactory(),
        kind=RequestKind.CORRECTION,
        details={"field": "bank_card", "new_value": CARD, "reason": "The card was replaced"},
        channel=RequestChannel.PHONE,
        identity_check_note="Security questions answered on the phone",
        filed_by=staff,
    )
    others = {
        kind: _file(staff=staff, kind=kind)
        for kind in (
            RequestKind.ACCESS,
            RequestKind.EXPORT,
            RequestKind.COMPLAINT,
            RequestKind.WITHDRAWAL,
            RequestKind.DELETION,
        )
    }
    return {RequestKind.CORRECTION: correction, **others}


def test_a_mixed_kind_batch_is_approved_then_each_request_completes_as_its_own_page_would(officer, checker):
    batch = _mixed_kinds(officer)
    requests = list(batch.values())
    before = {r.pk: _status_notices(r) for r in requests}

    services.privacy_requests_propose_batch(
        requests=requests, actor=officer, decision="approve", explanation="Done as you asked; thank you."
    )

    for request in requests:
        request.refresh_from_db()
        expected = "delete" if request.kind == RequestKind.DELETION else "complete"
        assert (request.proposed_action, request.proposed_by) == (expected, officer)
        assert request.state == RequestState.IDENTITY_VERIFIED
        # Nothing reaches the citizen yet: no answer on their page, no notice, no internal step in their timeline.
        assert request.answer == ""
        assert _status_notices(request) == before[request.pk]
        assert [e.action for e in citizen_timeline(request=request)] == ["submitted", "verify"]
    assert AuditEvent.objects.filter(action="privacy_request.propose_complete", actor=officer).count() == 5

    services.privacy_requests_confirm_batch(requests=requests, actor=checker)

    for request in requests:
        request.refresh_from_db()
        assert request.state == RequestState.COMPLETED
        assert (request.proposed_action, request.proposed_answer) == ("", "")
        assert request.answer.startswith("Done as you asked; thank you.")
        # Its own transition, event and notice, by the officer who confirmed.
        assert request.events.filter(action="complete", actor=checker, to_state=RequestState.COMPLETED).count() == 1
        assert _status_notices(request) == before[request.pk] + 1
    assert AuditEvent.objects.filter(action="privacy_request.confirm_complete", actor=checker).count() == 5
    assert AuditEvent.objects.filter(action="privacy_request.confirm_delete", actor=checker).count() == 1
    assert AuditEvent.objects.filter(action="privacy_request.complete", actor=checker).count() == 6
    # What each kind's completion does: the correction applied, the copies queued, the deletion's outcomes.
    correction = batch[RequestKind.CORRECTION]
    assert IdentityProfile.objects.get(user=correction.requester).bank_card == CARD
    assert correction.outcomes.get().result == RequestOutcome.Result.CORRECTED
    assert ExportFile.objects.filter(request__in=[batch[RequestKind.ACCESS], batch[RequestKind.EXPORT]]).count() == 2
    assert batch[RequestKind.DELETION].outcomes.exists()


def test_a_batch_with_an_account_cancellation_cannot_be_approved_and_changes_nothing(officer):
    access = _file(staff=officer)
    cancellation = cancellation_file_on_behalf(
        citizen=UserFactory(), staff=officer, identity_check_note="Called back on the registered number"
    )

    with translation.override("en"), pytest.raises(services.BatchNotAllowed) as refused:
        services.privacy_requests_propose_batch(
            requests=[access, cancellation], actor=officer, decision="approve", explanation="Done."
        )

    [problem] = refused.value.problems
    assert problem.reference == cancellation.reference
    assert "follows its own workflow" in problem.reason
    assert not PrivacyRequest.objects.exclude(proposed_action="").exists()
    assert not AuditEvent.objects.filter(action__startswith="privacy_request.propose").exists()


def test_approving_a_complaint_needs_the_answer_to_send(officer):
    complaint = _file(staff=officer, kind=RequestKind.COMPLAINT)

    with translation.override("en"), pytest.raises(services.BatchNotAllowed) as refused:
        services.privacy_requests_propose_batch(requests=[complaint], actor=officer, decision="approve")

    assert "Write the answer" in refused.value.problems[0].reason
    complaint.refresh_from_db()
    assert complaint.proposed_action == ""


def test_a_completion_that_fails_when_confirmed_leaves_the_whole_batch_waiting(officer, checker):
    correction = services.privacy_request_create(
        requester=VerifiedCitizenFactory(),
        kind=RequestKind.CORRECTION,
        details={"field": "phone", "new_value": "13912345678", "reason": "New number"},
        channel=RequestChannel.PHONE,
        identity_check_note="Security questions answered on the phone",
        filed_by=officer,
    )
    access = _file(staff=officer)
    services.privacy_requests_propose_batch(requests=[correction, access], actor=officer, decision="approve")
    # Another account took the number meanwhile: the correction's own check refuses it.
    phones.user_phone_set(user=UserFactory(), phone="13912345678", verified=True)

    with translation.override("en"), pytest.raises(services.BatchNotAllowed) as refused:
        services.privacy_requests_confirm_batch(requests=[correction, access], actor=checker)

    assert [(p.reference, "already used by another account" in p.reason) for p in refused.value.problems] == [
        (correction.reference, True)
    ]
    for request in (correction, access):
        request.refresh_from_db()
        assert (request.state, request.proposed_action) == (RequestState.IDENTITY_VERIFIED, "complete")
    assert not ExportFile.objects.exists()


def test_one_request_of_an_approved_batch_is_confirmed_on_its_own_page(verified_client, officer, checker):
    complaint, access = _file(staff=officer, kind=RequestKind.COMPLAINT), _file(staff=officer)
    services.privacy_requests_propose_batch(
        requests=[complaint, access], actor=officer, decision="approve", explanation="We checked: all is in order."
    )
    client = verified_client(checker)
    page = client.get(reverse(CHANGE, args=[complaint.pk]))
    # The checker reads what the citizen will read before confirming it.
    assert "We checked: all is in order." in page.content.decode()
    assert "Confirm the proposal" in page.content.decode()

    client.post(reverse(ACTION, args=[complaint.pk, "confirm"]), {})

    complaint.refresh_from_db()
    access.refresh_from_db()
    assert (complaint.state, complaint.answer) == (RequestState.COMPLETED, "We checked: all is in order.")
    assert (access.state, access.proposed_action) == (RequestState.IDENTITY_VERIFIED, "complete")


def test_the_proposer_cannot_confirm_an_approval_on_the_request_page_either(verified_client, officer):
    access = _file(staff=officer)
    services.privacy_requests_propose_batch(requests=[access], actor=officer, decision="approve")

    verified_client(officer).post(reverse(ACTION, args=[access.pk, "confirm"]), {})

    access.refresh_from_db()
    assert (access.state, access.proposed_action) == (RequestState.IDENTITY_VERIFIED, "complete")


def test_a_rejected_approval_forgets_its_answer_and_the_request_can_be_completed_again(officer, checker):
    access = _file(staff=officer)
    services.privacy_requests_propose_batch(
        requests=[access], actor=officer, decision="approve", explanation="Attached."
    )

    services.privacy_request_reject_proposal(request=access, actor=checker, note="Wrong person")

    access.refresh_from_db()
    assert (access.proposed_action, access.proposed_answer, access.answer) == ("", "", "")
    assert access.events.filter(action="rejected_complete", actor=checker).count() == 1
    services.privacy_request_complete(request=access, actor=checker, answer="Here it is.")
    access.refresh_from_db()
    assert (access.state, access.answer) == (RequestState.COMPLETED, "Here it is.")


def test_a_request_withdrawn_while_its_approval_waits_drops_the_proposal(officer):
    access = _file(staff=officer)
    services.privacy_requests_propose_batch(requests=[access], actor=officer, decision="approve", explanation="x")

    services.privacy_request_withdraw(request=access, actor=access.requester)

    access.refresh_from_db()
    assert (access.state, access.proposed_action, access.proposed_answer) == (RequestState.WITHDRAWN, "", "")


def test_the_approval_form_proposes_and_the_confirm_page_shows_each_answer(verified_client, officer, checker):
    access, deletion = _file(staff=officer), _file(staff=officer, kind=RequestKind.DELETION)
    selected = [access.pk, deletion.pk]

    verified_client(officer).post(
        reverse(CHANGELIST),
        {
            "action": "propose_decision",
            "_selected_action": selected,
            "confirm_batch": "1",
            "decision": "approve",
            "explanation": "Handled today.",
        },
    )
    page = verified_client(checker).post(
        reverse(CHANGELIST), {"action": "confirm_proposals", "_selected_action": selected}
    )

    html = page.content.decode()
    assert html.count("Handled today.") == 2
    assert "Completion (officer_a)" in html and "Deletion (officer_a)" in html


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
