"""What an audit event's link in its partition's hash chain covers; shared by writer and verifier."""

from core.hash_chain import GENESIS_HASH, link_hash

from .partitions import LEGACY_PARTITION

__all__ = ["GENESIS_HASH", "event_content", "event_hash", "linked_content"]


def event_content(*, created_at, actor_id, action, target_type, target_id, details) -> dict:
    return {
        "created_at": created_at.isoformat(),
        "actor_id": actor_id,
        "action": action,
        "target_type": target_type,
        "target_id": str(target_id),
        "details": details,
    }


def linked_content(*, partition: int, **content) -> dict:
    """The content a link's hash covers besides ``seq`` and ``prev_hash``.

    Links outside the legacy partition name their partition, so an event
    moved to another partition's chain no longer matches its hash. The
    legacy partition's links do not, as the single chain before partitions
    did not, which keeps those rows and the ones after them one chain.
    """
    linked = event_content(**content)
    if partition != LEGACY_PARTITION:
        linked["partition"] = partition
    return linked


def event_hash(*, seq, prev_hash, key_id, partition: int = LEGACY_PARTITION, **content) -> str:
    """The link's hash under ``key_id`` (``core.hash_chain.UNKEYED`` for plain SHA-256)."""
    return link_hash(
        {**linked_content(partition=partition, **content), "seq": seq, "prev_hash": prev_hash}, key_id=key_id
    )
