"""How an audit event's hash is computed; shared by writer and verifier."""

import hashlib
import json

GENESIS_HASH = "0" * 64


def event_hash(*, seq, created_at, actor_id, action, target_type, target_id, details, prev_hash) -> str:
    payload = json.dumps(
        {
            "seq": seq,
            "created_at": created_at.isoformat(),
            "actor_id": actor_id,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "details": details,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
