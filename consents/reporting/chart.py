"""A server-side SVG chart of a purpose's consents month by month (no JavaScript: the admin's CSP)."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 720
HEIGHT = 200
PAD = 28
GRANTED = "#1d6b3a"
WITHDRAWN = "#b3261e"


def consent_history_svg(figures) -> SafeString:
    """Two bars a month: people with the consent standing (green) and withdrawn (red) at the month's end."""
    if not figures:
        return mark_safe("")
    peak = max(max(f.granted, f.withdrawn) for f in figures) or 1
    slot = (WIDTH - 2 * PAD) / len(figures)
    bar = max(2.0, slot * 0.35)
    scale = (HEIGHT - 2 * PAD - 14) / peak
    shapes = []
    for index, month in enumerate(figures):
        x = PAD + index * slot
        for offset, value, colour, label in (
            (0, month.granted, GRANTED, _("granted")),
            (bar, month.withdrawn, WITHDRAWN, _("withdrawn")),
        ):
            height = value * scale
            shapes.append(
                (
                    f"{x + offset:.1f}",
                    f"{HEIGHT - PAD - height:.1f}",
                    f"{bar:.1f}",
                    f"{height:.1f}",
                    colour,
                    month.month.strftime("%Y-%m"),
                    label,
                    value,
                )
            )
    bars = format_html_join(
        "", '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} {}: {}</title></rect>', shapes
    )
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10">{}</text>',
        ((f"{PAD + i * slot:.1f}", HEIGHT - PAD + 14, m.month.strftime("%m")) for i, m in enumerate(figures)),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 {} {}"><text x="{}" y="14" font-size="12">{}</text>{}{}'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333"/></svg>',
        _("People with the consent standing (green) and withdrawn (red) at the end of each month"),
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        PAD,
        _("People at the end of each month (peak %(peak)d)") % {"peak": peak},
        bars,
        ticks,
        PAD,
        HEIGHT - PAD,
        WIDTH - PAD,
        HEIGHT - PAD,
    )
