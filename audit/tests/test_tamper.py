"""The audit log against a database superuser (issue #11 §3): each way of hiding events is detected.

The attacker disables triggers (``session_replication_role = replica``) and
writes raw SQL; what they cannot touch is the chain key (in the environment)
and the checkpoint directory (outside the database). A checkpoint is written
the way beat writes it every 15 minutes, before the attack.
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
from audit.selectors import audit_log_verify
from audit.services import audit_record
from core.checkpoints import checkpoint_latest
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
def checkpointed():
    """Five events, checkpointed; the log verifies and agrees with the checkpoint."""
    for number in range(5):
        audit_record(actor=None, action="system.test", details={"n": number})
    checkpoint = audit_checkpoint_write()
    assert checkpoint is not None and checkpoint.head["last_seq"] == 5 and checkpoint.head["count"] == 5
    report = audit_log_verify()
    assert report.ok and report.checkpoint_at == checkpoint.at
    return checkpoint


def _head_to(seq: int, last_hash: str):
    return ("UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, last_hash])


def test_a_deleted_tail_with_the_head_moved_back_is_detected(checkpointed, caplog):
    third = AuditEvent.objects.get(seq=3)
    _as_superuser(("DELETE FROM audit_auditevent WHERE seq > 3", []), _head_to(3, third.hash))

    report = audit_log_verify()
    assert not report.ok and report.broken_seq == 4
    assert report.reason == f"5 events were checkpointed at {checkpointed.at}; 3 remain"
    with pytest.raises(CommandError, match="5 events were checkpointed"):
        call_command("verify_audit_log")

    # Beat does not make the shortened chain the new reference.
    with caplog.at_level(logging.ERROR, logger="security"):
        assert audit_checkpoint_write() is None
    assert "audit log checkpoint refused" in caplog.text
    assert checkpoint_latest(chain=CHAIN) == checkpointed


def test_the_whole_chain_rewritten_with_recomputed_sha256_is_detected(checkpointed):
    """Without the key the attacker can only hash with plain SHA-256, marking the rows as unkeyed."""
    statements, prev_hash = [], GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq"):
        details = {"n": 0} if event.seq == 2 else event.details  # the change the rewrite hides
        digest = event_hash(
            seq=event.seq,
            prev_hash=prev_hash,
            key_id=UNKEYED,
            created_at=event.created_at,
            actor_id=event.actor_id,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            details=details,
        )
        statements.append(
            (
                "UPDATE audit_auditevent SET details = %s, prev_hash = %s, hash = %s, key_id = '' WHERE seq = %s",
                [f'{{"n": {details["n"]}}}', prev_hash, digest, event.seq],
            )
        )
        prev_hash = digest
    _as_superuser(*statements, _head_to(5, prev_hash))

    report = audit_log_verify()
    assert not report.ok and report.broken_seq == 5
    assert report.reason == f"event #5 differs from the checkpoint of {checkpointed.at}"


def test_a_truncated_table_with_the_head_reset_is_detected(checkpointed, capsys):
    _as_superuser(("TRUNCATE audit_auditevent", []), _head_to(0, GENESIS_HASH))
    assert not AuditEvent.objects.exists()

    report = audit_log_verify()
    assert not report.ok and report.checked == 0
    assert report.reason == f"5 events were checkpointed at {checkpointed.at}; 0 remain"
    with pytest.raises(CommandError, match="Audit log broken at event #1: 5 events were checkpointed"):
        call_command("verify_audit_log")


def test_a_changed_checkpoint_line_is_reported(checkpointed, settings):
    path = Path(settings.CHAIN_CHECKPOINT_DIR) / "audit.jsonl"
    record = json.loads(path.read_text().splitlines()[-1])
    record["head"]["count"] = record["head"]["last_seq"] = 2
    with path.open("a") as handle:
        handle.write(json.dumps(record) + "\n")
    report = audit_log_verify()
    assert not report.ok and report.reason == "the latest checkpoint's signature does not verify"


def test_the_command_says_what_it_compared_with(checkpointed, capsys):
    audit_record(actor=None, action="system.after_checkpoint")
    call_command("verify_audit_log")
    assert f"6 events verified; it agrees with the checkpoint of {checkpointed.at}" in capsys.readouterr().out


def test_checkpoints_follow_a_growing_log(checkpointed):
    audit_record(actor=None, action="system.later")
    later = audit_checkpoint_write()
    assert later is not None and (later.head["last_seq"], later.head["count"]) == (6, 6)
    assert audit_log_verify().ok
