"""The consent ledger's signed checkpoints (``core.checkpoints``).

The ledger is one chain per person, so there is no single head to record.
A checkpoint records, as of a moment ``as_of``: how many people have events,
how many events there are, and a digest of every person's head (reference,
last sequence number, last hash) at that moment. The verifier recomputes the
same three figures as of the same moment from the events' own times, which
the keyed hashes vouch for: fewer people or events means deletions, another
digest means a rewritten chain, however many people joined since.

``as_of`` lies ``SETTLE`` behind the clock: a consent written by a transaction
that has not committed yet when the checkpoint reads carries a time before
the commit, and would otherwise be missing from the checkpoint but present
when the verifier counts. Consent transactions last well under a second.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.checkpoints import Checkpoint, checkpoint_append, checkpoint_latest
from core.logging import security_log

from .models import ConsentEvent

CHAIN = "consent_ledger"
SETTLE = timedelta(minutes=5)


@dataclass(frozen=True)
class LedgerTally:
    subjects: int
    events: int
    digest: str

    def as_head(self, as_of: datetime) -> dict:
        return {"as_of": as_of.isoformat(), "subjects": self.subjects, "events": self.events, "digest": self.digest}


class _Tally:
    def __init__(self, as_of: datetime):
        self.as_of = as_of
        self.subjects = 0
        self.events = 0
        self.digest = hashlib.sha256()
        self.head: tuple[int, str] | None = None

    def add(self, created_at: datetime, seq: int, digest: str) -> None:
        if created_at <= self.as_of:
            self.events += 1
            self.head = (seq, digest)

    def close_subject(self, ref) -> None:
        if self.head is not None:
            self.subjects += 1
            self.digest.update(f"{ref}:{self.head[0]}:{self.head[1]}\n".encode())
        self.head = None

    def result(self) -> LedgerTally:
        return LedgerTally(self.subjects, self.events, self.digest.hexdigest())


def consent_ledger_tallies(*moments: datetime, chunk_size: int = 5000) -> list[LedgerTally]:
    """The ledger's people, events and head digest as of each of ``moments``, in one pass over the events."""
    tallies = [_Tally(moment) for moment in moments]
    events = (
        ConsentEvent.objects.filter(created_at__lte=max(moments))
        .order_by("subject_ref", "seq")
        .values_list("subject_ref", "seq", "created_at", "hash")
    )
    current = None
    for ref, seq, created_at, digest in events.iterator(chunk_size=chunk_size):
        if ref != current:
            if current is not None:
                for tally in tallies:
                    tally.close_subject(current)
            current = ref
        for tally in tallies:
            tally.add(created_at, seq, digest)
    if current is not None:
        for tally in tallies:
            tally.close_subject(current)
    return [tally.result() for tally in tallies]


def consent_checkpoint_problem(*, checkpoint: Checkpoint, tally: LedgerTally | None = None) -> str | None:
    """How the ledger contradicts ``checkpoint`` (counted as of the checkpoint's moment unless ``tally`` is given)."""
    if not checkpoint.signed:
        return "the latest checkpoint's signature does not verify"
    as_of = parse_datetime(str(checkpoint.head.get("as_of", "")))
    if as_of is None:
        return "the latest checkpoint names no moment"
    tally = tally or consent_ledger_tallies(as_of)[0]
    head = checkpoint.head
    if tally.events < head["events"] or tally.subjects < head["subjects"]:
        return (
            f"{head['events']} events of {head['subjects']} people up to {head['as_of']} were checkpointed at "
            f"{checkpoint.at}; {tally.events} events of {tally.subjects} people remain"
        )
    if tally.digest != head["digest"] or tally.events != head["events"] or tally.subjects != head["subjects"]:
        return f"the chains as of {head['as_of']} differ from the checkpoint of {checkpoint.at}"
    return None


def consent_checkpoint_write() -> Checkpoint | None:
    """Append the ledger's tally to the checkpoint file, unless the ledger contradicts the last checkpoint.

    One pass over the events counts both as of now (less ``SETTLE``) and as of
    the previous checkpoint. A contradiction is logged to the security log and
    nothing is written, so the last good checkpoint stays the reference.
    """
    as_of = timezone.now() - SETTLE
    previous = checkpoint_latest(chain=CHAIN)
    if previous is None:
        (now_tally,) = consent_ledger_tallies(as_of)
        return checkpoint_append(chain=CHAIN, head=now_tally.as_head(as_of))
    previous_as_of = parse_datetime(str(previous.head.get("as_of", "")))
    if not previous.signed or previous_as_of is None:
        problem = consent_checkpoint_problem(checkpoint=previous)
    else:
        now_tally, then_tally = consent_ledger_tallies(as_of, previous_as_of)
        problem = consent_checkpoint_problem(checkpoint=previous, tally=then_tally)
    if problem:
        security_log.error("consent ledger checkpoint refused: %s", problem)
        return None
    return checkpoint_append(chain=CHAIN, head=now_tally.as_head(as_of))
