"""A numeric column's summary: the exact facts (counts, moments, extremes) and the sorted
values its statistics are computed from, for a whole column or a streamed one.

In: a column's values as a float64 array, or a streaming accumulator plus a row sample.
Out: a `ColumnSummary` (`advisor.profiling.column` builds the `FeatureProfile` from it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from advisor.profiling import colstats
from advisor.profiling.colstats import Moments, power_of_two_scale
from advisor.profiling.sketch import NumericAccumulator


@dataclass
class ColumnSummary:
    """What the statistics are computed from: exact facts plus sorted values (the whole
    column, or a sample of it when ``sketched``)."""

    name: str
    n_rows: int
    missing: int
    non_finite: int
    moments: Moments
    log_moments: Moments | None
    min: float
    max: float
    count_at_min: int
    count_at_max: int
    zeros: int
    negatives: int
    integer_valued: bool
    n_distinct: int | None  # None: more than the streaming cap
    increasing: bool
    ordered: np.ndarray  # sorted finite values
    sketched: bool = False
    seed: int = 0

    @property
    def count(self) -> int:
        return self.n_rows - self.missing - self.non_finite


def summarize_values(values: np.ndarray, name: str, seed: int = 0) -> ColumnSummary:
    """Exact summary of a whole column (float array, NaN = missing)."""
    values = np.asarray(values, dtype=np.float64)
    nan = np.isnan(values)
    finite = ~nan & np.isfinite(values)
    x = values[finite] if not finite.all() else values
    ordered = np.sort(x)
    n = ordered.size
    if n == 0:
        return ColumnSummary(
            name,
            values.size,
            int(nan.sum()),
            int((~finite & ~nan).sum()),
            Moments(0, 0.0, 0.0, 0.0, 0.0),
            None,
            math.nan,
            math.nan,
            0,
            0,
            0,
            0,
            True,
            0,
            False,
            ordered,
            seed=seed,
        )
    lo, hi = float(ordered[0]), float(ordered[-1])
    scale = power_of_two_scale(max(abs(lo), abs(hi)))
    negatives = int(np.searchsorted(ordered, 0.0, side="left"))
    zeros = int(np.searchsorted(ordered, 0.0, side="right")) - negatives
    changes = ordered[1:] != ordered[:-1]
    distinct = int(np.count_nonzero(changes)) + 1
    integer = bool(np.array_equal(np.floor(ordered, out=colstats.scratch("floor", n)), ordered))
    with np.errstate(over="ignore", invalid="ignore"):
        increasing = bool(finite.all() and n > 1 and np.all(values[1:] > values[:-1]))
    moments, log_moments = colstats.column_moments(
        x, ordered, changes, distinct, scale, negatives == 0
    )
    return ColumnSummary(
        name=name,
        n_rows=values.size,
        missing=int(nan.sum()),
        non_finite=int((~finite & ~nan).sum()),
        moments=moments,
        log_moments=log_moments,
        min=lo,
        max=hi,
        count_at_min=int(np.searchsorted(ordered, lo, side="right")),
        count_at_max=n - int(np.searchsorted(ordered, hi, side="left")),
        zeros=zeros,
        negatives=negatives,
        integer_valued=integer,
        n_distinct=distinct,
        increasing=increasing,
        ordered=ordered,
        seed=seed,
    )


def summarize_accumulator(
    acc: NumericAccumulator, sample: np.ndarray, name: str, seed: int = 0
) -> ColumnSummary:
    """Summary from a streamed column: exact facts, order statistics from ``sample``."""
    values = sample[np.isfinite(sample)]
    return ColumnSummary(
        name=name,
        n_rows=acc.n_rows,
        missing=acc.missing,
        non_finite=acc.non_finite,
        moments=acc.moments,
        log_moments=acc.log_moments,
        min=acc.min if acc.count else math.nan,
        max=acc.max if acc.count else math.nan,
        count_at_min=acc.count_at_min,
        count_at_max=acc.count_at_max,
        zeros=acc.zeros,
        negatives=acc.negatives,
        integer_valued=acc.integer_valued,
        n_distinct=acc.n_distinct,
        increasing=acc.increasing and acc.count > 1,
        ordered=np.sort(values),
        sketched=acc.count > values.size,
        seed=seed,
    )
