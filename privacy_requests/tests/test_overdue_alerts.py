"""Overdue alerts: the daily digest per staff member and language, and escalation once per overdue request."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import StaffRole
from audit.models import AuditEvent
from notifications.models import OutboxEmail
from privacy_requests import services
from privacy_requests.models import CalendarDay, PrivacyRequest, RequestChannel, RequestKind, RequestState
from privacy_requests.notification_kinds import STAFF_OVERDUE_DIGEST
from privacy_requests.overdue import selectors as overdue_selectors
from privacy_requests.overdue.services import privacy_requests_escalate_overdue, staff_overdue_digests_send
from privacy_requests.overdue.tasks import overdue_alerts_daily
from tests.factories import CitizenFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _file(*, by, assignee=None, due_in_days, kind=RequestKind.ACCESS, citizen=None):
    request = services.privacy_request_create(
        requester=citizen or CitizenFactory(),
        kind=kind,
        details={"text": "Please."},
        channel=RequestChannel.PHONE,
        identity_check_note="Security questions answered on the phone",
        filed_by=by,
    )
    if assignee is not None:
        services.privacy_request_assign(request=request, actor=by, assignee=assignee)
    # The clock cannot be run forward in a test; the due date is moved instead.
    PrivacyRequest.objects.filter(pk=request.pk).update(due_date=timezone.localdate() + timedelta(days=due_in_days))
    request.refresh_from_db()
    return request


@pytest.fixture
def agent_zh(groups):
    """A customer-service agent who reads in Chinese."""
    return StaffFactory(role=StaffRole.CUSTOMER_SERVICE, username="agent_zh", language="zh-hans")


@pytest.fixture
def queue(officer, checker, agent_zh):
    """Requests in every position the digest tells apart."""
    waiting = _file(by=officer, assignee=checker, due_in_days=-5)
    services.privacy_request_message(
        request=waiting, author=officer, body="Which account?", from_staff=True, waits_for_citizen=True
    )
    closed = _file(by=officer, assignee=agent_zh, due_in_days=-5, kind=RequestKind.COMPLAINT)
    services.privacy_request_complete(request=closed, actor=officer, answer="Answered.")
    return {
        "mine_overdue": _file(by=officer, assignee=agent_zh, due_in_days=-2),
        "mine_soon": _file(by=officer, assignee=agent_zh, due_in_days=0),
        "mine_later": _file(by=officer, assignee=agent_zh, due_in_days=40),
        "nobody_overdue": _file(by=officer, due_in_days=-1),
        "nobody_soon": _file(by=officer, due_in_days=0),
        "nobody_later": _file(by=officer, due_in_days=40),
        "waiting_for_citizen": waiting,
        "closed": closed,
    }


def _digest(user) -> OutboxEmail:
    return OutboxEmail.objects.get(kind=STAFF_OVERDUE_DIGEST, recipient=user)


def test_each_assignee_hears_of_their_overdue_and_due_soon_requests_in_their_language(queue, agent_zh):
    staff_overdue_digests_send(today=timezone.localdate())

    email = _digest(agent_zh)
    assert email.language == "zh-hans"
    assert "今日权利请求：1 项已逾期" in email.subject
    assert "分配给您的请求（已逾期，或 3 个工作日内到期）：" in email.body
    assert queue["mine_overdue"].reference in email.body
    assert f"{queue['mine_overdue'].reference}（查阅（获取我的数据副本））：已逾期，原定" in email.body
    assert queue["mine_soon"].reference in email.body
    assert f"/admin/privacy_requests/privacyrequest/{queue['mine_soon'].pk}/change/" in email.body
    for name in ("mine_later", "nobody_overdue", "nobody_soon", "waiting_for_citizen", "closed"):
        assert queue[name].reference not in email.body, name
    # Not a privacy officer: no officers' section.
    assert "供个人信息保护负责人处理" not in email.body


def test_privacy_officers_hear_of_every_overdue_request_and_the_unassigned_ones_due_soon(queue, officer, checker):
    staff_overdue_digests_send(today=timezone.localdate())

    for person in (officer, checker):
        email = _digest(person)
        assert email.language == "en"
        assert "For the privacy officers" in email.body
        assert "Assigned to you" not in email.body
        for name in ("mine_overdue", "nobody_overdue", "nobody_soon"):
            assert queue[name].reference in email.body, name
        for name in ("mine_soon", "mine_later", "nobody_later", "waiting_for_citizen", "closed"):
            assert queue[name].reference not in email.body, name
        assert "; assigned to agent_zh" in email.body and "; nobody assigned" in email.body
        assert "Rights requests today: 2 overdue" in email.subject


def test_staff_with_nothing_due_get_no_digest_and_nobody_gets_two_a_day(queue, agent_zh, officer, checker, auditor):
    today = timezone.localdate()

    assert staff_overdue_digests_send(today=today) == 3
    assert staff_overdue_digests_send(today=today) == 0

    recipients = OutboxEmail.objects.filter(kind=STAFF_OVERDUE_DIGEST).values_list("recipient", flat=True)
    assert sorted(recipients) == sorted([agent_zh.pk, officer.pk, checker.pk])


def test_the_digest_reads_the_queue_in_a_constant_number_of_queries(officer, agent_zh, django_assert_max_num_queries):
    today = timezone.localdate()
    for _ in range(3):
        _file(by=officer, assignee=agent_zh, due_in_days=-1)
    with django_assert_max_num_queries(4):
        few = overdue_selectors.digests_for(today=today, kind=STAFF_OVERDUE_DIGEST)
    for _ in range(12):
        _file(by=officer, assignee=agent_zh, due_in_days=-1)
        _file(by=officer, due_in_days=0)
    with django_assert_max_num_queries(4):
        many = overdue_selectors.digests_for(today=today, kind=STAFF_OVERDUE_DIGEST)
    assert len(few) == len(many) == 2  # the agent and the one privacy officer
    assert sum(len(d.assigned) for d in many) == 15


def test_an_overdue_request_escalates_once_audited_and_shown_to_staff_only(
    queue, verified_client, officer, django_capture_on_commit_callbacks
):
    today = timezone.localdate()

    assert privacy_requests_escalate_overdue(today=today) == 2
    assert privacy_requests_escalate_overdue(today=today) == 0

    escalated = set(PrivacyRequest.objects.filter(escalated_at__isnull=False).values_list("pk", flat=True))
    assert escalated == {queue["mine_overdue"].pk, queue["nobody_overdue"].pk}
    for pk in escalated:
        request = PrivacyRequest.objects.get(pk=pk)
        assert request.events.filter(action="escalated").count() == 1
        assert (
            AuditEvent.objects.filter(
                action="privacy_request.escalate_overdue", target_id=str(pk), actor__isnull=True
            ).count()
            == 1
        )
        # Escalation is the staff's business: the request's state and the citizen's inbox are untouched.
        assert request.state == RequestState.IDENTITY_VERIFIED

    request = queue["mine_overdue"]
    staff_page = verified_client(officer).get(
        reverse("admin:privacy_requests_privacyrequest_change", args=[request.pk])
    )
    html = staff_page.content.decode()
    assert "Overdue: escalated to the privacy officers on" in html
    assert "event-escalated" in html

    citizen_page = verified_client(request.requester).get(reverse("privacy_requests:detail", args=[request.pk]))
    assert citizen_page.status_code == 200
    assert "escalat" not in citizen_page.content.decode().lower()


def test_the_daily_task_escalates_but_sends_no_digest_on_a_holiday(queue):
    today = timezone.localdate()
    CalendarDay.objects.update_or_create(
        date=today, defaults={"kind": CalendarDay.Kind.HOLIDAY, "name_zh": "测试假日", "name_en": "Test holiday"}
    )

    assert overdue_alerts_daily() == 0

    assert not OutboxEmail.objects.filter(kind=STAFF_OVERDUE_DIGEST).exists()
    assert PrivacyRequest.objects.filter(escalated_at__isnull=False).count() == 2


def test_the_daily_task_is_in_the_beat_schedule():
    from privacy_portal.celery import app

    app.loader.import_default_modules()
    entries = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == overdue_alerts_daily.name]
    assert len(entries) == 1
    assert overdue_alerts_daily.name in app.tasks
