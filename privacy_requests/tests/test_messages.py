"""Messages on a request and the notifications every step sends (inbox + email through the outbox)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import InboxMessage, OutboxEmail
from privacy_requests import services
from privacy_requests.models import PrivacyRequest, RequestKind
from privacy_requests.services import TransitionNotAllowed
from privacy_requests.tasks import privacy_requests_lapse_stale_task
from tests.factories import UserFactory, step_up_passed

pytestmark = pytest.mark.django_db


def _file(user, kind=RequestKind.ACCESS, verified=True):
    check = step_up_passed(user) if verified else None
    return services.privacy_request_create(requester=user, kind=kind, details={}, identity_check=check)


def _inbox(user, kind):
    return list(InboxMessage.objects.filter(recipient=user, kind=kind).order_by("id"))


def test_received_notice_gives_reference_due_date_and_link(citizen):
    request = _file(citizen)
    [message] = _inbox(citizen, "request_received")
    assert request.reference in message.subject
    assert f"/requests/{request.pk}/" in message.body
    assert "12345" in message.body
    assert OutboxEmail.objects.filter(recipient=citizen, kind="request_received").count() == 1


def test_email_leaves_only_after_commit(citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = _file(citizen)
    assert [m for m in mail.outbox if request.reference in m.subject]


@pytest.mark.parametrize(
    ("steps", "expected_states"),
    [
        (["start_review", "complete"], ["in_review", "completed"]),
        (["start_review", "refuse"], ["in_review", "refused"]),
        (["withdraw"], ["withdrawn"]),
    ],
)
def test_every_state_change_notifies_the_citizen(steps, expected_states, citizen, staff, checker):
    request = _file(citizen)
    for step in steps:
        if step == "start_review":
            services.privacy_request_start_review(request=request, actor=staff)
        elif step == "complete":
            services.privacy_request_complete(request=request, actor=staff, answer="All sent.")
        elif step == "refuse":
            services.privacy_request_propose(
                request=request, actor=staff, action="refuse", reason_code="others_rights", explanation="Third party"
            )
            services.privacy_request_confirm(request=request, actor=checker)
        elif step == "withdraw":
            services.privacy_request_withdraw(request=request, actor=citizen)
    changes = _inbox(citizen, "request_status_changed")
    assert len(changes) == len(expected_states)
    labels = {"in_review": "In review", "completed": "Completed", "refused": "Refused", "withdrawn": "Withdrawn"}
    for message, state in zip(changes, expected_states, strict=True):
        assert labels[state] in message.subject
    if "refused" in expected_states:
        assert "Third party" in changes[-1].body and "12345" in changes[-1].body


def test_internal_steps_do_not_notify_the_citizen(citizen, staff, checker):
    request = _file(citizen)
    before = InboxMessage.objects.filter(recipient=citizen).count()
    services.privacy_request_assign(request=request, actor=staff, assignee=checker)
    services.privacy_request_propose(
        request=request, actor=staff, action="refuse", reason_code="other", explanation="x"
    )
    services.privacy_request_reject_proposal(request=request, actor=checker)
    assert InboxMessage.objects.filter(recipient=citizen).count() == before


def test_extension_notifies_with_the_reason_and_new_date(citizen, staff):
    request = _file(citizen)
    services.privacy_request_extend(request=request, actor=staff, working_days=10, reason="Archive lookup")
    [message] = _inbox(citizen, "request_extended")
    assert "Archive lookup" in message.body


def test_lapse_notifies_and_runs_as_a_task(citizen):
    request = _file(citizen, verified=False)
    PrivacyRequest.objects.filter(pk=request.pk).update(received_at=timezone.now() - timedelta(days=8))
    assert privacy_requests_lapse_stale_task() == 1
    assert privacy_requests_lapse_stale_task() == 0
    [message] = _inbox(citizen, "request_status_changed")
    assert "7 days" in message.body


def test_staff_question_pauses_and_notifies_citizen_reply_resumes_and_notifies_staff(citizen, staff):
    request = _file(citizen)
    services.privacy_request_start_review(request=request, actor=staff)  # assigns the reviewer
    services.privacy_request_message(
        request=request, author=staff, body="Which account number?", from_staff=True, waits_for_citizen=True
    )
    request.refresh_from_db()
    assert request.paused_since is not None
    [notice] = _inbox(citizen, "request_message")
    assert "paused" in notice.body
    assert "Which account number?" not in notice.body  # read in the portal, behind sign-in
    services.privacy_request_message(request=request, author=citizen, body="The second one", from_staff=False)
    request.refresh_from_db()
    assert request.paused_since is None
    assert len(_inbox(staff, "request_citizen_replied")) == 1
    assert [m.from_staff for m in request.messages.all()] == [True, False]


def test_a_second_staff_question_while_paused_keeps_the_first_pause(citizen, staff):
    request = _file(citizen)
    services.privacy_request_message(request=request, author=staff, body="Q1", from_staff=True, waits_for_citizen=True)
    request.refresh_from_db()
    since = request.paused_since
    services.privacy_request_message(request=request, author=staff, body="Q2", from_staff=True, waits_for_citizen=True)
    request.refresh_from_db()
    assert request.paused_since == since


def test_message_rules(citizen, staff):
    request = _file(citizen)
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_message(request=request, author=citizen, body="   ", from_staff=False)
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_message(request=request, author=UserFactory(), body="hi", from_staff=False)
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_message(request=request, author=citizen, body="hi", from_staff=True)
    services.privacy_request_withdraw(request=request, actor=citizen)
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_message(request=request, author=citizen, body="hi", from_staff=False)


def test_message_bodies_are_stored_encrypted(citizen):
    from django.db import connection

    request = _file(citizen)
    message = services.privacy_request_message(request=request, author=citizen, body="secret text", from_staff=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM privacy_requests_requestmessage WHERE id = %s", [message.pk])
        assert "secret text" not in cursor.fetchone()[0]


def test_anonymous_complainant_gets_staff_messages_by_email(staff):
    request = services.privacy_request_create(
        requester=None,
        kind=RequestKind.COMPLAINT,
        details={"subject": "s", "message": "m"},
        contact_email="anon@example.cn",
    )
    services.privacy_request_message(request=request, author=staff, body="Which office?", from_staff=True)
    emails = OutboxEmail.objects.filter(to_address="anon@example.cn")
    assert {e.kind for e in emails} == {"request_received", "request_message"}
    assert any("Which office?" in e.body for e in emails)
