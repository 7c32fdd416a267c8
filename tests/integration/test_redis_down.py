"""Redis stops while people use the portal: their requests still succeed, and the mail follows later.

The work a request starts is a committed row (an outbox email, a fan-out);
publishing its task is only a hint. With the broker gone the hint is lost,
and the periodic scans, run once Redis is back, pick the rows up.
"""

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Audience, Incident
from incidents.services import incident_save
from incidents.tests.factories import notice_complete, notice_fields
from notifications.models import InboxMessage, OutboxEmail
from privacy_requests.models import PrivacyRequest, RequestState
from tests.factories import UserFactory, step_up_passed

from . import beat
from .processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
# Publishing gives up after one quick retry (CELERY_TASK_PUBLISH_RETRY_POLICY):
# a person must not wait on a broker that is not there.
PATIENCE_SECONDS = 5


def _all_delivered(broker):
    # Nothing queued and nothing taken but unfinished: no second copy can still arrive.
    wait_until(lambda: broker.undelivered() == (0, 0), timeout=30, message="tasks were still queued or running")


def test_a_request_filed_while_redis_is_down_is_confirmed_by_email_once_it_is_back(
    broker, smtp_sink, start_worker, verified_client
):
    from privacy_portal.celery import app

    citizen = UserFactory(language="en", username="filer_faults")
    client = verified_client(citizen)
    step_up_passed(citizen, client=client)

    broker.stop()
    started = time.monotonic()
    response = client.post(reverse("privacy_requests:new", args=["access"]), {"note": "everything you hold"}, **EN)
    took = time.monotonic() - started

    request = PrivacyRequest.objects.get(requester=citizen)
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy_requests:detail", args=[request.pk])
    assert took < PATIENCE_SECONDS
    assert request.state == RequestState.IDENTITY_VERIFIED and request.due_date
    assert client.get(response["Location"], **EN).status_code == 200
    confirmation = OutboxEmail.objects.get(recipient=citizen, kind="request_received")
    assert confirmation.state == OutboxEmail.State.PENDING and confirmation.attempts == 0

    broker.start()
    worker = start_worker()
    beat.outbox_scan_until_sent(
        app, OutboxEmail.objects.filter(pk=confirmation.pk), timeout=60, worker_log=worker.log_tail
    )
    _all_delivered(broker)

    assert smtp_sink.accepted() == {citizen.email.lower(): 1}
    confirmation.refresh_from_db()
    assert confirmation.state == OutboxEmail.State.SENT and confirmation.attempts == 1


def test_an_incident_notified_while_redis_is_down_reaches_everyone_once_it_is_back(
    broker, smtp_sink, start_worker, privacy_officer, verified_client
):
    from privacy_portal.celery import app

    people = [UserFactory(username=f"told{i}", language="en" if i % 2 else "zh-hans") for i in range(30)]
    incident = incident_save(
        incident=Incident(
            title_zh="短信平台数据泄露",
            title_en="SMS provider breach",
            description_zh="A supplier's message log was exposed.",
            **notice_fields(),
            discovered_at=timezone.now(),
            advice_zh="警惕冒充客服的短信。",
            advice_en="Beware of text messages that claim to be from us.",
            audience=Audience.IDS,
            audience_user_ids=[person.pk for person in people],
        ),
        actor=privacy_officer,
        created=True,
    )
    notice_complete(incident)
    client = verified_client(privacy_officer)

    broker.stop()
    started = time.monotonic()
    response = client.post(reverse("admin:incidents_incident_notify", args=[incident.pk]), {"banner_until": ""}, **EN)
    took = time.monotonic() - started

    change_page = reverse("admin:incidents_incident_change", args=[incident.pk])
    assert response.status_code == 302 and response["Location"] == change_page
    assert took < PATIENCE_SECONDS
    incident.refresh_from_db()
    assert incident.fan_out is not None and incident.fan_out.total == len(people)
    assert client.get(change_page, **EN).status_code == 200
    # Nobody has been told anything yet: the task that writes the messages never left.
    assert not InboxMessage.objects.filter(kind="security_incident").exists()
    assert not OutboxEmail.objects.filter(kind="security_incident").exists()

    broker.start()
    worker = start_worker()
    beat.fan_outs_resume(app, incident.fan_out_id)
    wait_until(
        lambda: Incident.objects.get(pk=incident.pk).fan_out.finished_at,
        timeout=60,
        message="the resumed fan-out did not finish writing",
        details=worker.log_tail,
    )
    # The scan may race the fan-out's own send tasks for the same rows; the row lock decides.
    beat.outbox_scan_until_sent(
        app, OutboxEmail.objects.filter(kind="security_incident"), timeout=60, worker_log=worker.log_tail
    )
    _all_delivered(broker)

    assert smtp_sink.accepted() == {person.email.lower(): 1 for person in people}
    inbox = InboxMessage.objects.filter(kind="security_incident")
    assert sorted(inbox.values_list("recipient_id", flat=True)) == sorted(person.pk for person in people)
