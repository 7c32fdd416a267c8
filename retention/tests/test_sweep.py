from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import DatabaseError, connection, connections
from django.db.models.signals import post_delete
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import LoginActivity
from consents.models import OptionalService, ServiceEnrolment
from personal_data.models import LegalHold
from privacy_requests.exports.services import export_storage
from privacy_requests.models import ExportFile, PrivacyRequest
from retention.models import SweepReport
from retention.sweep import LOCK_KEY, retention_sweep
from tests.factories import UserFactory, step_up_passed

pytestmark = pytest.mark.django_db


def _hold(*, user=None, category=""):
    return LegalHold.objects.create(
        user=user, category=category, reason="Court order 2026-17", review_date=timezone.localdate()
    )


def _line(report, code):
    return report.lines.get(rule_code=code)


def test_deletes_expired_and_keeps_unexpired(only_rule, sign_ins):
    only_rule("sign_in_activity")
    person = UserFactory()
    old = sign_ins(person, days_ago=200, n=3)
    recent = sign_ins(person, days_ago=10, n=2)
    report = retention_sweep()
    assert not LoginActivity.objects.filter(pk__in=old).exists()
    assert LoginActivity.objects.filter(pk__in=recent).count() == 2
    line = _line(report, "sign_in_activity")
    assert (line.rows_deleted, line.rows_anonymised, line.rows_held) == (3, 0, 0)
    assert report.finished_at and not report.dry_run


@pytest.mark.parametrize("hold_on", ["person", "category", "person_category"])
def test_held_rows_are_kept_and_counted(only_rule, sign_ins, hold_on):
    only_rule("sign_in_activity")
    held_person, other = UserFactory(), UserFactory()
    held_rows = sign_ins(held_person, days_ago=200, n=2)
    other_rows = sign_ins(other, days_ago=200, n=3)
    if hold_on == "person":
        _hold(user=held_person)
    elif hold_on == "category":
        _hold(category="sign_in_activity")
    else:
        _hold(user=held_person, category="sign_in_activity")
    report = retention_sweep()
    assert LoginActivity.objects.filter(pk__in=held_rows).count() == 2
    line = _line(report, "sign_in_activity")
    if hold_on == "category":
        assert LoginActivity.objects.filter(pk__in=other_rows).count() == 3
        assert (line.rows_deleted, line.rows_held) == (0, 5)
    else:
        assert not LoginActivity.objects.filter(pk__in=other_rows).exists()
        assert (line.rows_deleted, line.rows_held) == (3, 2)


def test_a_hold_on_another_category_or_a_lifted_hold_keeps_nothing(only_rule, sign_ins):
    only_rule("sign_in_activity")
    person = UserFactory()
    rows = sign_ins(person, days_ago=200, n=2)
    _hold(user=person, category="locations")
    lifted = _hold(user=person)
    LegalHold.objects.filter(pk=lifted.pk).update(lifted_at=timezone.now())
    retention_sweep()
    assert not LoginActivity.objects.filter(pk__in=rows).exists()


def test_anonymise_blanks_the_fields_and_keeps_the_row(only_rule):
    only_rule("optional_services_left")
    service = OptionalService.objects.first() or pytest.skip("no optional service seeded")
    person, kept = UserFactory(), UserFactory()
    past = timezone.now() - timedelta(days=1)
    left = ServiceEnrolment.objects.create(
        user=person, service=service, state="left", data='{"account": "123"}', left_at=past, data_delete_after=past
    )
    waiting = ServiceEnrolment.objects.create(
        user=kept,
        service=service,
        state="left",
        data='{"account": "9"}',
        left_at=past,
        data_delete_after=timezone.now() + timedelta(days=29),
    )
    report = retention_sweep()
    left.refresh_from_db()
    waiting.refresh_from_db()
    assert left.data == "" and left.state == "left"
    assert waiting.data == '{"account": "9"}'
    assert _line(report, "optional_services_left").rows_anonymised == 1
    # Already blank: the next run has nothing to do.
    assert _line(retention_sweep(), "optional_services_left").rows_anonymised == 0


def test_batches_of_two_over_five_rows(only_rule, sign_ins):
    only_rule("sign_in_activity")
    rows = sign_ins(UserFactory(), days_ago=200, n=5)
    with CaptureQueriesContext(connection) as queries:
        report = retention_sweep(batch_size=2)
    deletes = [q["sql"] for q in queries if 'DELETE FROM "accounts_loginactivity"' in q["sql"]]
    # Three set-based statements (2 + 2 + 1 rows), each in its own transaction (a savepoint inside the test's).
    # Each picks its own rows (LIMIT 2) and checks the holds in the statement that deletes.
    assert len(deletes) == 3
    assert all("LIMIT 2" in sql and '"retention_legalhold"' in sql for sql in deletes)
    assert not LoginActivity.objects.filter(pk__in=rows).exists()
    assert _line(report, "sign_in_activity").rows_deleted == 5


def test_a_failed_batch_undoes_only_itself_and_the_next_run_finishes(only_rule, sign_ins):
    only_rule("sign_in_activity")
    rows = sign_ins(UserFactory(), days_ago=200, n=5)
    with connection.cursor() as cursor:
        # The database refuses to delete the fourth row, as if the connection died during the second batch.
        cursor.execute(
            "CREATE FUNCTION retention_test_refuse() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER retention_test_refuse BEFORE DELETE ON accounts_loginactivity"
            f" FOR EACH ROW WHEN (OLD.id = {int(rows[3])}) EXECUTE FUNCTION retention_test_refuse()"
        )
    with pytest.raises(DatabaseError):
        retention_sweep(batch_size=2)
    # The first batch stays done; the second is undone whole, including the row it could delete.
    assert list(LoginActivity.objects.filter(pk__in=rows).order_by("pk").values_list("pk", flat=True)) == rows[2:]
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER retention_test_refuse ON accounts_loginactivity")
    report = retention_sweep(batch_size=2)
    assert not LoginActivity.objects.filter(pk__in=rows).exists()
    assert _line(report, "sign_in_activity").rows_deleted == 3


def test_dry_run_changes_nothing_and_counts(only_rule, sign_ins):
    only_rule("sign_in_activity")
    held, other = UserFactory(), UserFactory()
    sign_ins(held, days_ago=200, n=1)
    sign_ins(other, days_ago=200, n=4)
    _hold(user=held)
    before = LoginActivity.objects.count()
    report = retention_sweep(dry_run=True)
    assert LoginActivity.objects.count() == before
    assert report.dry_run
    line = _line(report, "sign_in_activity")
    assert (line.rows_deleted, line.rows_held) == (4, 1)


def test_management_command_dry_run(only_rule, sign_ins, capsys):
    only_rule("sign_in_activity")
    sign_ins(UserFactory(), days_ago=200, n=2)
    call_command("retention_sweep", "--dry-run")
    out = capsys.readouterr().out
    assert "sign_in_activity: deleted 2" in out
    assert LoginActivity.objects.count() == 2
    assert SweepReport.objects.get().dry_run


def test_a_second_sweep_does_nothing_while_one_runs(only_rule, sign_ins, capsys):
    only_rule("sign_in_activity")
    rows = sign_ins(UserFactory(), days_ago=200, n=2)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", list(LOCK_KEY))
        assert retention_sweep() is None
        call_command("retention_sweep")
        assert "already running" in capsys.readouterr().out
        assert LoginActivity.objects.filter(pk__in=rows).count() == 2
        assert not SweepReport.objects.exists()
    finally:
        # Unlock explicitly: a closed connection's backend releases its locks a moment later, not at once.
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", list(LOCK_KEY))
        other.close()
    assert retention_sweep() is not None


def test_no_post_delete_signal_fires(only_rule, sign_ins):
    only_rule("sign_in_activity")
    sign_ins(UserFactory(), days_ago=200, n=3)
    calls = []

    def receiver(sender, **kwargs):
        calls.append(sender)

    post_delete.connect(receiver, weak=False)
    try:
        report = retention_sweep()
    finally:
        post_delete.disconnect(receiver)
    assert _line(report, "sign_in_activity").rows_deleted == 3
    assert calls == []


def _export(person, *, ready_days_ago: int, reference: str) -> ExportFile:
    request = PrivacyRequest.objects.create(reference=reference, kind="export", requester=person)
    name = export_storage().save(f"exports/test-{reference}.zip", ContentFile(b"PK"))
    ready = timezone.now() - timedelta(days=ready_days_ago)
    export = ExportFile.objects.create(request=request, state="ready", file_name=name, size_bytes=2)
    ExportFile.objects.filter(pk=export.pk).update(ready_at=ready, expires_at=ready + timedelta(days=7))
    return export


def test_export_files_in_storage_go_with_their_rows(only_rule, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    only_rule("export_files")
    person, held = UserFactory(), UserFactory()
    old = _export(person, ready_days_ago=8, reference="RT-OLD")
    fresh = _export(person, ready_days_ago=1, reference="RT-NEW")
    kept = _export(held, ready_days_ago=8, reference="RT-HELD")
    _hold(user=held, category="export_files")
    try:
        report = retention_sweep()
        assert not ExportFile.objects.filter(pk=old.pk).exists()
        assert not export_storage().exists(old.file_name)
        assert export_storage().exists(fresh.file_name) and ExportFile.objects.filter(pk=fresh.pk).exists()
        assert export_storage().exists(kept.file_name) and ExportFile.objects.filter(pk=kept.pk).exists()
        assert PrivacyRequest.objects.filter(reference="RT-OLD").exists()
        line = _line(report, "export_files")
        assert (line.rows_deleted, line.rows_held) == (1, 1)
    finally:
        for export in (old, fresh, kept):
            export_storage().delete(export.file_name)


def test_an_export_file_already_gone_from_storage_is_logged_and_its_row_still_swept(
    only_rule, settings, tmp_path, caplog
):
    settings.MEDIA_ROOT = tmp_path
    only_rule("export_files")
    person = UserFactory()
    gone = _export(person, ready_days_ago=8, reference="RT-GONE")
    export_storage().delete(gone.file_name)  # e.g. kept on another host's disk before shared storage
    with caplog.at_level("WARNING", logger="core.files"):
        report = retention_sweep()
    assert not ExportFile.objects.filter(pk=gone.pk).exists()
    assert _line(report, "export_files").rows_deleted == 1
    [record] = caplog.records
    assert record.getMessage() == f"stored file already gone: storage=exports name={gone.file_name}"
    assert person.email not in caplog.text


def test_a_step_up_check_a_request_relied_on_stays(only_rule):
    from accounts.models import StepUpCheck

    only_rule("step_up_checks")
    person = UserFactory()
    used, spare = (step_up_passed(person, method=StepUpCheck.Method.EMAIL) for _ in range(2))
    StepUpCheck.objects.update(verified_at=timezone.now() - timedelta(days=2))
    PrivacyRequest.objects.create(reference="RT-SU", kind="access", requester=person, identity_check=used)
    retention_sweep()
    assert StepUpCheck.objects.filter(pk=used.pk).exists()
    assert not StepUpCheck.objects.filter(pk=spare.pk).exists()


def test_report_holds_counts_only(only_rule, sign_ins):
    only_rule("sign_in_activity")
    sign_ins(UserFactory(), days_ago=200, n=1)
    report = retention_sweep()
    fields = {f.name for f in report.lines.model._meta.get_fields()}
    assert fields == {
        "id",
        "report",
        "rule",
        "rule_code",
        "rows_deleted",
        "rows_anonymised",
        "rows_held",
        "duration_ms",
    }


def test_set_null_children_are_unlinked_set_based(only_rule):
    """A fan-out's recipient row outlives the email it pointed at: the link is nulled, the row kept."""
    from notifications.models import FanOut, FanOutRecipient, OutboxEmail

    only_rule("emails_sent")
    person = UserFactory()
    long_ago = timezone.now() - timedelta(days=100)
    email = OutboxEmail.objects.create(
        recipient=person,
        to_address="p@example.cn",
        kind="k",
        language="en",
        subject="s",
        body="b",
        state="sent",
        next_attempt_at=long_ago,
        sent_at=long_ago,
    )
    recipient = FanOutRecipient.objects.create(
        fan_out=FanOut.objects.create(key="retention-test", kind="k"), user=person, outbox_email=email
    )
    report = retention_sweep()
    assert not OutboxEmail.objects.filter(pk=email.pk).exists()
    recipient.refresh_from_db()
    assert recipient.outbox_email_id is None
    assert _line(report, "emails_sent").rows_deleted == 1


def test_session_entries_go_once_their_session_is_gone(only_rule, settings):
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    only_rule("sessions_ended")
    person = UserFactory()
    live = SessionStore()
    live["x"] = 1
    live.create()
    alive = UserSession.objects.create(user=person, session_key=live.session_key, ip="127.0.0.1", user_agent="t")
    gone = UserSession.objects.create(user=person, session_key="gone-session-key", ip="127.0.0.1", user_agent="t")
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    retention_sweep()
    assert UserSession.objects.count() == 2
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    retention_sweep()
    assert UserSession.objects.filter(pk=alive.pk).exists()
    assert not UserSession.objects.filter(pk=gone.pk).exists()
    assert Session.objects.filter(session_key=live.session_key).exists()


def test_expired_django_sessions_are_deleted(only_rule):
    from django.contrib.sessions.models import Session

    only_rule("django_sessions_expired")
    Session.objects.create(session_key="old", session_data="", expire_date=timezone.now() - timedelta(minutes=1))
    Session.objects.create(session_key="new", session_data="", expire_date=timezone.now() + timedelta(days=1))
    retention_sweep()
    assert list(Session.objects.filter(session_key__in=["old", "new"]).values_list("session_key", flat=True)) == ["new"]


def test_the_beat_task_runs_the_sweep(only_rule, sign_ins):
    from retention.tasks import retention_sweep as task

    only_rule("sign_in_activity")
    rows = sign_ins(UserFactory(), days_ago=200, n=1)
    report_id = task.delay().get()
    assert SweepReport.objects.filter(pk=report_id, dry_run=False).exists()
    assert not LoginActivity.objects.filter(pk__in=rows).exists()
