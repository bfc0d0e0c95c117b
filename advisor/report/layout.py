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


def text_table(
    rows: Sequence[tuple[str, ...]],
    indent: str = "",
    width: int | None = None,
    drop: Sequence[int] = (),
) -> list[str]:
    """Rows as left-aligned columns, with a rule of dashes under the first (the header).

    Within ``width`` characters: the columns in ``drop`` go first (in that order, the least
    useful first), then the widest column's cells are shortened with an ellipsis."""
    rows = [tuple(str(c) for c in r) for r in rows]
    if width is not None:
        rows = _fit(rows, width - len(indent), list(drop))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [str(c).ljust(w) for c, w in zip(row, widths, strict=True)]
        out.append((indent + "  ".join(cells)).rstrip())
        if n == 0:
            out.append(indent + "  ".join("-" * w for w in widths))
    return out


def _fit(rows: list[tuple[str, ...]], width: int, drop: list[int]) -> list[tuple[str, ...]]:
    def total(rs: list[tuple[str, ...]]) -> int:
        return sum(max(len(r[i]) for r in rs) for i in range(len(rs[0]))) + 2 * (len(rs[0]) - 1)

    keep = list(range(len(rows[0])))
    for index in drop:
        if total(rows) <= width:
            break
        position = keep.index(index)
        keep.pop(position)
        rows = [r[:position] + r[position + 1 :] for r in rows]
    excess = total(rows) - width
    if excess > 0 and len(rows[0]) > 1:
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        widest = max(range(1, len(widths)), key=lambda i: widths[i])
        limit = max(8, widths[widest] - excess)
        rows = [(*r[:widest], _shorten(r[widest], limit), *r[widest + 1 :]) for r in rows]
    return rows


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wrap(lines: Sequence[str], width: int | None) -> list[str]:
    """Lines longer than ``width`` wrapped at spaces, continuation lines indented four
    spaces past the line's own indent (tables are fitted by `text_table` instead)."""
    if width is None:
        return list(lines)
    import textwrap

    out: list[str] = []
    for line in lines:
        if len(line) <= width or "\x1b[" in line:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip(" ")))
        out += textwrap.wrap(
            line.strip(),
            width=width,
            initial_indent=indent,
            subsequent_indent=indent + "    ",
            break_on_hyphens=False,
        ) or [line]
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
