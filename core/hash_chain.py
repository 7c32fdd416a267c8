"""Append-only hash chains: each link's hash covers its content and the previous link's hash.

The audit log (one chain) and the consent ledger (one chain per person) both
keep a head row holding the last sequence number and hash. A writer locks
the head, computes the next link with :func:`chain_link`, inserts its row and
moves the head with :func:`chain_advance`, all in one transaction, so two
writers can never fork a chain and a removed tail is noticed by the verifier,
which recomputes every hash with :func:`link_hash`.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

GENESIS_HASH = "0" * 64


class ChainHead(Protocol):
    last_seq: int
    last_hash: str

    def save(self, *, update_fields: list[str]) -> None: ...


@dataclass(frozen=True)
class Link:
    seq: int
    prev_hash: str
    hash: str


def link_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of ``content`` as canonical JSON (sorted keys, no spaces, UTF-8).

    ``content`` includes the link's ``seq`` and ``prev_hash``. Changing this
    encoding would break every stored chain.
    """
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chain_link(head: ChainHead, content: Mapping[str, Any]) -> Link:
    """The link that follows ``head``; the caller holds the head's row lock."""
    seq = head.last_seq + 1
    return Link(seq=seq, prev_hash=head.last_hash, hash=link_hash({**content, "seq": seq, "prev_hash": head.last_hash}))


def chain_advance(head: ChainHead, link: Link) -> None:
    head.last_seq = link.seq
    head.last_hash = link.hash
    head.save(update_fields=["last_seq", "last_hash"])
