"""What a consent event's link in the person's hash chain covers; shared by writer and verifier."""

from core.hash_chain import GENESIS_HASH, link_hash

__all__ = ["GENESIS_HASH", "consent_event_content", "consent_event_hash"]


def consent_event_content(
    *, subject_ref, purpose_id, purpose_version, partner_id, action, policy_version_id, channel, actor_id, created_at,
) -> dict:  # fmt: skip
    return {
        "subject_ref": str(subject_ref),
        "purpose_id": purpose_id,
        "purpose_version": purpose_version,
        "partner_id": partner_id,
        "action": action,
        "policy_version_id": policy_version_id,
        "channel": channel,
        "actor_id": actor_id,
        "created_at": created_at.isoformat(),
    }


def consent_event_hash(*, seq, prev_hash, key_id, **content) -> str:
    """The link's hash under ``key_id`` (``core.hash_chain.UNKEYED`` for plain SHA-256)."""
    return link_hash({**consent_event_content(**content), "seq": seq, "prev_hash": prev_hash}, key_id=key_id)
