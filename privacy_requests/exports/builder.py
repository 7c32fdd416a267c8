"""Writing one person's ZIP: JSON and CSV per category, a readable summary, a README.

Rows are streamed: each category's exporter yields dicts from a server-side
cursor, and each row goes straight into the ZIP entry (JSON) and into two
temporary files on disk (the CSV, and the category's rows for the HTML
summary), which are copied into the ZIP afterwards. Memory therefore stays
flat however many rows a person has; ``bench/export.py`` checks it.
"""

import csv
import html
import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from core.csv_safety import ExportJSONEncoder, csv_safe, plain_text
from personal_data.registry import PersonalDataCategory, personal_data_categories

SUMMARY_TEMPLATE = "privacy_requests/exports/summary.html"
README_TEMPLATE = "privacy_requests/exports/README.txt"
COPY_BUFFER = 256 * 1024


@dataclass
class CategoryResult:
    code: str
    label: str
    count: int = 0
    columns: list = field(default_factory=list)
    rows_html: object = None  # a temporary file with the <tr> rows, read back into the summary

    @property
    def marker(self) -> str:
        # Where this category's rows go in the rendered summary; never in real content.
        return mark_safe(f"\x00rows:{self.code}\x00")  # noqa: S308 - a fixed marker, no user input


def _text_spool():
    return tempfile.TemporaryFile("w+", encoding="utf-8", newline="")


def _write_category(archive: zipfile.ZipFile, category: PersonalDataCategory, user) -> CategoryResult:
    result = CategoryResult(code=category.code, label=str(category.label))
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
            else:
                out.write(",")
            out.write("\n")
            out.write(encoder.encode(row))
            texts = [plain_text(row.get(column)) for column in result.columns]
            writer.writerow([csv_safe(text) for text in texts])
            rows_html.write("<tr>" + "".join(f"<td>{html.escape(text)}</td>" for text in texts) + "</tr>\n")
            result.count += 1
        out.write("\n]\n" if result.count else "]\n")
    with archive.open(f"{category.code}.csv", "w") as raw:
        csv_spool.flush()
        csv_spool.seek(0)
        with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as out:
            # utf-8 with a byte-order mark: Excel then reads Chinese text correctly.
            shutil.copyfileobj(csv_spool, out, COPY_BUFFER)
    csv_spool.close()
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
            for index, category in enumerate(categories, start=1):
                results.append(_write_category(archive, category, user))
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
