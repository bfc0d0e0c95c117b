"""A mergeable summary of a whole table: what the streaming profile keeps, batch by batch.

`TableSummary` holds each numeric column's exact `NumericAccumulator`; for each text column,
what the column classifier reads (`advisor.table.kinds.TextFacts`: each value's count in
order of first appearance, and the first values in row order), its missing count, and an
accumulator of the numbers its cells parse as (used when the classifier calls the column
numeric: three junk cells in a million numbers); and one `RowSample` of whole rows, the
text columns' parsed values included. Summaries of
consecutive parts of the data `merge` into the summary of both (the sample exactly; the
exact statistics to floating-point rounding), so partitions can be summarized by different
processes or machines (`advisor.cluster.profile`) and the client profiles the
merged summary with `profile_summary`, as the single-process streaming path does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from advisor.io.markers import MISSING_MARKERS
from advisor.profiling.column import categorical_from_counts, feature_from_summary
from advisor.profiling.column_summary import summarize_accumulator
from advisor.profiling.layout_facts import LayoutFacts
from advisor.profiling.sketch import RESERVOIR_ROWS, NumericAccumulator, RowSample
from advisor.table.kinds import HEAD, ColumnNote, Decision, TextFacts, classify_text, parse_numbers

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from advisor.profiling.types import FeatureProfile


@dataclass
class TableSummary:
    """Mergeable facts about a table's rows (see the module docs)."""

    names: list[str]
    kinds: dict[str, str]  # column -> number/text/empty (`advisor.io.partitions`)
    seed: int = 0
    sample_rows: int = RESERVOIR_ROWS
    n_rows: int = 0
    accumulators: dict[str, NumericAccumulator] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # raw value -> count
    heads: dict[str, list[str]] = field(default_factory=dict)  # first present raw values
    padded: dict[str, bool] = field(default_factory=dict)  # some value has spaces around it
    text_missing: dict[str, int] = field(default_factory=dict)
    sample: RowSample | None = None  # columns: the numeric ones, then the text ones
    layout: LayoutFacts | None = None  # what the table's layout is read from

    def __post_init__(self) -> None:
        if self.sample is None:
            self.accumulators = {name: NumericAccumulator() for name in self.names}
            self.counts = {name: {} for name in self.text}
            self.heads = {name: [] for name in self.text}
            self.padded = dict.fromkeys(self.text, False)
            self.text_missing = dict.fromkeys(self.text, 0)
            self.sample = RowSample(len(self.names), self.sample_rows, self.seed)
            self.layout = LayoutFacts.start(self.names, set(self.text))

    @property
    def numeric(self) -> list[str]:
        return [name for name in self.names if self.kinds[name] != "text"]

    @property
    def text(self) -> list[str]:
        return [name for name in self.names if self.kinds[name] == "text"]

    def update(self, table: pa.Table, start: int | None = None) -> None:
        """Add rows (an Arrow table with the summary's columns); ``start``: the position
        of its first row in the whole data (default: right after the rows seen so far)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        assert self.sample is not None and self.layout is not None
        self.n_rows += table.num_rows
        numeric, text = self.numeric, self.text
        texts: dict[str, TextCells] = {}
        block = np.empty((table.num_rows, len(numeric) + len(text)), dtype=np.float64)
        for index, name in enumerate(numeric):
            column = table.column(name)
            block[:, index] = pc.cast(column, pa.float64(), safe=False).to_numpy(
                zero_copy_only=False
            )
            self.accumulators[name].update(block[:, index])
        for index, name in enumerate(text, start=len(numeric)):
            column = table.column(name)
            self.text_missing[name] += column.null_count
            cells = texts[name] = text_cells(column)
            self.padded[name] = self.padded[name] or cells.padded
            counts = self.counts[name]
            for value, count in zip(cells.values, cells.counts.tolist(), strict=True):
                counts[value] = counts.get(value, 0) + count
            head, offset = self.heads[name], 0
            while len(head) < HEAD and offset < len(column):
                head.extend(v for v in column.slice(offset, HEAD).to_pylist() if _present(v))
                offset += HEAD
            del head[HEAD:]
            self.accumulators[name].update(cells.numbers)
            block[:, index] = cells.parsed
        self.sample.update(block, start)
        self.layout.update({name: block[:, i] for i, name in enumerate(numeric)}, texts)

    def merge(self, later: TableSummary) -> TableSummary:
        """This summary followed by ``later`` (the rows after these, in reading order)."""
        if later.names != self.names:
            raise ValueError("summaries of tables with other columns do not merge")
        assert self.sample is not None and later.sample is not None
        assert self.layout is not None and later.layout is not None
        self.n_rows += later.n_rows
        for name, accumulator in self.accumulators.items():
            accumulator.merge(later.accumulators[name])
        for name, counts in self.counts.items():
            for value, count in later.counts[name].items():
                counts[value] = counts.get(value, 0) + count
            self.text_missing[name] += later.text_missing[name]
            self.heads[name] = (self.heads[name] + later.heads[name])[:HEAD]
            self.padded[name] = self.padded[name] or later.padded[name]
        self.sample.merge(later.sample)
        self.layout.merge(later.layout)
        return self


def summary_features(summary: TableSummary) -> tuple[list[FeatureProfile], list[ColumnNote]]:
    """Every column's profile from a summary, in the table's column order, and the notes
    of the classifier's decisions on its text columns."""
    assert summary.sample is not None
    sample = summary.sample.sample
    features, notes = [], []
    numeric = summary.numeric
    for index, name in enumerate(summary.names):
        column = sample[:, numeric.index(name) if name in numeric else _text_index(summary, name)]
        seed = summary.seed + index
        if name in numeric:
            facts = summarize_accumulator(summary.accumulators[name], column, name, seed)
            features.append(feature_from_summary(facts))
            continue
        parsed = summary.accumulators[name]
        text = TextFacts.of_raw(
            summary.counts[name],
            summary.heads[name],
            parsed.n_rows - parsed.missing,
            summary.padded[name],
        )
        decision = classify_text(text, name)
        if decision.note is not None:
            notes.append(decision.note)
        features.append(_text_feature(summary, name, text, decision, column, seed))
    return features, notes


def _text_index(summary: TableSummary, name: str) -> int:
    return len(summary.numeric) + summary.text.index(name)


def _text_feature(
    summary: TableSummary,
    name: str,
    text: TextFacts,
    decision: Decision,
    column: np.ndarray,
    seed: int,
) -> FeatureProfile:
    """A text column's profile as the classifier decided: numbers (from the accumulator of
    its parsed cells), booleans (1/0, from the counts), categories, or set aside."""
    from advisor.profiling.types import FeatureProfile

    n_rows = summary.n_rows
    if decision.aside is not None:
        return FeatureProfile(name, decision.aside, n_rows, 0, 0, 0, 0.0, 0)
    if decision.cells == "text":
        counts = dict(text.counts)
        return categorical_from_counts(name, n_rows, n_rows - text.present, _series(counts))
    accumulator = summary.accumulators[name]
    if decision.cells == "booleans":
        accumulator = NumericAccumulator()
        for value, count in text.counts.items():
            accumulator.update(np.full(count, 1.0 if value.lower() == "true" else 0.0))
        accumulator.update(np.full(n_rows - text.present, np.nan))
    facts = summarize_accumulator(accumulator, column, name, seed)
    return feature_from_summary(facts)


def _series(counts: dict[str, int]) -> pd.Series:
    import pandas as pd

    return pd.Series(list(counts.values()), index=list(counts), dtype="int64").sort_index()


def _present(value: object) -> bool:
    """A raw cell with a value: not null, not empty, not a missing-value marker."""
    if value is None:
        return False
    text = str(value).strip()
    return bool(text) and text not in MISSING_MARKERS


@dataclass(frozen=True)
class TextCells:
    """One batch of a text column, encoded once: its distinct values (first appearance
    first), each cell's index in them, their counts, and each cell as a number (NaN where
    it is not one) and as the row sample keeps it (numbers, and ``true``/``false`` as 1/0)."""

    values: list[str]
    codes: np.ndarray  # each cell's index in values; -1: null
    counts: np.ndarray
    numbers: np.ndarray
    parsed: np.ndarray
    padded: bool  # some value has spaces around it


#: What a number `parse_numbers` reads can start with (spaces, a sign, then a digit, a
#: point and a digit, inf or nan): only such values are parsed.
_MAYBE_NUMBER = r"^\s*[-+]?(?:[0-9]|\.[0-9]|inf|nan)"


def text_cells(column: pa.ChunkedArray | pa.Array) -> TextCells:
    """A batch of a text column as `TextCells` (one dictionary encoding of it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = pc.dictionary_encode(column)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.intp)
    dictionary = encoded.dictionary
    values = [str(v) for v in dictionary.to_pylist()]
    counts = np.bincount(codes[codes >= 0], minlength=len(values))
    numbers = np.full(len(values) + 1, np.nan)
    maybe = pc.match_substring_regex(dictionary, _MAYBE_NUMBER, ignore_case=True)
    candidates = np.flatnonzero(maybe.to_numpy(zero_copy_only=False))
    if candidates.size:
        numbers[candidates] = parse_numbers([values[i].strip() for i in candidates])
    parsed = numbers.copy()
    words = pc.utf8_lower(pc.utf8_trim_whitespace(dictionary))
    parsed[:-1][pc.equal(words, "true").to_numpy(zero_copy_only=False)] = 1.0
    parsed[:-1][pc.equal(words, "false").to_numpy(zero_copy_only=False)] = 0.0
    padded = any(v != v.strip() for v in values)
    return TextCells(values, codes, counts, numbers[codes], parsed[codes], padded)
