"""Layout helpers the text and Markdown renderings share: number formatting, aligned
plain-text tables, optional ANSI styling and Markdown escaping (standard library only:
`advise check` renders with them without loading the advisor's heavy modules)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

Painter = Callable[..., str]


def fmt_value(value: Any) -> str:
    """A statistic for a report: floats to 4 significant digits, NaN as "nan"."""
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return f"{value:.4g}"
    return str(value)


def text_table(rows: Sequence[tuple[str, ...]], indent: str = "") -> list[str]:
    """Rows as left-aligned columns, with a rule of dashes under the first (the header)."""
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [str(c).ljust(w) for c, w in zip(row, widths, strict=True)]
        out.append((indent + "  ".join(cells)).rstrip())
        if n == 0:
            out.append(indent + "  ".join("-" * w for w in widths))
    return out


def painter(color: bool) -> Painter:
    """``paint(text, fg=..., bold=...)``: ANSI styling when ``color``, else the text."""

    def paint(text: str, fg: str | None = None, bold: bool = False) -> str:
        if not color:
            return text
        import click

        return click.style(text, fg=fg, bold=bold)

    return paint


def escape_markdown(value: str) -> str:
    """Data strings in prose: no raw HTML (PR comments render it) and no Markdown markup."""
    out = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]|":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", " ")
