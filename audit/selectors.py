"""Reading the audit log: chain verification."""

from dataclasses import dataclass

from core.checkpoints import checkpoint_latest
from core.hash_chain import KeyOrder, link_matches

from .checkpoints import CHAIN, audit_checkpoint_problem
from .hashing import GENESIS_HASH, event_content
from .models import AuditChainHead, AuditEvent, ChainVerification


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    # When the latest signed checkpoint outside the database was written, if there is one.
    checkpoint_at: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def audit_log_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in order and report the first broken link, if any.

    Catches a changed row (its hash no longer matches its content under the
    key it names), a removed row (a gap in the sequence, or the next row's
    ``prev_hash`` pointing at nothing), a truncated tail (the head remembers a
    later event) and a chain re-hashed by someone without the key (plain
    SHA-256 or an older key after a newer one). Then compares the chain with
    the latest checkpoint (``audit.checkpoints``), which shows what the
    database alone cannot: a tail cut off together with the head row, an
    emptied table, a chain rebuilt from scratch.
    """
    checkpoint = checkpoint_latest(chain=CHAIN)
    checkpoint_seq = checkpoint.head.get("last_seq") if checkpoint else None
    hash_at_checkpoint = None
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    events = AuditEvent.objects.order_by("seq").values_list(
        "seq", "created_at", "actor_id", "action", "target_type", "target_id", "details", "prev_hash", "hash", "key_id"
    )
    keys = KeyOrder()
    for (
        seq,
        created_at,
        actor_id,
        action,
        target_type,
        target_id,
        details,
        prev_hash,
        stored,
        key_id,
    ) in events.iterator(chunk_size=chunk_size):
        if seq != expected_seq:
            return ChainReport(checked, expected_seq, f"event #{expected_seq} is missing")
        if prev_hash != expected_prev:
            return ChainReport(checked, seq, "link to the previous event is broken")
        key_problem = keys.problem(key_id)
        if key_problem:
            return ChainReport(checked, seq, key_problem)
        content = event_content(
            created_at=created_at,
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=details,
        )
        if not link_matches({**content, "seq": seq, "prev_hash": prev_hash}, key_id=key_id, stored=stored):
            return ChainReport(checked, seq, "content does not match its hash")
        if seq == checkpoint_seq:
            hash_at_checkpoint = stored
        expected_prev = stored
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq != checked:
        return ChainReport(checked, checked + 1, f"events after #{checked} are missing")
    if checkpoint is None:
        return ChainReport(checked)
    problem = audit_checkpoint_problem(checkpoint=checkpoint, events=checked, hash_at_checkpoint=hash_at_checkpoint)
    if problem:
        return ChainReport(checked, min(checked + 1, checkpoint_seq or 1), problem, checkpoint.at)
    return ChainReport(checked, checkpoint_at=checkpoint.at)


def chain_verification_latest(*, chain: str) -> ChainVerification | None:
    """The latest recorded verification of ``chain`` (``ChainVerification.Chain``)."""
    return ChainVerification.objects.filter(chain=chain).order_by("-finished_at", "-id").first()
