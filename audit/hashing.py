"""What an audit event's link in the hash chain covers; shared by writer and verifier."""

from core.hash_chain import GENESIS_HASH, link_hash

__all__ = ["GENESIS_HASH", "event_content", "event_hash"]


def event_content(*, created_at, actor_id, action, target_type, target_id, details) -> dict:
    return {
        "created_at": created_at.isoformat(),
        "actor_id": actor_id,
        "action": action,
        "target_type": target_type,
        "target_id": str(target_id),
        "details": details,
    }


def event_hash(*, seq, prev_hash, key_id, **content) -> str:
    """The link's hash under ``key_id`` (``core.hash_chain.UNKEYED`` for plain SHA-256)."""
    return link_hash({**event_content(**content), "seq": seq, "prev_hash": prev_hash}, key_id=key_id)
