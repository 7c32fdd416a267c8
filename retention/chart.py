"""A server-side SVG bar chart of sweep volumes per run, for the reports changelist (no JavaScript: CSP)."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 720
HEIGHT = 160
PAD = 24


def sweep_volume_svg(reports) -> SafeString:
    """Stacked bars (deleted, anonymised, kept for holds) per real run, oldest on the left."""
    runs = [report for report in reversed(list(reports)) if not report.dry_run]
    if not runs:
        return mark_safe("")
    totals = []
    for report in runs:
        lines = list(report.lines.all())
        totals.append(
            (
                report,
                sum(line.rows_deleted for line in lines),
                sum(line.rows_anonymised for line in lines),
                sum(line.rows_held for line in lines),
            )
        )
    peak = max((d + a + h for _r, d, a, h in totals), default=0) or 1
    slot = (WIDTH - 2 * PAD) / len(totals)
    bar = max(2.0, slot * 0.7)
    scale = (HEIGHT - 2 * PAD) / peak
    rects = []
    for index, (report, deleted, anonymised, held) in enumerate(totals):
        x = PAD + index * slot
        y = HEIGHT - PAD
        for value, colour in ((deleted, "#ba2121"), (anonymised, "#417690"), (held, "#999999")):
            height = value * scale
            y -= height
            rects.append((f"{x:.1f}", f"{y:.1f}", f"{bar:.1f}", f"{height:.1f}", colour, report.started_at, value))
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
        rects,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}">'
        '<text x="{}" y="14" font-size="12">{}</text>{}'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333"/></svg>',
        _("Rows deleted (red), anonymised (blue) and kept for holds (grey) per sweep"),
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        PAD,
        _("Rows per sweep (peak %(peak)d)") % {"peak": peak},
        bars,
        PAD,
        HEIGHT - PAD,
        WIDTH - PAD,
        HEIGHT - PAD,
    )
