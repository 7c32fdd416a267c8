"""A bar chart drawn on the server as SVG markup, put inline in the page.

No JavaScript and no inline style (the CSP forbids both): only SVG
presentation attributes, which the policy allows. Every bar has a text
label with its number, so the chart reads without colour or a mouse.
"""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
HEIGHT = 260
MARGIN_TOP = 24
MARGIN_BOTTOM = 44
MARGIN_LEFT = 12
BAR_COLOUR = "#417690"  # admin's own blue
TEXT_COLOUR = "#333333"


def bar_chart_svg(bars: Sequence[tuple[str, int]], *, title: str, description: str) -> SafeString:
    """``bars`` is ``[(label, value)]``, drawn left to right; labels are escaped."""
    count = max(len(bars), 1)
    peak = max((value for _label, value in bars), default=0) or 1
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = (WIDTH - 2 * MARGIN_LEFT) / count
    bar_width = slot * 0.7
    baseline = MARGIN_TOP + plot_height

    parts = []
    for index, (label, value) in enumerate(bars):
        x = MARGIN_LEFT + index * slot + (slot - bar_width) / 2
        height = plot_height * value / peak
        centre = x + bar_width / 2
        parts.append(
            (
                f"{x:.1f}",
                f"{baseline - height:.1f}",
                f"{bar_width:.1f}",
                f"{height:.1f}",
                f"{centre:.1f}",
                f"{baseline - height - 6:.1f}",
                value,
                f"{baseline + 18:.1f}",
                label,
            )
        )
    body = format_html_join(
        "\n",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="' + BAR_COLOUR + '"></rect>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="13" fill="' + TEXT_COLOUR + '">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="' + TEXT_COLOUR + '">{}</text>',
        ((x, y, w, h, cx, vy, value, cx, ly, label) for x, y, w, h, cx, vy, value, ly, label in parts),
    )
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"></line>',
        MARGIN_LEFT,
        baseline,
        WIDTH - MARGIN_LEFT,
        baseline,
        TEXT_COLOUR,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="request-chart" role="img" viewBox="0 0 {} {}" '
        'width="{}" height="{}" aria-labelledby="chart-title chart-desc">'
        '<title id="chart-title">{}</title><desc id="chart-desc">{}</desc>{}{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        title,
        description,
        axis,
        body or mark_safe(""),
    )
