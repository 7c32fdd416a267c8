"""The audit log's signed checkpoints (``core.checkpoints``): last sequence number, last hash, count."""

from core.checkpoints import Checkpoint, checkpoint_append, checkpoint_latest
from core.logging import security_log

from .hashing import GENESIS_HASH
from .models import AuditChainHead, AuditEvent

CHAIN = "audit"


def audit_chain_head() -> dict:
    """Where the chain ends now: the head row's position and hash, and how many events lead up to it."""
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq, last_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    # Counted up to the head read above, so an event committed in between does not skew it.
    return {"last_seq": last_seq, "last_hash": last_hash, "count": AuditEvent.objects.filter(seq__lte=last_seq).count()}


def audit_checkpoint_problem(*, checkpoint: Checkpoint, events: int, hash_at_checkpoint: str | None) -> str | None:
    """How the chain contradicts ``checkpoint``, given its event count and its hash at the checkpointed seq."""
    if not checkpoint.signed:
        return "the latest checkpoint's signature does not verify"
    seq, count = checkpoint.head["last_seq"], checkpoint.head["count"]
    if events < count:
        return f"{count} events were checkpointed at {checkpoint.at}; {events} remain"
    if seq and hash_at_checkpoint != checkpoint.head["last_hash"]:
        return f"event #{seq} differs from the checkpoint of {checkpoint.at}"
    return None


def audit_checkpoint_write() -> Checkpoint | None:
    """Append the head to the checkpoint file, unless the chain went back behind the last checkpoint.

    Recording a shortened or rebuilt chain would make it the reference the
    verifier trusts; the last good checkpoint stays the latest instead, and
    the refusal goes to the security log.
    """
    head = audit_chain_head()
    previous = checkpoint_latest(chain=CHAIN)
    if previous is not None:
        hash_then = (
            AuditEvent.objects.filter(seq=previous.head.get("last_seq", 0)).values_list("hash", flat=True).first()
        )
        problem = audit_checkpoint_problem(checkpoint=previous, events=head["count"], hash_at_checkpoint=hash_then)
        if problem:
            security_log.error("audit log checkpoint refused: %s", problem)
            return None
    return checkpoint_append(chain=CHAIN, head=head)
