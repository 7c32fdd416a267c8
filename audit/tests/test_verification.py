"""Verification is incremental and parallel (issue #13): from where the last intact run reached, partitions at once."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from audit.checkpoints import VERIFIED, audit_checkpoint_write, verified_positions
from audit.models import AuditEvent, ChainVerification
from audit.selectors import audit_log_verify
from audit.services import audit_record
from audit.tests.partitioning import partition_of, targets_apart

pytestmark = pytest.mark.django_db


def _write(targets, count: int) -> None:
    for target in targets:
        for number in range(count):
            audit_record(actor=None, action="system.test", target=target, details={"n": number})


def _raw(*statements):
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            for sql, params in statements:
                cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def verified():
    """Two partitions of five events each, verified by the command: the next run starts at #5 of each."""
    targets = targets_apart(2)
    _write(targets, 5)
    call_command("verify_audit_log", stdout=None)
    positions, _at = verified_positions()
    partitions = [partition_of(target) for target in targets]
    assert {partition: positions[partition][0] for partition in partitions} == dict.fromkeys(partitions, 5)
    return targets, partitions


def test_the_next_run_checks_only_what_was_written_since(verified, capsys):
    targets, _partitions = verified
    _write(targets[:1], 2)
    report = audit_log_verify()
    assert report.ok and not report.full and report.checked == 2 and report.verified_at
    assert audit_log_verify(full=True).checked == 12

    call_command("verify_audit_log")
    assert "2 events verified in " in capsys.readouterr().out
    latest = ChainVerification.objects.filter(chain=ChainVerification.Chain.AUDIT_LOG).first()
    assert (latest.ok, latest.full, latest.checked) == (True, False, 2) and latest.partitions >= 2


def test_a_verified_event_removed_from_the_middle_is_still_detected(verified):
    _targets, (first, _second) = verified
    _raw(("DELETE FROM audit_auditevent WHERE partition = %s AND seq = 2", [first]))
    report = audit_log_verify()
    assert (report.partition, report.broken_seq) == (first, 5)
    assert report.reason.startswith("events before #5, verified at ") and report.reason.endswith("are missing")


def test_the_last_verified_event_removed_with_the_head_moved_back_is_detected(verified):
    _targets, (first, _second) = verified
    fourth = AuditEvent.objects.get(partition=first, seq=4)
    _raw(
        ("DELETE FROM audit_auditevent WHERE partition = %s AND seq = 5", [first]),
        ("UPDATE audit_auditchainhead SET last_seq = 4, last_hash = %s WHERE partition = %s", [fourth.hash, first]),
    )
    report = audit_log_verify()
    assert (report.partition, report.broken_seq) == (first, 5)
    assert "event #5 is missing since it was verified at" in report.reason


def test_a_change_inside_the_verified_part_takes_the_full_run(verified):
    """The incremental run trusts what it verified before; the weekly --full run recomputes everything."""
    _targets, (first, _second) = verified
    _raw(("UPDATE audit_auditevent SET details = '{\"n\": 9}' WHERE partition = %s AND seq = 2", [first]))
    assert audit_log_verify().ok
    report = audit_log_verify(full=True)
    assert (report.partition, report.broken_seq, report.reason) == (first, 2, "content does not match its hash")
    with pytest.raises(Exception, match=f"partition {first}, event #2: content does not match"):
        call_command("verify_audit_log", "--full")


def test_a_broken_run_does_not_move_where_the_next_one_starts(verified):
    targets, (first, _second) = verified
    positions_before = verified_positions()
    _write(targets[:1], 1)
    _raw(("UPDATE audit_auditevent SET action = 'forged' WHERE partition = %s AND seq = 6", [first]))
    with pytest.raises(Exception, match="content does not match"):
        call_command("verify_audit_log")
    assert verified_positions() == positions_before


def test_an_altered_record_of_verified_positions_means_a_full_run(verified, settings):
    path = Path(settings.CHAIN_CHECKPOINT_DIR) / f"{VERIFIED}.jsonl"
    record = json.loads(path.read_text().splitlines()[-1])
    for entry in record["head"]["partitions"].values():
        entry["last_seq"] = 99
    with path.open("a") as handle:
        handle.write(json.dumps(record) + "\n")
    report = audit_log_verify()
    assert report.ok and report.full and report.checked == 10


def test_checkpoints_and_incremental_runs_agree(verified):
    targets, _partitions = verified
    audit_checkpoint_write()
    _write(targets, 1)
    report = audit_log_verify()
    assert report.ok and report.checked == 2 and report.checkpoint_at


@pytest.mark.django_db(transaction=True)
def test_partitions_are_verified_in_parallel_threads_with_their_own_connections():
    targets = targets_apart(6)
    _write(targets, 4)
    sequential, parallel = audit_log_verify(workers=1), audit_log_verify(workers=4)
    assert sequential.ok and parallel.ok and parallel.checked == sequential.checked == 24
    assert [p.last_hash for p in parallel.partitions] == [p.last_hash for p in sequential.partitions]

    broken = partition_of(targets[3])
    _raw(("UPDATE audit_auditevent SET action = 'forged' WHERE partition = %s AND seq = 3", [broken]))
    report = audit_log_verify(workers=4)
    assert (report.partition, report.broken_seq, report.reason) == (broken, 3, "content does not match its hash")
