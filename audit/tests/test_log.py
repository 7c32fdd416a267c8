import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from audit.partitions import partition_count
from audit.selectors import audit_log_verify
from audit.services import PersonalDataInAuditDetails, audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _record_three():
    """Three events about one person: one partition's chain (audit.partitions), the only one written."""
    actor = UserFactory()
    audit_record(actor=actor, action="profile.viewed", target=actor, details={"fields": ["language"]})
    audit_record(actor=actor, action="outbox.retried", target=actor, details={"count": 1})
    return audit_record(actor=None, action="system.sweep", target=actor, details={"rows": 3})


def _raw(sql, params=()):
    """Change the table behind the ORM's back, as an attacker with SQL access would."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_events_form_a_chain_that_verifies():
    last = _record_three()
    first, second, third = AuditEvent.objects.order_by("seq")
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert third == last
    assert audit_log_verify().ok


def test_verify_command_reports_intact_log(capsys):
    _record_three()
    call_command("verify_audit_log")
    assert "3 events verified" in capsys.readouterr().out


def test_tampered_details_are_detected_by_the_command():
    _record_three()
    _raw("UPDATE audit_auditevent SET details = %s WHERE seq = 2", ['{"count": 99}'])
    with pytest.raises(CommandError, match=r"broken at partition \d+, event #2: content does not match"):
        call_command("verify_audit_log")


def test_a_deleted_event_in_the_middle_is_detected():
    _record_three()
    _raw("DELETE FROM audit_auditevent WHERE seq = 2")
    report = audit_log_verify()
    assert not report.ok and report.broken_seq == 2 and "missing" in report.reason


def test_a_removed_tail_is_detected():
    _record_three()
    _raw("DELETE FROM audit_auditevent WHERE seq = 3")
    report = audit_log_verify()
    assert report.broken_seq == 3


def test_a_rehashed_row_still_breaks_the_next_link():
    _record_three()
    # Rewriting a row and its own hash consistently is not enough: the next
    # event still points at the old hash.
    _raw("UPDATE audit_auditevent SET hash = %s WHERE seq = 1", ["f" * 64])
    report = audit_log_verify()
    assert report.broken_seq == 1


def test_orm_refuses_updates_and_deletes():
    event = _record_three()
    event.action = "something.else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=1).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert audit_log_verify().ok


def test_database_refuses_raw_updates_and_deletes():
    _record_three()
    for sql in ("UPDATE audit_auditevent SET action = 'x' WHERE seq = 1", "DELETE FROM audit_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 3


def test_database_refuses_truncate():
    _record_three()
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_test_runner_still_empties_the_log_between_transactional_tests():
    """The runner's flush (a TRUNCATE) passes the trigger: this test's teardown would fail otherwise."""
    _record_three()
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 3


@pytest.mark.parametrize(
    "details",
    [
        {"id_number": "440103199001011234"},
        {"note": "called 13812345678"},
        {"nested": {"emails": ["zhang.san@example.cn"]}},
        {"card": "4111 1111 1111 1111"},
    ],
)
def test_personal_data_in_details_is_refused(details):
    with pytest.raises(PersonalDataInAuditDetails):
        audit_record(actor=None, action="profile.changed", target=None, details=details)
    assert not AuditEvent.objects.exists()


def test_admin_lists_events_but_offers_no_way_to_change_them(verified_client):
    event = _record_three()
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client = verified_client(admin_user)
    changelist = client.get("/admin/audit/auditevent/")
    assert changelist.status_code == 200
    assert b"system.sweep" in changelist.content
    assert b"/admin/audit/auditevent/add/" not in changelist.content
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.count() == 3


def test_admin_requires_the_second_factor(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    response = client.get("/admin/audit/auditevent/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_every_configured_partition_has_its_head_row_after_migrate():
    """Made by post_migrate, so the first write into a partition costs the same queries as any other."""
    heads = sorted(AuditChainHead.objects.values_list("partition", flat=True))
    assert heads == list(range(partition_count()))
