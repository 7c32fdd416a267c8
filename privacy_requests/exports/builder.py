"""Writing one person's ZIP: JSON and CSV per category, a readable summary, a README.

Rows are streamed: each category's exporter yields dicts from a server-side
cursor, and each row goes straight into the ZIP entry (JSON) and into two
temporary files on disk (the CSV, and the category's rows for the HTML
summary), which are copied into the ZIP afterwards. Memory therefore stays
flat however many rows a person has; ``bench/export.py`` checks it.

The JSON and CSV files keep the exporters' codes, for programs; each
category's JSON Schema goes beside them in ``schemas/``. The summary is for
the person: the labels and words of the field declarations
(``personal_data.fields``), local dates, lists for nested data, and first,
what each category is for and how long it is kept.
"""

import csv
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from core.csv_safety import ExportJSONEncoder, csv_safe, plain_text
from personal_data.registry import LegalBasis, PersonalDataCategory, personal_data_categories
from personal_data.retention_periods import retention_texts_by_category
from personal_data.schemas import category_schema

from .readable import Column

SUMMARY_TEMPLATE = "privacy_requests/exports/summary.html"
README_TEMPLATE = "privacy_requests/exports/README.txt"
COPY_BUFFER = 256 * 1024
SCHEMA_DIRECTORY = "schemas"
# A category with more columns than this shows each record as a list of label and value: a row
# of its table would be wider than any screen.
WIDE_TABLE_COLUMNS = 6


def schema_file_name(code: str) -> str:
    return f"{SCHEMA_DIRECTORY}/{code}.schema.json"


@dataclass
class CategoryResult:
    code: str
    label: str
    count: int = 0
    columns: list = field(default_factory=list)
    rows_html: object = None  # a temporary file with the rows' HTML, read back into the summary
    headings: list = field(default_factory=list)  # the columns' labels, in the summary's order
    purpose: str = ""
    legal_basis: str = ""
    retention: list = field(default_factory=list)

    @property
    def as_records(self) -> bool:
        return len(self.headings) > WIDE_TABLE_COLUMNS

    @property
    def file_names(self) -> list[str]:
        return [f"{self.code}.json", f"{self.code}.csv", schema_file_name(self.code)]

    @property
    def marker(self) -> str:
        # Where this category's rows go in the rendered summary; never in real content.
        return mark_safe(f"\x00rows:{self.code}\x00")  # noqa: S308 - a fixed marker, no user input


def _text_spool():
    return tempfile.TemporaryFile("w+", encoding="utf-8", newline="")


def _summary_row(row: dict, columns: list[Column], as_records: bool) -> str:
    """One record as HTML: a table row, or (for wide categories) a small table of its own."""
    if as_records:
        cells = [
            f'<tr><th scope="row">{column.label}</th><td>{column.html(row.get(column.code))}</td></tr>'
            for column in columns
        ]
        return '<table class="record">' + "".join(cells) + "</table>\n"
    cells = [f'<td data-label="{column.label}">{column.html(row.get(column.code))}</td>' for column in columns]
    return "<tr>" + "".join(cells) + "</tr>\n"


def _write_category(
    archive: zipfile.ZipFile,
    category: PersonalDataCategory,
    user,
    retention: dict[str, list[str]],
    lookups: dict,
) -> CategoryResult:
    result = CategoryResult(
        code=category.code,
        label=str(category.label),
        purpose=str(category.purpose),
        legal_basis=str(LegalBasis(category.legal_basis).label) if category.legal_basis else "",
        retention=retention.get(category.code, []),
    )
    # The summary's columns: the declared ones, in their order, but for a code whose words another
    # column shows; a key no field declares (a test forbids it) would still be shown, under its code,
    # rather than silently dropped.
    shown = [declared for declared in category.fields if declared.in_summary]
    columns = [Column(declared.code, declared, lookups) for declared in shown]
    result.headings = [str(declared.label) for declared in shown]
    csv_spool = _text_spool()
    rows_html = _text_spool()
    writer = csv.writer(csv_spool)
    encoder = ExportJSONEncoder(ensure_ascii=False)
    with archive.open(f"{category.code}.json", "w") as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
        out.write("[")
        for row in category.exporter(user):
            if result.count == 0:
                result.columns = list(row)
                writer.writerow(result.columns)
                extra = [code for code in result.columns if category.field(code) is None]
                columns += [Column(code, None) for code in extra]
                result.headings += extra
                as_records = result.as_records
            else:
                out.write(",")
            out.write("\n")
            out.write(encoder.encode(row))
            texts = [plain_text(row.get(column)) for column in result.columns]
            writer.writerow([csv_safe(text) for text in texts])
            rows_html.write(_summary_row(row, columns, as_records))
            result.count += 1
        out.write("\n]\n" if result.count else "]\n")
    with archive.open(f"{category.code}.csv", "w") as raw:
        csv_spool.flush()
        csv_spool.seek(0)
        with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as out:
            # utf-8 with a byte-order mark: Excel then reads Chinese text correctly.
            shutil.copyfileobj(csv_spool, out, COPY_BUFFER)
    csv_spool.close()
    archive.writestr(
        schema_file_name(category.code),
        json.dumps(category_schema(category), ensure_ascii=False, indent=2).encode("utf-8"),
    )
    rows_html.flush()
    rows_html.seek(0)
    result.rows_html = rows_html
    return result


def _write_summary(archive: zipfile.ZipFile, *, user, results: list[CategoryResult], generated_at) -> None:
    page = render_to_string(
        SUMMARY_TEMPLATE,
        {"person": user, "categories": results, "generated_at": generated_at, "total": sum(r.count for r in results)},
    )
    with archive.open("summary.html", "w") as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
        rest = page
        for result in results:
            before, _, rest = rest.partition(str(result.marker))
            out.write(before)
            shutil.copyfileobj(result.rows_html, out, COPY_BUFFER)
        out.write(rest)


def export_zip_write(*, user, out, progress: Callable[[int], None] | None = None, categories=None) -> list:
    """Write the ZIP of everything held about ``user`` to the binary file ``out``.

    ``progress`` is called with a percentage after each category. Returns
    the per-category results (code, label, row count).
    """
    categories = list(categories if categories is not None else personal_data_categories())
    generated_at = timezone.now()
    results: list[CategoryResult] = []
    try:
        with translation.override(user.language or None), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            retention = retention_texts_by_category()
            lookups: dict = {}  # the words looked up for the summary (purpose names, ...), once per export
            for index, category in enumerate(categories, start=1):
                results.append(_write_category(archive, category, user, retention, lookups))
                if progress is not None:
                    # The last few percent are the summary and storing the file.
                    progress(min(95, index * 95 // len(categories)))
            _write_summary(archive, user=user, results=results, generated_at=generated_at)
            readme = render_to_string(
                README_TEMPLATE, {"person": user, "categories": results, "generated_at": generated_at}
            )
            archive.writestr("README.txt", readme.encode("utf-8"))
    finally:
        for result in results:
            if result.rows_html is not None:
                result.rows_html.close()
    return results
