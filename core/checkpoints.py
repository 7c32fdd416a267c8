"""Signed checkpoints of the hash chains, kept where the database cannot reach.

A chain inside the database shows changes to its middle, but not a chain cut
short, emptied or rebuilt by someone who can also move its head row: the
database alone has no memory of what it held before. So every 15 minutes the
owner of each chain (``audit.checkpoints``, ``consents.checkpoints``) writes
its head (how far it reached and the hash there) as one line to
``<CHAIN_CHECKPOINT_DIR>/<chain>.jsonl``, signed with the chain key, and to the
``security`` log. The files are append-only JSON lines; the directory belongs
to the application's host, not to PostgreSQL, and should be shipped further
(a log store, an object store with retention lock) by the deployment.

Verifiers compare the chain with the latest checkpoint: fewer events than it
records, or a different hash at the position it names, is tampering. A
checkpoint line whose signature does not verify is reported as such.
"""

import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from .hash_chain import UNKEYED, UnknownChainKey, canonical_json, chain_signing_key_id, keyed_digest
from .logging import security_log

# How much of a file's end is read to find its last line; a line is a few hundred bytes.
_TAIL = 64 * 1024


@dataclass(frozen=True)
class Checkpoint:
    chain: str
    at: str
    head: Mapping[str, Any]
    # False when the line was changed, is not ours, or names a key that is not configured.
    signed: bool


def _path(chain: str) -> Path:
    return Path(settings.CHAIN_CHECKPOINT_DIR) / f"{chain}.jsonl"


def _signature(record: Mapping[str, Any], key_id: str) -> str:
    return keyed_digest(canonical_json({k: v for k, v in record.items() if k != "signature"}), key_id=key_id)


def checkpoint_append(*, chain: str, head: Mapping[str, Any]) -> Checkpoint:
    """Append ``head`` to the chain's checkpoint file, signed, and write it to the security log."""
    key_id = chain_signing_key_id()
    record: dict[str, Any] = {"chain": chain, "at": timezone.now().isoformat(), "head": dict(head), "key_id": key_id}
    record["signature"] = _signature(record, key_id)
    line = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    path = _path(chain)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # O_APPEND: one write of one line, never a rewrite of what is there.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    security_log.info("chain checkpoint %s", line.strip())
    return Checkpoint(chain=chain, at=record["at"], head=record["head"], signed=True)


def _last_line(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - _TAIL))
            tail = handle.read()
    except FileNotFoundError:
        return None
    lines = [line for line in tail.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else None


def checkpoint_latest(*, chain: str) -> Checkpoint | None:
    """The chain's latest checkpoint, or None before the first one."""
    line = _last_line(_path(chain))
    if line is None:
        return None
    try:
        record = json.loads(line)
        key_id = record["key_id"]
        if key_id == UNKEYED:
            raise KeyError(key_id)
        signed = record["chain"] == chain and hmac.compare_digest(
            _signature(record, key_id), str(record.get("signature", ""))
        )
        return Checkpoint(chain=chain, at=str(record["at"]), head=dict(record["head"]), signed=signed)
    except (ValueError, KeyError, TypeError, UnknownChainKey):
        return Checkpoint(chain=chain, at="", head={}, signed=False)
