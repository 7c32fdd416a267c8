"""The audit log's signed checkpoints (``core.checkpoints``), one entry per partition.

``audit.jsonl`` (beat, every 15 minutes) records each partition's last
sequence number, last hash and event count. Checkpoints from before the log
was partitioned hold one head at the top level: the legacy partition's.

``audit_verified.jsonl`` records, after each intact verification, how far
every partition was verified (sequence number and hash). It is signed like
the checkpoints and lives beside them, out of the database's reach, so an
incremental verification can start there without trusting a row anyone with
database rights could have moved.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from core.checkpoints import Checkpoint, checkpoint_append, checkpoint_latest
from core.logging import security_log

from .models import AuditChainHead, AuditEvent
from .partitions import LEGACY_PARTITION

CHAIN = "audit"
VERIFIED = "audit_verified"


def checkpoint_partitions(checkpoint: Checkpoint | None) -> dict[int, Mapping[str, Any]]:
    """Partition to ``{"last_seq", "last_hash", "count"}`` as ``checkpoint`` recorded them."""
    if checkpoint is None or not checkpoint.head:
        return {}
    partitions = checkpoint.head.get("partitions")
    if partitions is None:
        # Written before the log was partitioned: its one chain is the legacy partition.
        return {LEGACY_PARTITION: checkpoint.head}
    return {int(partition): entry for partition, entry in partitions.items()}


def audit_chain_head() -> dict:
    """Where each partition's chain ends now, and how many events lead up to it."""
    # One statement, so each count is taken up to the head read with it even while writers go on.
    count = (
        AuditEvent.objects.filter(partition=OuterRef("partition"), seq__lte=OuterRef("last_seq"))
        .order_by()
        .values("partition")
        .annotate(n=Count("*"))
        .values("n")
    )
    heads = AuditChainHead.objects.annotate(count=Coalesce(Subquery(count), 0)).order_by("partition")
    partitions = {
        str(head.partition): {"last_seq": head.last_seq, "last_hash": head.last_hash, "count": head.count}
        for head in heads
    }
    return {"partitions": partitions, "count": sum(entry["count"] for entry in partitions.values())}


def partition_checkpoint_problem(
    *, checkpoint: Checkpoint, entry: Mapping[str, Any], events: int, hash_at_checkpoint: str | None
) -> str | None:
    """How one partition contradicts its ``entry`` in ``checkpoint``, given its event count and its hash there."""
    seq, count = entry["last_seq"], entry["count"]
    if events < count:
        return f"{count} events were checkpointed at {checkpoint.at}; {events} remain"
    if seq and hash_at_checkpoint != entry["last_hash"]:
        return f"event #{seq} differs from the checkpoint of {checkpoint.at}"
    return None


def hashes_at(positions: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The stored hash of each ``(partition, seq)`` that exists, in one query."""
    condition = Q()
    for partition, seq in positions:
        condition |= Q(partition=partition, seq=seq)
    if not condition:
        return {}
    rows = AuditEvent.objects.filter(condition).order_by().values_list("partition", "seq", "hash")
    return {(partition, seq): digest for partition, seq, digest in rows}


def audit_checkpoint_write() -> Checkpoint | None:
    """Append every partition's head to the checkpoint file, unless a chain went back behind the last checkpoint.

    Recording a shortened or rebuilt chain would make it the reference the
    verifier trusts; the last good checkpoint stays the latest instead, and
    the refusal goes to the security log.
    """
    head = audit_chain_head()
    previous = checkpoint_latest(chain=CHAIN)
    if previous is not None:
        if not previous.signed:
            security_log.error("audit log checkpoint refused: the latest checkpoint's signature does not verify")
            return None
        now = {int(partition): entry for partition, entry in head["partitions"].items()}
        then = checkpoint_partitions(previous)
        hashes = hashes_at((partition, entry["last_seq"]) for partition, entry in then.items())
        for partition, entry in sorted(then.items()):
            problem = partition_checkpoint_problem(
                checkpoint=previous,
                entry=entry,
                events=now.get(partition, {}).get("count", 0),
                hash_at_checkpoint=hashes.get((partition, entry["last_seq"])),
            )
            if problem:
                security_log.error("audit log checkpoint refused: partition %s: %s", partition, problem)
                return None
    return checkpoint_append(chain=CHAIN, head=head)


def verified_positions() -> tuple[dict[int, tuple[int, str]], str]:
    """How far the last intact verification reached in each partition, and when; nothing if unsigned.

    An unsigned or altered line is no reason to trust less than a full walk
    would: the verifier then starts every partition from its first event.
    """
    latest = checkpoint_latest(chain=VERIFIED)
    if latest is None or not latest.signed:
        return {}, ""
    positions = {
        int(partition): (int(entry["last_seq"]), str(entry["last_hash"]))
        for partition, entry in latest.head.get("partitions", {}).items()
    }
    return positions, latest.at


def verified_positions_write(positions: Mapping[int, tuple[int, str]]) -> Checkpoint:
    """Sign and keep how far an intact verification reached in each partition."""
    partitions = {
        str(partition): {"last_seq": seq, "last_hash": digest} for partition, (seq, digest) in sorted(positions.items())
    }
    return checkpoint_append(chain=VERIFIED, head={"partitions": partitions})
