"""How a consent event's hash is computed; shared by writer and verifier."""

import hashlib
import json

GENESIS_HASH = "0" * 64


def consent_event_hash(
    *, subject_ref, seq, purpose_id, purpose_version, partner_id, action, policy_version_id, channel, actor_id,
    created_at, prev_hash,
) -> str:  # fmt: skip
    payload = json.dumps(
        {
            "subject_ref": str(subject_ref),
            "seq": seq,
            "purpose_id": purpose_id,
            "purpose_version": purpose_version,
            "partner_id": partner_id,
            "action": action,
            "policy_version_id": policy_version_id,
            "channel": channel,
            "actor_id": actor_id,
            "created_at": created_at.isoformat(),
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
