"""The fan-out: one email and one inbox message per person, in batches, resumable, sent over one connection."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from incidents import services
from notifications import fanout
from notifications.models import FanOutRecipient, InboxMessage, OutboxEmail
from notifications.selectors import fan_out_progress
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_people(db):
    get_user_model().objects.all().delete()
    return [UserFactory(language="en" if i % 2 else "zh-hans") for i in range(5)]


def _notify(incident, officer, **run):
    services.incident_notify(incident=incident, actor=officer)
    incident.refresh_from_db()
    return services.incident_fan_out_run(incident=incident, **run)


def test_one_email_and_one_inbox_message_per_person_in_their_language(
    five_people, make_incident, officer, django_capture_on_commit_callbacks
):
    incident = make_incident(audience="ids", audience_user_ids=[p.pk for p in five_people])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        told = _notify(incident, officer, batch_size=2)

    assert told == 5
    # One send task per batch of two over five people (2 + 2 + 1), plus the notify dispatch
    # (and the banner's process-table reload, which is no task).
    tasks = [callback for callback in callbacks if not hasattr(callback, "process_table")]
    assert len(tasks) == 1 + 3
    for person in five_people:
        inbox = InboxMessage.objects.get(recipient=person, kind="security_incident")
        email = OutboxEmail.objects.get(recipient=person, kind="security_incident")
        assert email.language == person.language
        if person.language == "en":
            assert "Please change your password." in inbox.body
            assert "Data leak" in email.subject
        else:
            assert "请修改密码。" in inbox.body
            assert "数据泄露" in email.subject
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in five_people)
    assert OutboxEmail.objects.filter(state=OutboxEmail.State.SENT).count() == 5


def test_each_batch_is_a_few_set_based_statements_whatever_its_size(five_people, make_incident, officer):
    """The rows are written by the database: no statement per person, no address passing through Python."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    incident = make_incident(audience="ids", audience_user_ids=[p.pk for p in five_people])
    services.incident_notify(incident=incident, actor=officer)
    incident.refresh_from_db()

    with CaptureQueriesContext(connection) as queries:
        assert services.incident_fan_out_run(incident=incident, batch_size=2) == 5

    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("WITH")]
    records = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
    # One statement writes a batch's inbox and outbox rows (three batches, and
    # a fourth that finds nobody left); one more records the batch's people.
    assert (len(writes), len(records)) == (4, 3)
    assert not any(person.email in q["sql"] for q in queries for person in five_people)
    assert InboxMessage.objects.filter(kind="security_incident").count() == 5
    assert FanOutRecipient.objects.filter(fan_out=incident.fan_out).count() == 5


def test_a_batch_is_sent_in_chunks_so_every_worker_process_takes_some(
    five_people, make_incident, officer, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications.tasks import outbox_send_batch

    monkeypatch.setattr(fanout, "SEND_CHUNK", 2)
    incident = make_incident(audience="ids", audience_user_ids=[p.pk for p in five_people])
    services.incident_notify(incident=incident, actor=officer)
    incident.refresh_from_db()
    sent_in = []
    monkeypatch.setattr(outbox_send_batch, "apply_async", lambda args: sent_in.append(args[0]))

    with django_capture_on_commit_callbacks(execute=True):
        services.incident_fan_out_run(incident=incident, batch_size=5)

    assert [len(chunk) for chunk in sent_in] == [2, 2, 1]
    all_ids = set(OutboxEmail.objects.filter(kind="security_incident").values_list("pk", flat=True))
    assert {i for chunk in sent_in for i in chunk} == all_ids


def test_progress_counts_queued_sent_and_failed(five_people, make_incident, officer):
    incident = make_incident(audience="ids", audience_user_ids=[p.pk for p in five_people])
    _notify(incident, officer, batch_size=2, max_batches=1)
    incident.refresh_from_db()

    progress = fan_out_progress(fan_out=incident.fan_out)
    assert (progress.total, progress.queued, progress.sent, progress.failed, progress.finished) == (5, 2, 0, 0, False)

    services.incident_fan_out_run(incident=incident, batch_size=2)
    emails = OutboxEmail.objects.filter(kind="security_incident").order_by("pk")
    OutboxEmail.objects.filter(pk=emails[0].pk).update(state=OutboxEmail.State.SENT)
    OutboxEmail.objects.filter(pk=emails[1].pk).update(state=OutboxEmail.State.FAILED)
    incident.fan_out.refresh_from_db()

    progress = fan_out_progress(fan_out=incident.fan_out)
    assert (progress.total, progress.queued, progress.sent, progress.failed, progress.finished) == (5, 5, 1, 1, True)


def test_rerun_after_a_crash_tells_nobody_twice(
    five_people, make_incident, officer, monkeypatch, django_capture_on_commit_callbacks
):
    incident = make_incident(audience="ids", audience_user_ids=[p.pk for p in five_people])
    services.incident_notify(incident=incident, actor=officer)
    incident.refresh_from_db()
    real = fanout.notify_set
    calls = []

    def dies_in_the_second_batch(**kwargs):
        calls.append(1)
        rows = real(**kwargs)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return rows

    monkeypatch.setattr(fanout, "notify_set", dies_in_the_second_batch)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.incident_fan_out_run(incident=incident, batch_size=2)
    # The first batch committed; the second rolled back whole.
    assert FanOutRecipient.objects.count() == 2
    assert InboxMessage.objects.filter(kind="security_incident").count() == 2

    monkeypatch.setattr(fanout, "notify_set", real)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_notify(incident=incident, actor=officer)  # "notify" again resumes
        services.incident_fan_out_run(incident=incident, batch_size=2)
        services.incident_fan_out_run(incident=incident, batch_size=2)  # and a stray third run does nothing

    for person in five_people:
        assert InboxMessage.objects.filter(recipient=person, kind="security_incident").count() == 1
        assert OutboxEmail.objects.filter(recipient=person, kind="security_incident").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in five_people)


def test_half_run_then_rerun_sends_each_person_once(
    five_people, make_incident, officer, django_capture_on_commit_callbacks
):
    incident = make_incident(audience="ids", audience_user_ids=[p.pk for p in five_people])
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(incident, officer, batch_size=2, max_batches=1) == 2
        incident.refresh_from_db()
        assert services.incident_fan_out_run(incident=incident, batch_size=2) == 3

    assert len(mail.outbox) == 5
    assert OutboxEmail.objects.filter(kind="security_incident").count() == 5


def test_a_person_without_email_still_gets_the_inbox_message(make_incident, officer):
    person = UserFactory(email="")
    incident = make_incident(audience="ids", audience_user_ids=[person.pk])

    _notify(incident, officer)

    assert InboxMessage.objects.filter(recipient=person, kind="security_incident").exists()
    assert not OutboxEmail.objects.filter(recipient=person).exists()
    assert FanOutRecipient.objects.get(user=person).outbox_email is None


def test_batch_send_uses_one_connection_and_skips_what_is_sent(five_people, make_incident, officer, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    from notifications.tasks import outbox_send_batch

    incident = make_incident(audience="ids", audience_user_ids=[p.pk for p in five_people])
    _notify(incident, officer)
    ids = list(OutboxEmail.objects.filter(kind="security_incident").values_list("pk", flat=True))
    opened = []
    monkeypatch.setattr(EmailBackend, "open", lambda self: opened.append(self) or False, raising=False)

    assert outbox_send_batch(ids) == 5
    assert outbox_send_batch(ids) == 0  # a duplicate delivery of the task sends nothing

    assert len(mail.outbox) == 5
    assert len({id(conn) for conn in opened}) == 1  # every message over the first call's connection
    assert all(m.extra_headers["Message-ID"].startswith("<outbox-") for m in mail.outbox)


def test_beat_resumes_a_fan_out_whose_worker_died(five_people, make_incident, officer):
    from datetime import timedelta

    from django.utils import timezone

    from incidents.tasks import incident_fan_outs_resume
    from notifications.models import FanOut

    incident = make_incident(audience="ids", audience_user_ids=[p.pk for p in five_people])
    _notify(incident, officer, batch_size=2, max_batches=1)
    incident.refresh_from_db()
    assert incident_fan_outs_resume() == 0  # still fresh: its worker may be busy

    FanOut.objects.filter(pk=incident.fan_out_id).update(updated_at=timezone.now() - timedelta(minutes=10))
    assert incident_fan_outs_resume() == 1  # eager in tests: runs to the end

    incident.fan_out.refresh_from_db()
    assert incident.fan_out.finished_at is not None
    assert FanOutRecipient.objects.filter(fan_out=incident.fan_out).count() == 5
    assert OutboxEmail.objects.filter(kind="security_incident").count() == 5


def test_the_fan_out_is_generic_any_queryset_and_kind(five_people):
    """What policy announcements reuse: a recipients queryset, a kind, a context."""
    people = get_user_model().objects.filter(pk__in=[p.pk for p in five_people[:3]])
    run = fanout.fan_out_start(key="test:cancelled", kind="account_cancelled", recipients=people)

    assert fanout.fan_out_run(fan_out=run, recipients=people, batch_size=2) == 3
    assert fanout.fan_out_run(fan_out=run, recipients=people, batch_size=2) == 0

    for person in five_people[:3]:
        assert OutboxEmail.objects.filter(recipient=person, kind="account_cancelled").count() == 1
    assert not OutboxEmail.objects.filter(recipient__in=five_people[3:]).exists()


def test_staff_who_see_incidents_see_every_fan_out_and_its_progress(
    five_people, make_incident, officer, auditor, verified_client
):
    incident = make_incident(audience="ids", audience_user_ids=[p.pk for p in five_people])
    _notify(incident, officer, batch_size=2, max_batches=1)
    policy_run = fanout.fan_out_start(
        key="policy:99", kind="policy_changed", recipients=get_user_model().objects.filter(pk=five_people[0].pk)
    )

    page = verified_client(auditor).get("/admin/notifications/fanout/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"incident:{incident.pk}" in page and "2 of 5 queued, 0 emails sent, 0 failed" in page
    assert "policy:99" in page and "0 of 1 queued" in page
    change = verified_client(officer).get(f"/admin/notifications/fanout/{policy_run.pk}/change/")
    assert change.status_code == 200 and 'name="key"' not in change.content.decode()  # read-only


def test_citizens_cannot_see_fan_outs_in_admin(five_people, verified_client):
    assert verified_client(five_people[0]).get("/admin/notifications/fanout/").status_code == 302
