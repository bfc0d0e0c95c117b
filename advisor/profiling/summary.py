"""A mergeable summary of a whole table: what the streaming profile keeps, batch by batch.

`TableSummary` holds each numeric column's exact `NumericAccumulator`, each text column's
value counts and missing count, and one `RowSample` of whole rows. Summaries of
consecutive parts of the data `merge` into the summary of both (the sample exactly; the
exact statistics to floating-point rounding), so partitions can be summarized by different
processes or machines (`advisor.profiling.distributed`) and the client profiles the
merged summary with `profile_summary`, as the single-process streaming path does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from advisor.profiling.column import (
    categorical_from_counts,
    feature_from_summary,
    summarize_accumulator,
)
from advisor.profiling.sketch import RESERVOIR_ROWS, NumericAccumulator, RowSample

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
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    text_missing: dict[str, int] = field(default_factory=dict)
    sample: RowSample | None = None

    def __post_init__(self) -> None:
        if self.sample is None:
            self.accumulators = {name: NumericAccumulator() for name in self.numeric}
            self.counts = {name: {} for name in self.text}
            self.text_missing = dict.fromkeys(self.text, 0)
            self.sample = RowSample(len(self.numeric), self.sample_rows, self.seed)

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

        assert self.sample is not None
        self.n_rows += table.num_rows
        numeric = self.numeric
        block = np.empty((table.num_rows, len(numeric)), dtype=np.float64)
        for index, name in enumerate(numeric):
            column = table.column(name)
            block[:, index] = pc.cast(column, pa.float64(), safe=False).to_numpy(
                zero_copy_only=False
            )
            self.accumulators[name].update(block[:, index])
        self.sample.update(block, start)
        for name in self.text:
            column = table.column(name)
            self.text_missing[name] += column.null_count
            found = column.drop_null().value_counts()
            counts = self.counts[name]
            values = [str(v) for v in found.field("values").to_pylist()]
            for value, count in zip(values, found.field("counts").to_pylist(), strict=True):
                counts[value] = counts.get(value, 0) + int(count)

    def merge(self, later: TableSummary) -> TableSummary:
        """This summary followed by ``later`` (the rows after these, in reading order)."""
        if later.names != self.names:
            raise ValueError("summaries of tables with other columns do not merge")
        assert self.sample is not None and later.sample is not None
        self.n_rows += later.n_rows
        for name, accumulator in self.accumulators.items():
            accumulator.merge(later.accumulators[name])
        for name, counts in self.counts.items():
            for value, count in later.counts[name].items():
                counts[value] = counts.get(value, 0) + count
            self.text_missing[name] += later.text_missing[name]
        self.sample.merge(later.sample)
        return self

    def value_counts(self, name: str) -> pd.Series:
        """A text column's counts as a Series (value -> count)."""
        import pandas as pd

        counts = self.counts[name]
        return pd.Series(list(counts.values()), index=list(counts), dtype="int64").sort_index()


def summarize_tables(
    tables: object, names: list[str], kinds: dict[str, str], seed: int, sample_rows: int
) -> TableSummary:
    """One summary of an iterable of Arrow tables (a file's or a partition's batches)."""
    summary = TableSummary(names, kinds, seed, sample_rows)
    for table in tables:  # type: ignore[attr-defined]
        summary.update(table)
    return summary


def summary_features(summary: TableSummary) -> list[FeatureProfile]:
    """Every column's profile from a summary, in the table's column order."""
    assert summary.sample is not None
    sample = summary.sample.sample
    features = []
    for index, name in enumerate(summary.numeric):
        facts = summarize_accumulator(
            summary.accumulators[name], sample[:, index], name, summary.seed + index
        )
        features.append(feature_from_summary(facts))
    for name in summary.text:
        features.append(
            categorical_from_counts(
                name, summary.n_rows, summary.text_missing[name], summary.value_counts(name)
            )
        )
    order = {name: i for i, name in enumerate(summary.names)}
    features.sort(key=lambda f: order[f.name])
    return features
