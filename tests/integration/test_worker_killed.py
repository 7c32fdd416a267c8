"""SIGKILL the worker in the middle of a retention sweep and of an incident fan-out, then restart it.

To make the kill land at a known point rather than "probably mid-way", each
test holds one row lock from a connection of its own, as a slow transaction
elsewhere in the portal might: the worker commits the batches before that
row and then waits in the batch that needs it, with work done behind it and
work still to do ahead. The fan-out test also has the mail server leave one
message unanswered, so that a send is in flight when the worker dies.
"""

import inspect
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import LoginActivity
from incidents.models import Audience, Incident
from incidents.services import incident_fan_out_run, incident_notify, incident_save
from incidents.tests.factories import notice_complete, notice_fields
from notifications.models import InboxMessage, OutboxEmail
from personal_data.services import legal_hold_place
from retention import sweep
from retention.models import RetentionRule, SweepReport

from . import beat
from .processes import other_sessions, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HOLD_REASON = "Court order, civil case 2026-17"


def _seed_sign_ins(user, *, days_ago: int, count: int) -> None:
    """``count`` sign-in records of ``user``, one second apart, ending ``days_ago`` days ago: one INSERT."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LoginActivity._meta.db_table} (user_id, created_at, ip_prefix, user_agent, method) "  # noqa: S608 - table name from the model
            "SELECT %s, now() - make_interval(days => %s) - g * interval '1 second', "
            "'192.0.2.0/24', 'fault test', 'password' "
            "FROM generate_series(1, %s) AS g",
            [user.pk, days_ago, count],
        )


def _lock_row(locker, table: str, pk: int) -> None:
    """Hold a row lock from another session, as a slow transaction elsewhere in the portal would."""
    locker.set_autocommit(False)
    with locker.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [pk])  # noqa: S608 - table name from the model


def _release(locker) -> None:
    if locker.connection is not None:
        locker.rollback()
    locker.close()


def _dead_sessions_gone() -> None:
    # A killed worker's session ends when PostgreSQL notices the closed socket;
    # until then it still holds its locks (the sweep's advisory lock among them).
    wait_until(lambda: other_sessions(connection) == 0, timeout=20, message="the killed worker's sessions linger")


def test_a_sweep_killed_mid_batch_is_finished_by_the_next_run(broker, start_worker, privacy_officer):
    from privacy_portal.celery import app

    rule = RetentionRule.objects.get(code="sign_in_activity")
    batch = sweep.BATCH_SIZE
    people = [get_user_model().objects.create(username=f"swept{i}", email=f"swept{i}@example.cn") for i in range(6)]
    held_person, held_in_category, unheld = people[0], people[1], people[2:]
    for person in unheld:
        _seed_sign_ins(person, days_ago=rule.period_days + 10, count=6 * batch // len(unheld))
    for person in (held_person, held_in_category):
        _seed_sign_ins(person, days_ago=rule.period_days + 10, count=batch // 4)
    for person in people:
        _seed_sign_ins(person, days_ago=1, count=200)
    review = timezone.localdate() + timedelta(days=30)
    legal_hold_place(actor=privacy_officer, reason=HOLD_REASON, review_date=review, user=held_person)
    legal_hold_place(
        actor=privacy_officer, reason=HOLD_REASON, review_date=review, user=held_in_category, category=rule.category
    )

    cutoff = timezone.now() - timedelta(days=rule.period_days)
    held_ids = set(LoginActivity.objects.filter(user__in=[held_person, held_in_category]).values_list("pk", flat=True))
    unexpired_ids = set(LoginActivity.objects.filter(created_at__gt=cutoff).values_list("pk", flat=True))
    held_expired = LoginActivity.objects.filter(pk__in=held_ids, created_at__lte=cutoff).count()
    expired_unheld = LoginActivity.objects.filter(created_at__lte=cutoff).exclude(pk__in=held_ids)
    total = expired_unheld.count()
    # The sweep takes rows in id order, a batch at a time: this row is in the third batch.
    in_third_batch = expired_unheld.order_by("pk").values_list("pk", flat=True)[2 * batch + batch // 2]

    locker = connections.create_connection("default")
    try:
        _lock_row(locker, LoginActivity._meta.db_table, in_third_batch)
        worker = start_worker()
        app.send_task(beat.SWEEP)
        wait_until(
            lambda: expired_unheld.count() < total and other_sessions(connection, waiting_on_a_lock=True),
            timeout=30,
            message="the sweep never deleted a batch and then waited on the locked row",
        )
        worker.kill()
    finally:
        _release(locker)
    _dead_sessions_gone()

    # Whether the batch in flight rolled back or committed on its own once the
    # lock went, the batches before it are gone and the ones after it are not.
    remaining = expired_unheld.count()
    assert 0 < remaining < total, "the kill did not land mid-sweep"
    assert not SweepReport.objects.filter(finished_at__isnull=False).exists(), "the killed run reported completion"
    killed_runs = list(SweepReport.objects.values_list("pk", flat=True))

    # The next run (the nightly beat, or an officer's manual run) gets the lock the dead session held.
    start_worker()
    app.send_task(beat.SWEEP)
    report = wait_until(
        lambda: SweepReport.objects.exclude(pk__in=killed_runs).filter(finished_at__isnull=False).first(),
        timeout=60,
        message="the second sweep did not complete",
    )

    assert not expired_unheld.exists()
    assert set(LoginActivity.objects.values_list("pk", flat=True)) == held_ids | unexpired_ids
    line = report.lines.get(rule_code=rule.code)
    assert (line.rows_deleted, line.rows_held) == (remaining, held_expired)


def _fan_out_batch_size() -> int:
    # What the worker's task writes per transaction (the service's default):
    # the audience is sized to need three batches whatever it is tuned to.
    return inspect.signature(incident_fan_out_run).parameters["batch_size"].default


# About this many of the affected people have an email address; the others
# (accounts made through WeChat, say) get the inbox message only. That keeps
# an audience of several whole batches affordable to send in a test.
EMAILED = 300


def _affected_people(count: int, *, email_every: int) -> list:
    users = []
    for i in range(count):
        user = get_user_model()(
            username=f"affected{i}",
            email=f"affected{i}@faults.example.cn" if i % email_every == 0 else "",
            language="en" if i % 2 else "zh-hans",
        )
        user.set_unusable_password()
        users.append(user)
    return get_user_model().objects.bulk_create(users)


def test_a_fan_out_killed_while_sending_and_writing_tells_everyone_once(
    broker, smtp_sink, start_worker, privacy_officer
):
    from privacy_portal.celery import app

    batch = _fan_out_batch_size()
    audience = 2 * batch + batch // 10
    people = _affected_people(audience, email_every=max(1, audience // EMAILED))
    addresses = {person.email.lower() for person in people if person.email}
    emailed_in_first_batch = sum(1 for person in people[:batch] if person.email)
    incident = incident_save(
        incident=Incident(
            title_zh="账号数据泄露",
            title_en="Account data exposed",
            description_zh="A backup copy was readable from outside for two hours.",
            **notice_fields(),
            discovered_at=timezone.now(),
            advice_zh="请修改密码。",
            advice_en="Please change your password.",
            audience=Audience.IDS,
            audience_user_ids=[person.pk for person in people],
        ),
        actor=privacy_officer,
        created=True,
    )
    notice_complete(incident)
    # The sink never answers this message, halfway through the first batch's emails.
    held_arrival = emailed_in_first_batch // 2
    smtp_sink.hold_message(held_arrival)

    locker = connections.create_connection("default")
    try:
        # Writing to a person takes a key-share lock on their account row (the
        # foreign key), so the second batch cannot commit while this is held.
        _lock_row(locker, get_user_model()._meta.db_table, people[batch + 1].pk)
        worker = start_worker()
        with transaction.atomic():
            incident_notify(incident=incident, actor=privacy_officer)
        wait_until(
            lambda: smtp_sink.holding.is_set() and other_sessions(connection, waiting_on_a_lock=True),
            timeout=30,
            message="the fan-out never had a message in flight while a batch was still being written",
            details=lambda: (
                f"accepted {smtp_sink.accepted_total()}, outbox rows {OutboxEmail.objects.count()}, "
                f"waiting on a lock {other_sessions(connection, waiting_on_a_lock=True)}\n{worker.log_tail()}"
            ),
        )
        accepted_before_kill = smtp_sink.accepted()
        worker.kill()
    finally:
        _release(locker)
    _dead_sessions_gone()

    # Killed before the server accepted the held message, with people still to
    # be written to. The second batch may yet commit once the lock goes (its
    # COMMIT was on its way when the worker died: the foreign-key check that
    # waited is deferred to commit); the third had not started.
    held_address = smtp_sink.held_recipients[0]
    assert held_address not in accepted_before_kill
    assert sum(accepted_before_kill.values()) >= held_arrival - 1
    assert set(accepted_before_kill.values()) == {1}
    incident.refresh_from_db()
    assert incident.fan_out.finished_at is None
    assert batch <= InboxMessage.objects.filter(kind="security_incident").count() <= 2 * batch
    _, unacked_by_the_dead = broker.undelivered()

    # Restart, and let beat find the abandoned fan-out and the emails whose send task died.
    start_worker()
    beat.fan_outs_resume(app, incident.fan_out_id)
    wait_until(
        lambda: Incident.objects.get(pk=incident.pk).fan_out.finished_at,
        timeout=30,
        message="the resumed fan-out did not finish writing",
    )
    beat.outbox_scan_until_sent(app, OutboxEmail.objects.filter(kind="security_incident"), timeout=60)
    wait_until(
        lambda: set(smtp_sink.accepted()) == addresses,
        timeout=30,
        message="not everyone's email reached the mail server",
    )
    wait_until(
        lambda: broker.undelivered() == (0, unacked_by_the_dead),
        timeout=30,
        message="tasks were still queued or running",
    )

    # Exactly once, counted where it matters: at the mail server and in the inbox.
    # The one window this test does not cover, and cannot: a kill after the
    # server answered "250" for a message but before the worker committed the
    # row as sent. The row then rolls back to pending and is sent again, with
    # the same Message-ID (outbox-<row id>@...), which lets mail systems drop
    # the duplicate; the sink here never answers the message it holds, so the
    # kill always lands before acceptance.
    accepted = smtp_sink.accepted()
    assert set(accepted) == addresses
    assert set(accepted.values()) == {1}
    inbox = InboxMessage.objects.filter(kind="security_incident")
    assert inbox.count() == len(people)
    assert set(inbox.values_list("recipient_id", flat=True)) == {person.pk for person in people}
    emails = OutboxEmail.objects.filter(kind="security_incident")
    assert emails.count() == len(addresses)
    assert not emails.exclude(state=OutboxEmail.State.SENT).exists()
