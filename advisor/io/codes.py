"""Whether text values are zero-padded codes: postal codes, identifiers, account numbers.

In: the present (non-missing, stripped) text values of a column, or the first lines of a
CSV. Out: True (or the names of such columns) when every value is digits of one width of
at least two, and some begin with a zero: "02134" is a code, and reading it as the number
2134 would lose the zero and invent an amount. The CSV readers keep such columns as text
(`advisor.io.read`), the loader and the profiler call them categorical.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

#: At least this many sampled values, so that one "007" in a short column is no evidence.
MIN_VALUES = 5


_DIGITS = re.compile(r"\d{2,}")


def zero_padded(present: Iterable[object], count: int | None = None) -> bool:
    """Every value is digits of one width >= 2, and at least one starts with 0 (``present``:
    any iterable of values, a pandas Series included; not pandas-dependent, so that reading
    a CSV for the profile does not import pandas). ``count``: how many values there are
    when ``present`` holds each distinct value once (default: the values themselves)."""
    width, zero, seen = -1, False, 0
    for value in present:
        text = str(value)
        if not _DIGITS.fullmatch(text) or width not in (-1, len(text)):
            return False
        width, zero, seen = len(text), zero or text.startswith("0"), seen + 1
    return zero and (seen if count is None else count) >= MIN_VALUES


def zero_padded_columns(sample: str, delimiter: str) -> tuple[str, ...]:
    """The columns of a CSV sample (its first lines; a cut last line is ignored) whose
    values are zero-padded codes."""
    lines = sample.splitlines()
    if len(lines) > 2 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    if len(rows) < 2:
        return ()
    header, body = rows[0], rows[1:]
    found = []
    for index, name in enumerate(header):
        values = [r[index].strip() for r in body if index < len(r) and r[index].strip()]
        if values and zero_padded(values):
            found.append(name)
    return tuple(found)
