"""Mergeable per-column summaries: exact counts and moments, and a seeded row reservoir
for order statistics, so a file larger than memory is profiled in one streaming pass."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from advisor.profiling.colstats import Moments, fast_log1p, power_of_two_scale

#: Distinct values are tracked exactly up to this many; beyond, only "more than" is known.
DISTINCT_CAP = 10_000
#: Rows kept in the reservoir sample (order statistics on the streaming path).
RESERVOIR_ROWS = 100_000


@dataclass
class NumericAccumulator:
    """Exact, mergeable facts about one numeric column, updated batch by batch."""

    n_rows: int = 0
    missing: int = 0
    non_finite: int = 0
    moments: Moments = field(default_factory=lambda: Moments(0, 0.0, 0.0, 0.0, 0.0))
    log_moments: Moments | None = field(default_factory=lambda: Moments(0, 0.0, 0.0, 0.0, 0.0))
    min: float = math.inf
    max: float = -math.inf
    count_at_min: int = 0
    count_at_max: int = 0
    zeros: int = 0
    negatives: int = 0
    integer_valued: bool = True
    distinct: np.ndarray | None = field(default_factory=lambda: np.zeros(0))
    increasing: bool = True  # strictly increasing in file order, nothing missing
    last: float = -math.inf

    def update(self, values: np.ndarray) -> None:
        """Add the next rows of the column (float64; NaN = missing) in file order."""
        self.n_rows += values.size
        nan = np.isnan(values)
        finite = np.isfinite(values)
        self.missing += int(nan.sum())
        self.non_finite += int((~finite & ~nan).sum())
        x = values[finite]
        if x.size != values.size:
            self.increasing = False
        if x.size == 0:
            return
        if self.increasing:
            self.increasing = bool(x[0] > self.last and np.all(x[1:] > x[:-1]))
            self.last = float(x[-1])
        lo, hi = float(x.min()), float(x.max())
        if lo < self.min:
            self.min, self.count_at_min = lo, 0
        if hi > self.max:
            self.max, self.count_at_max = hi, 0
        self.count_at_min += int(np.count_nonzero(x == self.min))
        self.count_at_max += int(np.count_nonzero(x == self.max))
        self.zeros += int(np.count_nonzero(x == 0.0))
        self.negatives += int(np.count_nonzero(x < 0.0))
        if self.integer_valued:
            self.integer_valued = bool(np.all(np.floor(x) == x))
        scale = power_of_two_scale(max(abs(lo), abs(hi)))
        self.moments = self.moments.merge(Moments.of(x, max(scale, self.moments.scale)))
        if self.log_moments is not None:
            self.log_moments = (
                None if self.negatives else self.log_moments.merge(Moments.of(fast_log1p(x)))
            )
        if self.distinct is not None:
            merged = np.union1d(self.distinct, np.unique(x))
            self.distinct = merged if merged.size <= DISTINCT_CAP else None

    @property
    def count(self) -> int:
        return self.n_rows - self.missing - self.non_finite

    @property
    def n_distinct(self) -> int | None:
        return None if self.distinct is None else int(self.distinct.size)


class RowReservoir:
    """A uniform sample of rows (Vitter's algorithm R, vectorised per batch), seeded.

    After t rows every row has been kept with probability min(1, size / t); the same rows
    are kept for every column, so the sample is also a sample of whole rows.
    """

    def __init__(self, n_columns: int, size: int = RESERVOIR_ROWS, seed: int = 0) -> None:
        self.size = size
        self.rows = np.empty((size, n_columns), dtype=np.float64)
        self.filled = 0
        self.seen = 0
        self.rng = np.random.default_rng(seed)

    def update(self, block: np.ndarray) -> None:
        m = block.shape[0]
        start = 0
        if self.filled < self.size:
            take = min(self.size - self.filled, m)
            self.rows[self.filled : self.filled + take] = block[:take]
            self.filled += take
            self.seen += take
            start = take
        if start >= m:
            return
        index = self.seen + np.arange(1, m - start + 1)  # 1-based position of each row
        slots = np.floor(self.rng.random(m - start) * index).astype(np.int64)
        keep = slots < self.size
        # Sequential semantics: a later row replacing the same slot wins (numpy assigns
        # repeated indices in order).
        self.rows[slots[keep]] = block[start:][keep]
        self.seen += m - start

    @property
    def sample(self) -> np.ndarray:
        return self.rows[: self.filled]
