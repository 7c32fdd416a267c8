"""Downloading the register of processing as CSV, with its audit record."""

import csv
import io
from datetime import date

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.csv_safety import csv_cell

from .selectors import RegisterRow, processing_register_rows

REGISTER_DOWNLOADED = "processing_register.downloaded"


def _header() -> list[str]:
    return [
        _("Purpose"),
        _("Data categories"),
        _("Legal basis"),
        _("Recipients"),
        _("Retention"),
        _("Safeguards"),
    ]


def _purpose_text(row: RegisterRow) -> str:
    lines = [f"{row.name} ({row.code})", row.kind]
    if row.sensitive:
        lines.append(_("Sensitive"))
    return "\n".join(lines)


def _cells(row: RegisterRow) -> list[str]:
    """One row's cells; a cell with several entries puts one per line, as the page does."""
    categories = [
        _("%(name)s (sensitive)") % {"name": category.name} if category.sensitive else category.name
        for category in row.categories
    ]
    recipients = [recipient.text for recipient in row.recipients] or [_("No partners")]
    return [
        _purpose_text(row),
        "\n".join(categories),
        row.legal_basis,
        "\n".join(recipients),
        "\n".join(cell.text for cell in row.retention),
        "\n".join(row.safeguards),
    ]


def processing_register_csv(rows: list[RegisterRow]) -> bytes:
    """The register as CSV: UTF-8 with a byte-order mark, so Excel shows Chinese text as written.

    Every cell goes through ``csv_cell``: a purpose or partner name that an
    officer typed starting with ``=`` must not run as a formula in the
    spreadsheet of whoever opens the file.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([csv_cell(value) for value in _header()])
    for row in rows:
        writer.writerow([csv_cell(value) for value in _cells(row)])
    return out.getvalue().encode("utf-8-sig")


def processing_register_filename(*, on: date) -> str:
    return f"processing-register-{on.isoformat()}.csv"


def processing_register_download(*, actor, today: date | None = None) -> tuple[str, bytes]:
    """Build the CSV in the active language and record who downloaded which rows.

    The audit event holds ids only (purposes and rules in the file), never
    names; it is written before the file leaves, so no copy goes out unrecorded.
    """
    today = today or timezone.localdate()
    rows = processing_register_rows(today=today)
    content = processing_register_csv(rows)
    audit_record(
        actor=actor,
        action=REGISTER_DOWNLOADED,
        target=None,
        details={
            "purpose_ids": [row.purpose_id for row in rows],
            "rule_ids": sorted({cell.rule_id for row in rows for cell in row.retention if cell.rule_id}),
            "language": translation.get_language() or "",
        },
    )
    return processing_register_filename(on=today), content
