"""Which of the audit log's chains an event joins.

One chain for the whole log made every audited write in the platform wait
for the one head row until its transaction committed. The log is therefore
``AUDIT_CHAIN_PARTITIONS`` chains, each with its own head row; writers of
different partitions never wait for each other.

An event's partition comes from a stable key: its target when it has one
(``"accounts.user:42"``), otherwise its actor, otherwise its action. The
target first, because the history of one object is what an auditor reads
together, and one chain then proves its order; and because writers that
change the same object already queue for that object's row, so sharing its
partition adds little waiting. The actor is not the first choice: the
system and a few busy service accounts write most events, which would pile
them onto a few partitions.

The key is hashed with BLAKE2b, not Python's ``hash()``, so every process
and every release puts the same key in the same partition. Changing the
number of partitions only moves where new events go; each event keeps its
partition, whose chain verifies as before.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Holds the single chain written before the log was partitioned (migration audit.0006); its links
# keep that chain's format, so the old rows and the new ones of this partition form one chain.
LEGACY_PARTITION = 0
# A checkpoint line holds every partition's head (~110 bytes each) and is found by reading
# the last 64 KiB of its file (core.checkpoints): 256 partitions stay well inside that.
MAX_PARTITIONS = 256


def partition_count() -> int:
    count = settings.AUDIT_CHAIN_PARTITIONS
    if not isinstance(count, int) or not 1 <= count <= MAX_PARTITIONS:
        raise ImproperlyConfigured(f"AUDIT_CHAIN_PARTITIONS must be a whole number from 1 to {MAX_PARTITIONS}.")
    return count


def partition_key(*, target_type: str, target_id: str, actor_id: int | None, action: str) -> str:
    if target_type:
        return f"target:{target_type}:{target_id}"
    if actor_id is not None:
        return f"actor:{actor_id}"
    return f"action:{action}"


def partition_for(key: str, *, partitions: int) -> int:
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8, person=b"audit-partition").digest()
    return int.from_bytes(digest, "big") % partitions
