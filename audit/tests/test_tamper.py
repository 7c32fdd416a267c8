"""The audit log against a database superuser (issue #11 §3): each way of hiding events is detected.

The attacker disables triggers (``session_replication_role = replica``) and
writes raw SQL; what they cannot touch is the chain key (in the environment)
and the checkpoint directory (outside the database). A checkpoint is written
the way beat writes it every 15 minutes, before the attack.

The log is several chains (``audit.partitions``, issue #13): the attacks
are made on one partition, or on all, and the report names the partition.
"""

import json
import logging
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.checkpoints import CHAIN, audit_checkpoint_write
from audit.hashing import GENESIS_HASH, event_hash
from audit.models import AuditEvent
from audit.partitions import LEGACY_PARTITION
from audit.selectors import audit_log_verify
from audit.services import audit_record
from audit.tests.partitioning import partition_of, target_in, targets_apart
from core.checkpoints import checkpoint_append, checkpoint_latest
from core.hash_chain import UNKEYED

pytestmark = pytest.mark.django_db


def _as_superuser(*statements):
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            for sql, params in statements:
                cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def chains():
    """Two partitions: five events about one target (``first``), three about another (``second``)."""
    first, second = targets_apart(2)
    for number in range(5):
        audit_record(actor=None, action="system.test", target=first, details={"n": number})
    for number in range(3):
        audit_record(actor=None, action="system.test", target=second, details={"n": number})
    return partition_of(first), partition_of(second)


@pytest.fixture
def checkpointed(chains):
    """The log verifies and agrees with a checkpoint of both partitions."""
    checkpoint = audit_checkpoint_write()
    first, second = chains
    assert checkpoint is not None and checkpoint.head["count"] == 8
    partitions = checkpoint.head["partitions"]
    assert (partitions[str(first)]["last_seq"], partitions[str(first)]["count"]) == (5, 5)
    assert (partitions[str(second)]["last_seq"], partitions[str(second)]["count"]) == (3, 3)
    report = audit_log_verify()
    assert report.ok and report.checkpoint_at == checkpoint.at and report.checked == 8
    return checkpoint


def _head_to(partition: int, seq: int, last_hash: str):
    return (
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE partition = %s",
        [seq, last_hash, partition],
    )


def _broken_partitions(report) -> set[int]:
    return {partition.partition for partition in report.partitions if not partition.ok}


def test_a_deleted_tail_of_one_partition_with_its_head_moved_back_is_detected(chains, checkpointed, caplog):
    first, second = chains
    third = AuditEvent.objects.get(partition=first, seq=3)
    _as_superuser(
        ("DELETE FROM audit_auditevent WHERE partition = %s AND seq > 3", [first]), _head_to(first, 3, third.hash)
    )

    report = audit_log_verify()
    assert not report.ok and (report.partition, report.broken_seq) == (first, 4)
    assert report.reason == f"5 events were checkpointed at {checkpointed.at}; 3 remain"
    # The other partition is not blamed.
    assert _broken_partitions(report) == {first}
    with pytest.raises(CommandError, match=f"partition {first}, event #4: 5 events were checkpointed"):
        call_command("verify_audit_log")

    # Beat does not make the shortened chain the new reference.
    with caplog.at_level(logging.ERROR, logger="security"):
        assert audit_checkpoint_write() is None
    assert f"audit log checkpoint refused: partition {first}" in caplog.text
    assert checkpoint_latest(chain=CHAIN) == checkpointed


def test_every_chain_rewritten_with_recomputed_sha256_is_detected(chains, checkpointed):
    """Without the key the attacker can only hash with plain SHA-256, marking the rows as unkeyed."""
    statements = []
    for partition in chains:
        prev_hash = GENESIS_HASH
        for event in AuditEvent.objects.filter(partition=partition).order_by("seq"):
            details = {"n": 0} if event.seq == 2 else event.details  # the change the rewrite hides
            digest = event_hash(
                seq=event.seq,
                prev_hash=prev_hash,
                key_id=UNKEYED,
                partition=partition,
                created_at=event.created_at,
                actor_id=event.actor_id,
                action=event.action,
                target_type=event.target_type,
                target_id=event.target_id,
                details=details,
            )
            statements.append(
                (
                    "UPDATE audit_auditevent SET details = %s, prev_hash = %s, hash = %s, key_id = ''"
                    " WHERE partition = %s AND seq = %s",
                    [f'{{"n": {details["n"]}}}', prev_hash, digest, partition, event.seq],
                )
            )
            prev_hash = digest
        statements.append(_head_to(partition, event.seq, prev_hash))
    _as_superuser(*statements)

    report = audit_log_verify(full=True)
    first, second = chains
    assert not report.ok and report.partition == min(chains)
    expected_seq = 5 if report.partition == first else 3
    assert report.broken_seq == expected_seq
    assert report.reason == f"event #{expected_seq} differs from the checkpoint of {checkpointed.at}"
    assert _broken_partitions(report) == {first, second}


def test_a_truncated_table_with_every_head_reset_is_detected(chains, checkpointed):
    resets = [_head_to(partition, 0, GENESIS_HASH) for partition in chains]
    _as_superuser(("TRUNCATE audit_auditevent", []), *resets)
    assert not AuditEvent.objects.exists()

    report = audit_log_verify()
    assert not report.ok and report.checked == 0
    assert _broken_partitions(report) == set(chains)
    count = 5 if report.partition == chains[0] else 3
    assert report.reason == f"{count} events were checkpointed at {checkpointed.at}; 0 remain"
    with pytest.raises(CommandError, match=f"partition {min(chains)}, event #1: {count} events were checkpointed"):
        call_command("verify_audit_log")


def test_an_event_moved_to_another_partition_is_detected(chains, checkpointed):
    """Its hash names its partition: relabelled rows fit no chain, even if the heads are moved to match."""
    first, second = chains
    last = AuditEvent.objects.get(partition=first, seq=5)
    _as_superuser(
        ("UPDATE audit_auditevent SET partition = %s, seq = 4, prev_hash = %s WHERE id = %s",
         [second, AuditEvent.objects.get(partition=second, seq=3).hash, last.pk]),
        _head_to(first, 4, AuditEvent.objects.get(partition=first, seq=4).hash),
        _head_to(second, 4, last.hash),
    )  # fmt: skip

    report = audit_log_verify()
    assert not report.ok
    broken = {partition.partition: partition for partition in report.partitions if not partition.ok}
    assert broken[second].broken_seq == 4 and broken[second].reason == "content does not match its hash"
    assert broken[first].reason == f"5 events were checkpointed at {checkpointed.at}; 4 remain"


def test_a_changed_checkpoint_line_is_reported(checkpointed, settings):
    path = Path(settings.CHAIN_CHECKPOINT_DIR) / "audit.jsonl"
    record = json.loads(path.read_text().splitlines()[-1])
    for entry in record["head"]["partitions"].values():
        entry["count"] = entry["last_seq"] = 2
    with path.open("a") as handle:
        handle.write(json.dumps(record) + "\n")
    report = audit_log_verify()
    assert not report.ok and report.reason == "the latest checkpoint's signature does not verify"


def test_a_checkpoint_from_before_partitions_still_guards_the_legacy_chain(settings):
    """Checkpoint lines written by the previous release hold one head, which is the legacy partition's."""
    target = target_in(LEGACY_PARTITION)
    for number in range(3):
        last = audit_record(actor=None, action="system.test", target=target, details={"n": number})
    checkpoint = checkpoint_append(chain=CHAIN, head={"last_seq": 3, "last_hash": last.hash, "count": 3})
    assert audit_log_verify().ok
    _as_superuser(("DELETE FROM audit_auditevent WHERE partition = 0 AND seq = 3", []), _head_to(0, 2, last.prev_hash))
    report = audit_log_verify()
    assert (report.partition, report.reason) == (0, f"3 events were checkpointed at {checkpoint.at}; 2 remain")


def test_the_command_says_what_it_compared_with(chains, checkpointed, capsys):
    audit_record(actor=None, action="system.after_checkpoint")
    call_command("verify_audit_log")
    out = capsys.readouterr().out
    assert "9 events verified in " in out and f"it agrees with the checkpoint of {checkpointed.at}" in out


def test_checkpoints_follow_a_growing_log(chains, checkpointed):
    first, _second = chains
    event = audit_record(actor=None, action="system.later", target=("tests.item", "0"))
    later = audit_checkpoint_write()
    assert later is not None and later.head["count"] == 9
    entry = later.head["partitions"][str(event.partition)]
    assert entry["last_seq"] == event.seq and entry["last_hash"] == event.hash
    assert audit_log_verify().ok
