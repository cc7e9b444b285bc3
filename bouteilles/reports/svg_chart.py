"""A bar chart of the last twelve months as inline SVG, drawn on the server (no JS, no CDN).

Presentation attributes only (no style attribute): the pages' CSP forbids inline styles.
The SVG carries a title and a description; pages also give the numbers as a table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

WIDTH, HEIGHT = 360, 190
LEFT, RIGHT, TOP, BOTTOM = 40, 6, 14, 26
BAR = "#1d5c4d"
NEGATIVE = "#a4161a"
AXIS = "#59636e"


@dataclass(frozen=True)
class Bar:
    """One month: its short label (and year line), its value in the chart's unit, a spoken label."""

    label: str
    value: Decimal
    spoken: str
    year: str = ""


def _nice_step(span: Decimal) -> Decimal:
    """A round grid step giving 3 to 5 lines over `span`."""
    if span <= 0:
        return Decimal(1)
    raw = span / 4
    exponent = raw.adjusted()
    base = Decimal(10) ** exponent
    for multiple in (1, 2, 5, 10):
        if base * multiple >= raw:
            return base * multiple
    return base * 10


def bar_chart(bars: Sequence[Bar], *, title: str, description: str, chart_id: str,
              number: Callable[[Decimal], str] = str, unit: str = "") -> Markup:
    """The bars as an accessible SVG (role=img, <title>, <desc>, a <title> per bar);
    `number` writes the scale's values (formatting.number: the reader's way)."""
    values = [b.value for b in bars] or [Decimal(0)]
    low, high = min(Decimal(0), *values), max(Decimal(0), *values)
    step = _nice_step(high - low)
    top = (high / step).to_integral_value(rounding="ROUND_CEILING") * step if high else step
    bottom = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step if low else Decimal(0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: Decimal) -> float:
        return TOP + float((top - value) / (top - bottom)) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="chart" aria-labelledby="{chart_id}-t {chart_id}-d" id="{chart_id}">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    if unit:
        parts.append(f'<text x="{LEFT}" y="8" font-size="8.5" fill="{AXIS}">{escape(unit)}</text>')
    tick = bottom
    while tick <= top:
        ty = y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
                     f'stroke="#d0d7de" stroke-width="{1.2 if tick == 0 else 0.6}"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{ty + 3:.1f}" text-anchor="end" font-size="9" '
                     f'fill="{AXIS}">{escape(number(tick))}</text>')
        tick += step
    slot = plot_w / max(len(bars), 1)
    zero = y(Decimal(0))
    for i, bar in enumerate(bars):
        x = LEFT + i * slot + slot * 0.15
        top_y = min(zero, y(bar.value))
        height = max(abs(y(bar.value) - zero), 0.0)
        colour = NEGATIVE if bar.value < 0 else BAR
        parts.append(
            f'<g><title>{escape(bar.spoken)}</title><rect x="{x:.1f}" y="{top_y:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{height:.1f}" rx="2" fill="{colour}" '
            f'data-value={quoteattr(str(bar.value))}/></g>')
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 12}" '
                     f'text-anchor="middle" font-size="8.5" fill="{AXIS}">'
                     f'{escape(bar.label)}</text>')
        if bar.year:
            parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 22}" '
                         f'text-anchor="middle" font-size="8.5" fill="{AXIS}">'
                         f'{escape(bar.year)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# A horizontal bar chart: one line per row (territories side by side), the label on the
# left, the value written after its bar; as tall as it has rows.
# Narrower than the monthly chart, so that its text stays readable on a phone.
H_WIDTH, H_LABEL, H_VALUE, H_ROW, H_TOP = 300, 100, 56, 26, 18


def _short(label: str, most: int = 14) -> str:
    return label if len(label) <= most else label[:most - 1] + "…"


def hbar_chart(bars: Sequence[Bar], *, title: str, description: str, chart_id: str,
               number: Callable[[Decimal], str] = str, unit: str = "") -> Markup:
    """The bars as an accessible horizontal SVG chart (role=img, <title>, <desc>, a <title>
    per bar): each bar's `label` on its left, its value (written by `number`) on its right.
    Negative values are drawn in red, from the same zero as the others."""
    biggest = max((abs(b.value) for b in bars), default=Decimal(0)) or Decimal(1)
    track = H_WIDTH - H_LABEL - H_VALUE
    height = H_TOP + H_ROW * max(len(bars), 1) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {H_WIDTH} {height}" role="img" '
        f'class="chart hchart" aria-labelledby="{chart_id}-t {chart_id}-d" id="{chart_id}">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    if unit:
        parts.append(f'<text x="{H_LABEL}" y="12" font-size="11" fill="{AXIS}">'
                     f'{escape(unit)}</text>')
    parts.append(f'<line x1="{H_LABEL}" x2="{H_LABEL}" y1="{H_TOP - 2}" y2="{height - 2}" '
                 f'stroke="#d0d7de" stroke-width="1.2"/>')
    for i, bar in enumerate(bars):
        top = H_TOP + i * H_ROW
        width = float(abs(bar.value) / biggest) * track
        colour = NEGATIVE if bar.value < 0 else BAR
        parts.append(f'<text x="{H_LABEL - 6}" y="{top + 17}" text-anchor="end" font-size="12" '
                     f'fill="#1f2328">{escape(_short(bar.label))}</text>')
        parts.append(
            f'<g><title>{escape(bar.spoken)}</title><rect x="{H_LABEL}" y="{top + 4}" '
            f'width="{width:.1f}" height="{H_ROW - 8}" rx="2" fill="{colour}" '
            f'data-value={quoteattr(str(bar.value))}/></g>')
        parts.append(f'<text x="{H_LABEL + width + 4:.1f}" y="{top + 17}" font-size="11" '
                     f'fill="{AXIS}">{escape(number(bar.value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
