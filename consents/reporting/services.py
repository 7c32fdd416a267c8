"""The consent-state CSV: subject ids and codes only, and one audit event a download."""

import csv
from collections.abc import Iterator

from django.utils import timezone

from audit.services import audit_record
from consents.models import Purpose

from .selectors import consent_states_for_export

HEADER = ("subject_id", "purpose", "partner", "state", "changed_at")
CHUNK = 5000


class _Line:
    """What ``csv.writer`` writes to: it hands each line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def consent_states_csv(*, actor, purpose: Purpose | None = None) -> tuple[str, Iterator[str]]:
    """(file name, lines): the current consent states by subject id, streamed.

    The download is recorded before the first line is produced: an interrupted
    download still shows in the audit log, who took it and of which purpose.
    """
    audit_record(
        actor=actor,
        action="consents.states_exported",
        details={"purpose": purpose.code if purpose is not None else "all"},
    )
    writer = csv.writer(_Line())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"consent-states-{purpose.code if purpose is not None else 'all'}-{stamp}.csv"

    def lines() -> Iterator[str]:
        # The byte-order mark lets a spreadsheet read the file as UTF-8, as the register's CSV does.
        yield "\ufeff" + writer.writerow(HEADER)
        rows = consent_states_for_export(purpose=purpose).iterator(chunk_size=CHUNK)
        for subject_id, purpose_code, partner_code, granted, updated_at in rows:
            yield writer.writerow(
                (
                    subject_id,
                    purpose_code,
                    partner_code or "",
                    "granted" if granted else "withdrawn",
                    timezone.localtime(updated_at).isoformat(timespec="seconds"),
                )
            )

    return name, lines()
