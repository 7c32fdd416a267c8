"""The audit chain is keyed: HMAC with AUDIT_CHAIN_KEY, rotatable, and older unkeyed rows still verify."""

import hashlib
import json

import pytest
from django.db import connection
from django.utils import timezone

from audit.hashing import GENESIS_HASH, event_content, event_hash
from audit.models import AuditChainHead, AuditEvent
from audit.partitions import LEGACY_PARTITION
from audit.selectors import audit_log_verify
from audit.services import audit_record
from audit.tests.partitioning import target_in
from core.hash_chain import UNKEYED, chain_key_id

pytestmark = pytest.mark.django_db

KEY_A = "a" * 40
KEY_B = "b" * 40


def _plain_sha256(event: AuditEvent) -> str:
    content = event_content(
        created_at=event.created_at,
        actor_id=event.actor_id,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        details=event.details,
    )
    payload = json.dumps({**content, "seq": event.seq, "prev_hash": event.prev_hash}, sort_keys=True,
                         separators=(",", ":"), ensure_ascii=False)  # fmt: skip
    return hashlib.sha256(payload.encode()).hexdigest()


def _write_unkeyed(count: int) -> None:
    """Rows as the release before keyed chains wrote them (plain SHA-256, empty key id)."""
    prev_hash, now = GENESIS_HASH, timezone.now()
    with connection.cursor() as cursor:
        for seq in range(1, count + 1):
            content = {"created_at": now, "actor_id": None, "action": "old.event", "target_type": "",
                       "target_id": "", "details": {}}  # fmt: skip
            digest = event_hash(seq=seq, prev_hash=prev_hash, key_id=UNKEYED, **content)
            cursor.execute(
                "INSERT INTO audit_auditevent (seq, created_at, actor_id, action, target_type, target_id, details,"
                " prev_hash, hash, key_id) VALUES (%s, %s, NULL, 'old.event', '', '', '{}', %s, %s, '')",
                [seq, now, prev_hash, digest],
            )
            prev_hash = digest
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_seq": count, "last_hash": prev_hash})


def test_new_events_are_signed_with_the_first_key_and_are_no_plain_hash(settings):
    settings.AUDIT_CHAIN_KEY = [KEY_A]
    event = audit_record(actor=None, action="system.test")
    assert event.key_id == chain_key_id(KEY_A.encode())
    assert event.hash != _plain_sha256(event)
    assert audit_log_verify().ok


def test_rotation_signs_with_the_new_key_and_verifies_the_old(settings):
    settings.AUDIT_CHAIN_KEY = [KEY_A]
    audit_record(actor=None, action="system.before")
    settings.AUDIT_CHAIN_KEY = [KEY_B, KEY_A]
    after = audit_record(actor=None, action="system.after")
    assert after.key_id == chain_key_id(KEY_B.encode())
    assert audit_log_verify().ok

    # Dropping a key while rows signed with it remain is reported, not silently accepted.
    settings.AUDIT_CHAIN_KEY = [KEY_B]
    report = audit_log_verify()
    assert report.broken_seq == 1 and "which AUDIT_CHAIN_KEY does not hold" in report.reason


def test_unkeyed_rows_from_before_still_verify_and_the_chain_goes_on_keyed():
    _write_unkeyed(3)
    assert audit_log_verify().ok
    # Those rows are the legacy partition's chain, which goes on with keyed links.
    event = audit_record(actor=None, action="system.after_upgrade", target=target_in(LEGACY_PARTITION))
    assert (event.partition, event.seq) == (LEGACY_PARTITION, 4) and event.key_id != UNKEYED
    report = audit_log_verify()
    assert report.ok and report.checked == 4
