"""Append-only hash chains: each link's hash covers its content and the previous link's hash.

The audit log (one chain) and the consent ledger (one chain per person) both
keep a head row holding the last sequence number and hash. A writer locks
the head, computes the next link with :func:`chain_link`, inserts its row and
moves the head with :func:`chain_advance`, all in one transaction, so two
writers can never fork a chain and a removed tail is noticed by the verifier,
which recomputes every hash with :func:`link_hash`.

A plain hash only shows that rows were changed by someone who did not
recompute it. Links are therefore keyed: HMAC-SHA256 with a key from
``AUDIT_CHAIN_KEY`` (the environment, never the database), so whoever can
rewrite the tables cannot forge a link. The setting is a list: the first key
signs new links, every key verifies, and each row records the id of its key
(:func:`chain_key_id`, derived from the key, so nothing secret is stored).
Rows written before chains were keyed carry the key id ``UNKEYED`` and still
verify with plain SHA-256.

Rotating: put the new key first and keep the old ones. Unlike encrypted
fields, an append-only row is never re-signed, so a key stays in the list as
long as rows signed with it exist. Along a chain keys only move forward (see
:func:`key_rank`): a link signed with an older key than the link before it,
or an unkeyed link after a keyed one, is what a rewrite with a leaked old key
or with plain SHA-256 looks like, and the verifiers report it.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENESIS_HASH = "0" * 64
# The key id of a link hashed with plain SHA-256, before chains were keyed.
UNKEYED = ""
_KEY_ID_LABEL = b"privacy-portal chain key id"


class UnknownChainKey(LookupError):
    """A link names a key that ``AUDIT_CHAIN_KEY`` does not hold (removed too early, or forged)."""


class ChainHead(Protocol):
    last_seq: int
    last_hash: str

    def save(self, *, update_fields: list[str]) -> None: ...


@dataclass(frozen=True)
class Link:
    seq: int
    prev_hash: str
    hash: str
    key_id: str


def chain_key_id(secret: bytes) -> str:
    """A short, public name for a key: a keyed hash of a fixed label, which reveals nothing of the key."""
    return hmac.new(secret, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:12]


@lru_cache(maxsize=4)
def _keys(configured: tuple[str, ...]) -> dict[str, bytes]:
    if not configured:
        raise ImproperlyConfigured("AUDIT_CHAIN_KEY is empty: the audit log and the consent ledger cannot be signed.")
    secrets = [key.encode("utf-8") for key in configured]
    return {chain_key_id(secret): secret for secret in secrets}


def chain_keys() -> dict[str, bytes]:
    """Key id to key, newest (the signing key) first."""
    return _keys(tuple(settings.AUDIT_CHAIN_KEY))


def chain_signing_key_id() -> str:
    return next(iter(chain_keys()))


def key_rank(key_id: str) -> int:
    """How old a key is: 0 for the signing key, more for older ones, oldest of all for unkeyed links.

    Raises :class:`UnknownChainKey` for a key that is not configured.
    """
    ids = list(chain_keys())
    if key_id == UNKEYED:
        return len(ids)
    try:
        return ids.index(key_id)
    except ValueError:
        raise UnknownChainKey(key_id) from None


class KeyOrder:
    """Follows the keys along one chain and says when a link breaks the forward-only rule."""

    def __init__(self) -> None:
        self._rank: int | None = None

    def problem(self, key_id: str) -> str | None:
        try:
            rank = key_rank(key_id)
        except UnknownChainKey:
            return f"signed with key {key_id}, which AUDIT_CHAIN_KEY does not hold"
        if self._rank is not None and rank > self._rank:
            if key_id == UNKEYED:
                return "an unkeyed (plain SHA-256) link after keyed ones"
            return f"signed with key {key_id}, older than the key of the link before it"
        self._rank = rank
        return None


def canonical_json(content: Mapping[str, Any]) -> bytes:
    # Changing this encoding would break every stored chain.
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def keyed_digest(payload: bytes, *, key_id: str) -> str:
    """HMAC-SHA256 of ``payload`` with the key ``key_id``, or SHA-256 for ``UNKEYED``."""
    if key_id == UNKEYED:
        return hashlib.sha256(payload).hexdigest()
    secret = chain_keys().get(key_id)
    if secret is None:
        raise UnknownChainKey(key_id)
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def link_hash(content: Mapping[str, Any], *, key_id: str) -> str:
    """The hash of ``content`` as canonical JSON (sorted keys, no spaces, UTF-8) under ``key_id``.

    ``content`` includes the link's ``seq`` and ``prev_hash``.
    """
    return keyed_digest(canonical_json(content), key_id=key_id)


def link_matches(content: Mapping[str, Any], *, key_id: str, stored: str) -> bool:
    """Whether ``stored`` is the hash of ``content`` under ``key_id``; compared in constant time."""
    return hmac.compare_digest(link_hash(content, key_id=key_id), stored)


def chain_link(head: ChainHead, content: Mapping[str, Any]) -> Link:
    """The link that follows ``head``, signed with the newest key; the caller holds the head's row lock."""
    seq = head.last_seq + 1
    key_id = chain_signing_key_id()
    digest = link_hash({**content, "seq": seq, "prev_hash": head.last_hash}, key_id=key_id)
    return Link(seq=seq, prev_hash=head.last_hash, hash=digest, key_id=key_id)


def chain_advance(head: ChainHead, link: Link) -> None:
    head.last_seq = link.seq
    head.last_hash = link.hash
    head.save(update_fields=["last_seq", "last_hash"])
