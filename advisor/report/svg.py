"""Small inline SVG charts for the HTML report: histograms, differences to a reference
with their error bars, and training curves. Pure string
building -- no plotting library, nothing fetched -- and every piece of text is escaped,
since column names come from the data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ("#3366aa", "#dd7722", "#228833", "#aa3377", "#66ccee", "#bbbb33", "#777777")


def _num(value: float) -> str:
    """Coordinates with two decimals: compact and byte-stable."""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def _label(value: float) -> str:
    if value == 0 or not math.isfinite(value):
        return str(value)
    return f"{value:.3g}"


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round tick values (steps of 1, 2 or 5 times a power of ten) within
    [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)) or not high > low:
        return [low] if math.isfinite(low) else []
    raw = (high - low) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = min((m * power for m in (1, 2, 5, 10)), key=lambda s: abs(s - raw))
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12) + 0.0)
        value += step
    return ticks


def _x_ticks(low: float, high: float, x0: float, x1: float, y: float, count: int = 4) -> list[str]:
    """Tick marks and labels on a horizontal axis at ``y`` spanning [x0, x1]."""
    out = []
    for tick in nice_ticks(low, high, count):
        x = x0 + (x1 - x0) * (tick - low) / (high - low) if high > low else x0
        out.append(f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{_num(y)}" y2="{_num(y + 3)}" '
                   'class="axis"/>')  # fmt: skip
        out.append(f'<text x="{_num(x)}" y="{_num(y + 13)}" text-anchor="middle" class="tick">'
                   f"{escape(_label(tick))}</text>")  # fmt: skip
    return out


def _y_ticks(low: float, high: float, y0: float, y1: float, x: float, count: int = 3) -> list[str]:
    """Tick marks and labels on a vertical axis at ``x``, ``y0`` the bottom, ``y1`` the top."""
    out = []
    for tick in nice_ticks(low, high, count):
        y = y0 - (y0 - y1) * (tick - low) / (high - low) if high > low else y0
        out.append(f'<line x1="{_num(x - 3)}" x2="{_num(x)}" y1="{_num(y)}" y2="{_num(y)}" '
                   'class="axis"/>')  # fmt: skip
        out.append(f'<text x="{_num(x - 5)}" y="{_num(y + 3)}" text-anchor="end" class="tick">'
                   f"{escape(_label(tick))}</text>")  # fmt: skip
    return out


def histogram(
    edges: Sequence[float],
    counts: Sequence[int],
    title: str,
    width: int = 260,
    height: int = 110,
    color: str = PALETTE[0],
) -> str:
    """A histogram from bin ``edges`` and ``counts``, the range written below it."""
    pad_x, top, bottom = 30, 18, 20
    inner_w, inner_h = width - 2 * pad_x, height - top - bottom
    parts = [_open(width, height, title)]
    parts.append(f'<text x="{pad_x}" y="12" class="t">{escape(title)}</text>')
    if not counts or max(counts) == 0:
        parts.append(f'<text x="{pad_x}" y="{top + inner_h / 2:.0f}">no values</text></svg>')
        return "".join(parts)
    peak = max(counts)
    bar_w = inner_w / len(counts)
    for i, count in enumerate(counts):
        if not count:
            continue
        h = max(inner_h * count / peak, 1.0)
        parts.append(
            f'<rect x="{_num(pad_x + i * bar_w)}" y="{_num(top + inner_h - h)}" '
            f'width="{_num(max(bar_w - 0.5, 0.5))}" height="{_num(h)}" fill="{color}">'
            f"<title>[{escape(_label(edges[i]))}, {escape(_label(edges[i + 1]))}): "
            f"{count}</title></rect>"
        )
    parts.append(f'<line x1="{pad_x}" x2="{width - pad_x}" y1="{top + inner_h}" '
                 f'y2="{top + inner_h}" class="axis"/>')  # fmt: skip
    parts.append(f'<line x1="{pad_x}" x2="{pad_x}" y1="{top}" y2="{top + inner_h}" class="axis"/>')
    parts += _x_ticks(edges[0], edges[-1], pad_x, width - pad_x, top + inner_h)
    parts += _y_ticks(0.0, float(peak), top + inner_h, top, pad_x, count=2)
    parts.append("</svg>")
    return "".join(parts)


def differences(
    labels: Sequence[str],
    values: Sequence[float],
    halves: Sequence[float],
    zero_label: str,
    highlight: Sequence[str] = (),
    title: str = "",
    axis_label: str = "",
    width: int = 640,
    limit: float | None = None,
) -> str:
    """One row per label: its difference to a reference as a dot, ± ``halves`` as a bar,
    and the reference as a dashed line at zero labelled ``zero_label``; highlighted rows
    in color. A bar wholly left of the line is lower by more than its half-width. Rows
    whose value is above ``limit`` are far worse than the rest: drawn as an arrow at the
    right edge with their value, so that they do not squeeze the close ones into a dot."""
    row_h, top, left, right, bottom = 20, 40, 190, 20, 40
    height = top + row_h * len(labels) + bottom
    parts = [_open(width, height, title)]
    parts.append(f'<text x="4" y="14" class="t">{escape(title)}</text>')
    if not labels:
        return "".join([*parts, "</svg>"])
    shown = [(v, h) for v, h in zip(values, halves, strict=True) if limit is None or v <= limit]
    low = min(0.0, *(v - h for v, h in shown))
    high = max(0.0, *(v + h for v, h in shown))
    if not high > low:
        low, high = -1.0, 1.0
    span = high - low
    low, high = low - 0.05 * span, high + 0.05 * span

    def x(value: float) -> float:
        return left + (width - left - right) * (value - low) / (high - low)

    base = top + row_h * len(labels)
    zero = _num(x(0.0))
    parts.append(
        f'<line x1="{zero}" x2="{zero}" y1="{top - 6}" y2="{base}" class="axis" '
        f'stroke-dasharray="4 3"/><text x="{zero}" y="{top - 10}" text-anchor="middle" '
        f'class="tick">{escape(zero_label)}</text>'
    )
    for i, (label, value, half) in enumerate(zip(labels, values, halves, strict=True)):
        y = top + row_h * i + row_h / 2
        color = PALETTE[1] if label in highlight else PALETTE[0]
        parts.append(
            f'<text x="{left - 8}" y="{_num(y + 4)}" text-anchor="end">{escape(label)}</text>'
        )
        tip = f"<title>{escape(label)}: {value:+.4g} ± {half:.2g}</title>"
        if limit is not None and value > limit:
            parts += _off_scale(width - right, y, value, color, tip)
            continue
        parts.append(
            f'<line x1="{_num(x(value - half))}" x2="{_num(x(value + half))}" y1="{_num(y)}" '
            f'y2="{_num(y)}" stroke="{color}" stroke-width="2"/>'
        )
        parts.append(
            f'<circle cx="{_num(x(value))}" cy="{_num(y)}" r="4" fill="{color}">{tip}</circle>'
        )
    parts += _x_axis(low, high, left, width - right, base, axis_label)
    return "".join([*parts, "</svg>"])


def _x_axis(low: float, high: float, x0: float, x1: float, y: float, label: str) -> list[str]:
    """A horizontal axis at ``y`` from ``x0`` to ``x1``: the line, its ticks and its label."""
    out = [f'<line x1="{x0}" x2="{x1}" y1="{y}" y2="{y}" class="axis"/>']
    out += _x_ticks(low, high, x0, x1, y, count=5)
    if label:
        middle = f"{(x0 + x1) / 2:.0f}"
        out.append(f'<text x="{middle}" y="{y + 30}" text-anchor="middle">{escape(label)}</text>')
    return out


def _off_scale(edge: float, y: float, value: float, color: str, tip: str) -> list[str]:
    """An arrow at the right edge with its value: a row far beyond the chart's scale."""
    return [
        f'<polygon points="{_num(edge - 8)},{_num(y - 5)} {_num(edge)},{_num(y)} '
        f'{_num(edge - 8)},{_num(y + 5)}" fill="{color}">{tip}</polygon>',
        f'<text x="{_num(edge - 12)}" y="{_num(y + 4)}" text-anchor="end" '
        f'class="tick">+{escape(_label(value))}, off the scale</text>',
    ]


def lines(
    series: Sequence[tuple[str, Sequence[float]]],
    title: str = "",
    x_label: str = "epoch",
    y_label: str = "",
    width: int = 640,
    height: int = 260,
) -> str:
    """Line chart of named series over their index (epochs), with a legend."""
    top, left, right, bottom = 24, 56, 150, 30
    parts = [_open(width, height, title)]
    parts.append(f'<text x="4" y="14" class="t">{escape(title)}</text>')
    values = [v for _, ys in series for v in ys if math.isfinite(v)]
    if not values:
        return "".join([*parts, "</svg>"])
    low, high = min(values), max(values)
    if not high > low:
        low, high = low - 1.0, high + 1.0
    longest = max(len(ys) for _, ys in series)
    inner_w, inner_h = width - left - right, height - top - bottom

    def px(i: int) -> float:
        return left + inner_w * (i / max(longest - 1, 1))

    def py(v: float) -> float:
        return top + inner_h * (1 - (v - low) / (high - low))

    parts.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + inner_h}" class="axis"/>')
    parts.append(
        f'<line x1="{left}" x2="{left + inner_w}" y1="{top + inner_h}" y2="{top + inner_h}" '
        'class="axis"/>'
    )
    parts += _y_ticks(low, high, top + inner_h, top, left)
    parts += _x_ticks(1.0, float(max(longest, 2)), left, left + inner_w, top + inner_h, count=5)
    parts.append(
        f'<text x="{left + inner_w / 2:.0f}" y="{height - 2}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
    )
    if y_label:
        parts.append(
            f'<text x="12" y="{top + inner_h / 2:.0f}" text-anchor="middle" '
            f'transform="rotate(-90 12 {top + inner_h / 2:.0f})">{escape(y_label)}</text>'
        )
    for n, (name, ys) in enumerate(series):
        color = PALETTE[n % len(PALETTE)]
        points = " ".join(
            f"{_num(px(i))},{_num(py(v))}" for i, v in enumerate(ys) if math.isfinite(v)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2">'
            f"<title>{escape(name)}</title></polyline>"
        )
        ly = top + 14 * n + 6
        parts.append(
            f'<line x1="{left + inner_w + 10}" x2="{left + inner_w + 28}" y1="{ly}" y2="{ly}" '
            f'stroke="{color}" stroke-width="3"/>'
        )
        parts.append(f'<text x="{left + inner_w + 32}" y="{ly + 4}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
    )
