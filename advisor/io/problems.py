"""What is wrong with a data file, in one line: a ragged line, a header with a name twice,
no columns or no data rows. The readers in `advisor.io.read` raise these as `InputError`s.

A duplicate name is found in the header as written (`header_names`): pandas renames a
second ``wt`` to ``wt.1``, so its frame cannot tell that from a column really named
``wt.1``.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from advisor.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}
#: The header line is looked for in this much of the file's start.
_HEADER_BYTES = 1 << 20


def header_names(text: str | bytes, delimiter: str = ",") -> list[str] | None:
    """The names of a CSV's header line as written (bytes are UTF-8); None where Python's
    reader cannot split it."""
    if isinstance(text, bytes):
        text = text[:_HEADER_BYTES].decode("utf-8-sig", errors="replace")
    try:
        return next(csv.reader(io.StringIO(text[:_HEADER_BYTES], newline=""), delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None


def check_shape(frame: pd.DataFrame, name: str, header: list[str] | None = None) -> pd.DataFrame:
    """``frame`` if it has columns, rows and no name twice in ``header`` (the names as
    written; without them, a pandas-renamed ``x.1`` beside ``x`` counts as a repeat)."""
    if frame.shape[1] == 0:
        raise InputError(f"{name}: no columns found in the header line")
    if len(frame) == 0:
        raise InputError(f"{name}: has a header but no data rows")
    if header is None:
        columns = [str(c) for c in frame.columns]
        repeated = [c[:-2] for c in columns if c.endswith(".1") and c[:-2] in columns]
        if repeated:
            raise InputError(f"{name}: duplicate column name {repeated[0]!r} in header")
    else:
        check_names(header, name)
    return frame


def check_names(header: list[str], name: str) -> None:
    """One line when a name appears twice in a header (blank names aside: readers name
    them apart), for every reader: pandas' frames and Arrow's tables and schemas."""
    names = [n.strip() for n in header if n.strip()]
    repeated = [n for i, n in enumerate(names) if n in names[:i]]
    if repeated:
        raise InputError(f"{name}: duplicate column name {repeated[0]!r} in header")


def describe_parse_error(name: str, text: str, exc: Exception, delimiter: str = ",") -> str:
    """Find the first ragged line (the parser's own message rarely names it)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    expected: int | None = None
    try:
        for line_no, row in enumerate(reader, start=1):
            if not row:
                continue
            if expected is None:
                expected = len(row)
            elif len(row) != expected:
                return (
                    f"{name}, line {line_no}: expected {expected} fields as in the header, "
                    f"found {len(row)} (fields separated by "
                    f"{_DELIMITER_NAMES.get(delimiter, repr(delimiter))})"
                )
    except csv.Error:  # not even Python's reader splits it into rows: the parser's words
        pass
    return f"{name}: cannot parse as CSV ({first_line(exc)})"


def first_line(exc: BaseException) -> str:
    """An exception's message, its first line only."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
