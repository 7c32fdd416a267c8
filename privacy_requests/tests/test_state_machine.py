"""The transition table, enforced by the services: every allowed and every forbidden step."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import InboxMessage
from privacy_requests import fulfilment, selectors, services
from privacy_requests.models import PrivacyRequest, RequestEvent, RequestKind, RequestOutcome, RequestState
from privacy_requests.services import DuplicateRequest, TransitionNotAllowed
from privacy_requests.state_machine import TRANSITIONS, all_pairs
from tests.factories import UserFactory, step_up_passed

pytestmark = pytest.mark.django_db
S = RequestState


def _filed(user, kind=RequestKind.ACCESS, *, verified=True):
    return services.privacy_request_create(
        requester=user, kind=kind, details={}, identity_check=step_up_passed(user) if verified else None
    )


def _in_state(state, citizen, staff, checker, kind=RequestKind.ACCESS):
    """A request brought to ``state`` through the real services."""
    if state == S.SUBMITTED:
        return _filed(citizen, kind, verified=False)
    if state == S.LAPSED:
        request = _filed(citizen, kind, verified=False)
        PrivacyRequest.objects.filter(pk=request.pk).update(received_at=timezone.now() - timedelta(days=8))
        services.privacy_requests_lapse_stale()
        request.refresh_from_db()
        return request
    request = _filed(citizen, kind)
    if state == S.IDENTITY_VERIFIED:
        return request
    if state == S.WITHDRAWN:
        return services.privacy_request_withdraw(request=request, actor=citizen)
    services.privacy_request_start_review(request=request, actor=staff)
    if state == S.IN_REVIEW:
        return request
    if state == S.COMPLETED:
        return services.privacy_request_complete(request=request, actor=staff, answer="done")
    services.privacy_request_propose(
        request=request, actor=staff, action="refuse", reason_code="manifestly_unfounded", explanation="x"
    )
    return services.privacy_request_confirm(request=request, actor=checker)


def _do(action, request, citizen, staff, checker):
    """Attempt ``action`` through the services (refusal goes through propose + confirm)."""
    if action == "verify":
        return services.privacy_request_verify(request=request, actor=staff, identity_check_note="called back")
    if action == "start_review":
        return services.privacy_request_start_review(request=request, actor=staff)
    if action == "complete":
        return services.privacy_request_complete(request=request, actor=staff)
    if action == "refuse":
        services.privacy_request_propose(
            request=request, actor=staff, action="refuse", reason_code="other", explanation="because"
        )
        return services.privacy_request_confirm(request=request, actor=checker)
    if action == "withdraw":
        return services.privacy_request_withdraw(request=request, actor=citizen)
    if action == "lapse":
        PrivacyRequest.objects.filter(pk=request.pk).update(received_at=timezone.now() - timedelta(days=8))
        count = services.privacy_requests_lapse_stale()
        request.refresh_from_db()
        if count == 0:
            raise TransitionNotAllowed("nothing lapsed")
        return request
    raise AssertionError(action)


ALLOWED = [(action, src, dst) for action, src, dst in all_pairs() if dst is not None]
FORBIDDEN = [(action, src) for action, src, dst in all_pairs() if dst is None]


@pytest.mark.parametrize(("action", "from_state", "to_state"), ALLOWED)
def test_every_allowed_transition(action, from_state, to_state, citizen, staff, checker):
    request = _in_state(from_state, citizen, staff, checker)
    assert request.state == from_state
    _do(action, request, citizen, staff, checker)
    request.refresh_from_db()
    assert request.state == to_state
    event = request.events.filter(to_state=to_state).last()
    assert event.from_state == from_state and event.action == action
    assert AuditEvent.objects.filter(action=f"privacy_request.{action}", target_id=str(request.pk)).exists()


@pytest.mark.parametrize(("action", "from_state"), FORBIDDEN)
def test_every_forbidden_transition(action, from_state, citizen, staff, checker):
    request = _in_state(from_state, citizen, staff, checker)
    events = RequestEvent.objects.filter(request=request).count()
    with pytest.raises(TransitionNotAllowed):
        _do(action, request, citizen, staff, checker)
    request.refresh_from_db()
    assert request.state == from_state
    if action != "refuse":  # a proposal may be recorded before the confirm is refused
        assert RequestEvent.objects.filter(request=request).count() == events


def test_the_table_covers_each_state_and_closed_states_lead_nowhere():
    assert set(TRANSITIONS) == {"verify", "start_review", "complete", "refuse", "withdraw", "lapse"}
    for closed in (S.COMPLETED, S.REFUSED, S.WITHDRAWN, S.LAPSED):
        assert all(closed not in table for table in TRANSITIONS.values())


def test_reference_comes_from_the_row_id(citizen):
    request = _filed(citizen)
    year = timezone.localdate(request.received_at).year
    assert request.reference == f"PR-{year}-{request.pk:06d}"


def test_request_with_step_up_check_is_verified_at_once_and_records_the_check(citizen):
    check = step_up_passed(citizen)
    request = services.privacy_request_create(
        requester=citizen, kind=RequestKind.ACCESS, details={}, identity_check=check
    )
    assert request.state == S.IDENTITY_VERIFIED and request.identity_check == check
    assert request.verified_at and request.due_date
    assert [e.action for e in request.events.all()] == ["submitted", "verify"]


def test_staff_entered_request_with_identity_note_is_verified(citizen, staff):
    request = services.privacy_request_create(
        requester=citizen,
        kind=RequestKind.CANCELLATION,
        details={},
        channel="phone",
        filed_by=staff,
        identity_check_note="asked security questions by phone",
    )
    assert request.state == S.IDENTITY_VERIFIED and request.filed_by == staff


def test_duplicate_open_request_of_the_same_kind_is_refused_with_the_open_one(citizen):
    first = _filed(citizen)
    with pytest.raises(DuplicateRequest) as excinfo:
        _filed(citizen)
    assert excinfo.value.open_request == first
    assert first.reference in str(excinfo.value)
    # Another kind is fine, and so is the same kind once the first is closed.
    _filed(citizen, RequestKind.EXPORT)
    services.privacy_request_withdraw(request=first, actor=citizen)
    assert _filed(citizen).state == S.IDENTITY_VERIFIED


def test_lapse_after_seven_days_only(citizen):
    fresh = _filed(citizen, verified=False)
    old = _filed(citizen, RequestKind.EXPORT, verified=False)
    PrivacyRequest.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=7, minutes=1))
    PrivacyRequest.objects.filter(pk=fresh.pk).update(received_at=timezone.now() - timedelta(days=6, hours=23))
    assert services.privacy_requests_lapse_stale() == 1
    assert services.privacy_requests_lapse_stale() == 0  # idempotent
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.state == S.LAPSED and old.closed_at
    assert fresh.state == S.SUBMITTED


def test_anonymous_complaint_does_not_lapse_and_has_a_due_date():
    request = services.privacy_request_create(
        requester=None, kind=RequestKind.COMPLAINT, details={"text": "hi"}, contact_email="anon@example.cn"
    )
    PrivacyRequest.objects.filter(pk=request.pk).update(received_at=timezone.now() - timedelta(days=30))
    assert services.privacy_requests_lapse_stale() == 0
    assert request.due_date is not None


def test_maker_checker_refusal_needs_a_second_staff_member(citizen, staff, checker):
    request = _filed(citizen)
    services.privacy_request_propose(
        request=request, actor=staff, action="refuse", reason_code="others_rights", explanation="names others"
    )
    assert request.state == S.IDENTITY_VERIFIED  # nothing happens yet
    assert "confirm" not in selectors.allowed_actions(request=request, actor=staff)
    assert "confirm" in selectors.allowed_actions(request=request, actor=checker)
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_confirm(request=request, actor=staff)
    services.privacy_request_confirm(request=request, actor=checker)
    request.refresh_from_db()
    assert request.state == S.REFUSED
    assert request.refusal_reason == "others_rights" and request.refusal_explanation == "names others"


def test_refusal_needs_a_reason_and_an_explanation(citizen, staff):
    request = _filed(citizen)
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_propose(request=request, actor=staff, action="refuse", explanation="x")
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_propose(request=request, actor=staff, action="refuse", reason_code="other")


def _handler_replaced(monkeypatch, kind, handler) -> None:
    monkeypatch.setitem(fulfilment.FULFILMENT_HANDLERS._entries, kind, [handler])


def test_deletion_only_through_propose_and_confirm(monkeypatch, citizen, staff, checker):
    calls = []
    _handler_replaced(monkeypatch, RequestKind.DELETION, lambda *, request, actor: calls.append((request.pk, actor)))
    request = _filed(citizen, RequestKind.DELETION)
    services.privacy_request_start_review(request=request, actor=staff)
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_complete(request=request, actor=staff)
    services.privacy_request_propose(request=request, actor=staff, action="delete")
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_confirm(request=request, actor=staff)
    assert calls == []
    services.privacy_request_confirm(request=request, actor=checker)
    request.refresh_from_db()
    assert request.state == S.COMPLETED and calls == [(request.pk, checker)]


def test_rejected_proposal_leaves_the_request_open(citizen, staff, checker):
    request = _filed(citizen)
    services.privacy_request_propose(
        request=request, actor=staff, action="refuse", reason_code="other", explanation="x"
    )
    services.privacy_request_reject_proposal(request=request, actor=checker, note="not convinced")
    request.refresh_from_db()
    assert request.proposed_action == "" and request.refusal_reason == ""
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_confirm(request=request, actor=checker)


def test_complete_calls_fulfilment_first_and_records_outcomes(monkeypatch, citizen, staff):
    seen = []
    _handler_replaced(monkeypatch, RequestKind.ACCESS, lambda *, request, actor: seen.append(request.state))
    request = _filed(citizen)
    services.privacy_request_start_review(request=request, actor=staff)
    services.privacy_request_complete(
        request=request,
        actor=staff,
        answer="here it is",
        outcomes=[("profile", "provided", ""), ("disclosures", "withheld", "Criminal Procedure Law art. 54")],
    )
    assert seen == [S.IN_REVIEW]  # ran before the request closed
    outcome = RequestOutcome.objects.get(request=request, category="disclosures")
    assert outcome.result == "withheld" and "art. 54" in outcome.legal_reason


def test_failing_fulfilment_leaves_the_request_open(monkeypatch, citizen, staff):
    def boom(*, request, actor):
        raise RuntimeError("disk full")

    _handler_replaced(monkeypatch, RequestKind.ACCESS, boom)
    request = _filed(citizen)
    with pytest.raises(RuntimeError):
        services.privacy_request_complete(request=request, actor=staff)
    request.refresh_from_db()
    assert request.state == S.IDENTITY_VERIFIED


def test_staff_steps_need_a_staff_member(citizen):
    request = _filed(citizen)
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_start_review(request=request, actor=citizen)
    other = UserFactory()
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_withdraw(request=request, actor=other)


def test_each_transition_notifies_the_citizen(citizen, staff):
    request = _filed(citizen)
    assert InboxMessage.objects.filter(recipient=citizen, kind="request_received").count() == 1
    services.privacy_request_start_review(request=request, actor=staff)
    services.privacy_request_complete(request=request, actor=staff, answer="Our answer text")
    changes = InboxMessage.objects.filter(recipient=citizen, kind="request_status_changed").order_by("id")
    assert changes.count() == 2
    assert request.reference in changes.last().subject
    assert "Our answer text" in changes.last().body


def test_allowed_actions_follow_the_table(citizen, staff):
    request = _filed(citizen, verified=False)
    assert selectors.allowed_actions(request=request)[:1] == ["verify"]
    services.privacy_request_verify(request=request, actor=staff, identity_check_note="phone")
    assert "start_review" in selectors.allowed_actions(request=request)
    services.privacy_request_withdraw(request=request, actor=citizen)
    assert selectors.allowed_actions(request=request) == []


def test_only_deletions_can_be_proposed_for_deletion_and_only_withdrawals_complete_by_themselves(citizen, staff):
    request = _filed(citizen)
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_propose(request=request, actor=staff, action="delete")
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_complete(request=request, actor=None)
    deletion = _filed(citizen, RequestKind.DELETION)
    actions = selectors.allowed_actions(request=deletion)
    assert "propose_delete" in actions and "complete" not in actions


def test_a_pending_proposal_blocks_other_steps_until_decided(citizen, staff, checker):
    request = _filed(citizen)
    services.privacy_request_propose(
        request=request, actor=staff, action="refuse", reason_code="other", explanation="x"
    )
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_complete(request=request, actor=checker)
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_propose(
            request=request, actor=checker, action="refuse", reason_code="other", explanation="y"
        )
    # The citizen can still withdraw; the proposal goes with it.
    services.privacy_request_withdraw(request=request, actor=citizen)
    request.refresh_from_db()
    assert request.state == S.WITHDRAWN and request.proposed_action == ""


def test_every_kind_has_its_fulfilment_handler_once_django_is_set_up():
    # Registered by autodiscovery at start-up, not on the first completion.
    assert set(fulfilment.FULFILMENT_HANDLERS.keys()) == set(RequestKind.values)
