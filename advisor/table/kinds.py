"""The one column classifier: what a column is, decided once for every path.

In: a column's values (in memory), or `TextFacts`, the few mergeable facts a stream or a
cluster keeps of a text column (each present value's count in order of first appearance,
and the first present values). Out: a `Decision`: the column's kind (numeric,
categorical, datetime or id-like), how its cells become values (numbers, booleans as
0/1, text), and the note the report shows. `advise`'s loader, `advise profile` in memory,
the streaming profile, the Dask workers' summaries and `advise check` all call
`classify_text` on the same facts, so a file gets the same kinds on every path.

What it decides, in order, for a text column (cells stripped; empty cells and the markers
of `advisor.io.markers` are missing):

1. no present value: numeric, every cell missing;
2. every value ``true`` or ``false`` (any case): numbers 1/0;
3. zero-padded digits of one width (`advisor.io.codes`): codes, categorical;
4. at least `NUMERIC_TEXT_SHARE` of the values parse as numbers: numeric, the rest
   missing (the note names the first three such values in row order);
5. dates (`advisor.table.dates`): set aside as datetime;
6. more than 20 distinct values and more than `ID_LIKE_SHARE` of the present values:
   id-like, set aside;
7. else categorical.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from advisor.io.codes import zero_padded
from advisor.io.markers import MISSING_MARKERS
from advisor.table.dates import looks_like_datetime

if TYPE_CHECKING:
    import pandas as pd

#: A text column with more distinct values than this share of rows (and > 20) is id-like.
ID_LIKE_SHARE = 0.5
#: A text column is read as numbers when at least this share of its values parse as numbers.
NUMERIC_TEXT_SHARE = 0.95
#: Present values kept in row order: what the date test reads (`looks_like_datetime`).
HEAD = 200
#: The note of a date column, whether its file typed it as dates or as text.
DATES = "dates: read as dates"

SetAside = Literal["datetime", "id-like"]
Kind = Literal["numeric", "categorical", SetAside]
Cells = Literal["numbers", "booleans", "text", "none"]


@dataclass(frozen=True)
class ColumnNote:
    """Something the loader decided about one column, for the report."""

    column: str
    kind: str  # "dropped", "coerced", "info"
    message: str

    def __str__(self) -> str:
        return f"{self.column}: {self.message}"


@dataclass(frozen=True)
class Decision:
    """A column's kind, how its cells become values, and the note to show (if any)."""

    kind: Kind
    cells: Cells  # "none": the column is set aside (datetime, id-like)
    note: ColumnNote | None = None

    @property
    def aside(self) -> SetAside | None:
        """The kind of a column set aside from the features (dates, ids), else None."""
        return self.kind if self.kind == "datetime" or self.kind == "id-like" else None


@dataclass(frozen=True)
class TextFacts:
    """What the classifier reads of a text column: each present (stripped, not missing)
    value's count, in order of first appearance, and the first `HEAD` present values in
    row order. Both merge exactly, so a stream's or a cluster's facts are the facts of
    the whole column."""

    counts: Mapping[str, int]
    head: tuple[str, ...]
    #: How many present values parse as numbers, where the caller has counted them (a
    #: stream's accumulator of its parsed cells); else `classify_text` parses the values.
    numbers: int | None = None

    @property
    def present(self) -> int:
        return sum(self.counts.values())

    @classmethod
    def of_text(cls, text: pd.Series, missing: pd.Series) -> TextFacts:
        """The facts of a column held in memory (``text``: its cells as stripped text,
        ``missing``: which of them are missing)."""
        import numpy as np
        import pandas as pd

        present = text[~missing]
        codes, uniques = pd.factorize(present.to_numpy(dtype=object), sort=False)
        counts = np.bincount(codes, minlength=len(uniques))
        return cls(
            dict(zip((str(u) for u in uniques), (int(c) for c in counts), strict=True)),
            tuple(str(v) for v in present.iloc[:HEAD]),
        )

    @classmethod
    def of_raw(
        cls,
        counts: Mapping[str, int],
        head: Iterable[str],
        numbers: int | None = None,
        padded: bool = True,
    ) -> TextFacts:
        """The facts from raw cell values (markers included) and their counts in order of
        first appearance, and the first raw values in row order; ``padded``: whether some
        value has spaces around it (else the values are taken as they are)."""
        merged: dict[str, int] = {}
        if padded:
            for value, count in counts.items():
                key = value.strip()
                merged[key] = merged.get(key, 0) + count
        else:
            merged = dict(counts)
        for marker in ("", *MISSING_MARKERS):
            merged.pop(marker, None)
        kept = [v.strip() for v in head]
        kept = [v for v in kept if v and v not in MISSING_MARKERS]
        return cls(merged, tuple(kept[:HEAD]), numbers)


def parse_numbers(values: Iterable[str]) -> list[float]:
    """Each text value as a number, NaN where it is not one (pandas' `to_numeric`, the
    parse every path uses)."""
    import pandas as pd

    parsed = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce")
    return [float(v) for v in parsed.astype(float)]


def classify_text(facts: TextFacts, column: str) -> Decision:
    """The kind of a text column from its facts (the order in the module docs)."""
    counts = facts.counts
    present = facts.present
    if present == 0:
        return Decision("numeric", "numbers")
    if all(value.lower() in ("true", "false") for value in counts):
        return Decision("numeric", "booleans")
    if zero_padded(counts, count=present):
        example = next(v for v in counts if v.startswith("0"))
        message = f"zero-padded digits ({example!r}): codes, not amounts"
        return Decision("categorical", "text", ColumnNote(column, "info", message))
    if facts.numbers is None:
        keys = list(counts)
        bad = [k for k, number in zip(keys, parse_numbers(keys), strict=True) if number != number]
        n_bad = sum(counts[key] for key in bad)
    else:
        bad, n_bad = None, present - facts.numbers
    if (present - n_bad) / present >= NUMERIC_TEXT_SHARE:
        if not n_bad:
            return Decision("numeric", "numbers")
        shown = bad[:3] if bad is not None else _first_not_numbers(counts, 3)
        examples = ", ".join(repr(v) for v in shown)
        message = f"{n_bad} non-numeric values ({examples}) read as missing"
        return Decision("numeric", "numbers", ColumnNote(column, "coerced", message))
    if looks_like_datetime(_series(facts.head)):
        return Decision("datetime", "none", ColumnNote(column, "info", DATES))
    if len(counts) > 20 and len(counts) > ID_LIKE_SHARE * present:
        message = f"id-like text: {len(counts)} distinct values in {present} rows"
        return Decision("id-like", "none", ColumnNote(column, "dropped", message))
    return Decision("categorical", "text")


def _first_not_numbers(counts: Mapping[str, int], count: int) -> list[str]:
    """The first ``count`` values (in order of first appearance) that are not numbers."""
    found: list[str] = []
    keys = list(counts)
    for start in range(0, len(keys), 256):
        chunk = keys[start : start + 256]
        found += [k for k, n in zip(chunk, parse_numbers(chunk), strict=True) if n != n]
        if len(found) >= count:
            break
    return found[:count]


def dates(column: str) -> Decision:
    """A column its file already types as dates or times."""
    return Decision("datetime", "none", ColumnNote(column, "info", DATES))


def classify(values: pd.Series, column: str) -> tuple[Decision, pd.Series | None]:
    """A column held in memory: its decision (numbers and booleans by their dtype, dates
    by theirs, text by `classify_text`) and its cells as the decision reads them: float
    numbers (missing as NaN; booleans as 1/0) or stripped text (missing as NaN); None for
    a column set aside. The text is stripped once, for both."""
    import numpy as np
    import pandas as pd

    from advisor.io.markers import missing_text

    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        return Decision("numeric", "numbers"), values.astype(float)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return dates(column), None
    text = values.astype("string").str.strip()
    missing = missing_text(text)
    decision = classify_text(TextFacts.of_text(text, missing), column)
    if decision.cells == "none":
        return decision, None
    if decision.cells == "booleans":
        return decision, text.str.lower().map({"true": 1.0, "false": 0.0}).astype(float)
    if decision.cells == "text":
        return decision, text.where(~missing).astype(object)
    if bool(missing.all()):
        return decision, pd.Series(np.full(len(values), np.nan), name=values.name)
    return decision, pd.to_numeric(text.where(~missing), errors="coerce").astype(float)


def _series(values: tuple[str, ...]) -> pd.Series:
    import pandas as pd

    return pd.Series(list(values), dtype=object)
