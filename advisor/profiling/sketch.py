"""Mergeable per-column summaries: exact counts and moments, and a seeded bottom-k row
sample for order statistics, so a file larger than memory (or a directory of partitions
read by several workers) is profiled in one pass, with the same result however the rows
are split into batches or partitions."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from advisor.io.rowkeys import row_keys
from advisor.profiling.colstats import Moments, fast_log1p, power_of_two_scale

#: Distinct values are tracked exactly up to this many; beyond, only "more than" is known.
DISTINCT_CAP = 10_000
#: Rows kept in the row sample (order statistics on the streaming path).
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
    first: float = math.inf
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
        if self.first == math.inf and self.count == x.size:
            self.first = float(x[0])
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

    def merge(self, later: NumericAccumulator) -> NumericAccumulator:
        """This column's facts followed by ``later``'s (the rows after these, in order)."""
        if later.n_rows == 0:
            return self
        self.increasing = (
            self.increasing
            and later.increasing
            and (self.count == 0 or later.count == 0 or later.first > self.last)
        )
        if self.count == 0:
            self.first = later.first
        if later.count:
            self.last = later.last
        self.n_rows += later.n_rows
        self.missing += later.missing
        self.non_finite += later.non_finite
        self.moments = self.moments.merge(later.moments)
        if self.log_moments is not None and later.log_moments is not None:
            self.log_moments = self.log_moments.merge(later.log_moments)
        else:
            self.log_moments = None
        for side in ("min", "max"):
            mine, theirs = getattr(self, side), getattr(later, side)
            at = f"count_at_{side}"
            if mine == theirs:
                setattr(self, at, getattr(self, at) + getattr(later, at))
            elif (theirs < mine) == (side == "min"):
                setattr(self, side, theirs)
                setattr(self, at, getattr(later, at))
        self.zeros += later.zeros
        self.negatives += later.negatives
        self.integer_valued = self.integer_valued and later.integer_valued
        if self.distinct is not None and later.distinct is not None:
            merged = np.union1d(self.distinct, later.distinct)
            self.distinct = merged if merged.size <= DISTINCT_CAP else None
        else:
            self.distinct = None
        return self

    @property
    def count(self) -> int:
        return self.n_rows - self.missing - self.non_finite

    @property
    def n_distinct(self) -> int | None:
        return None if self.distinct is None else int(self.distinct.size)


class RowSample:
    """A seeded bottom-k sample of rows: the ``size`` rows with the smallest `row_keys`.

    A row's key depends only on its position in the data (partitions in reading order)
    and the seed, so the sample is a uniform random sample of the rows that is the same
    however the rows are split into batches or partitions and whichever worker reads them:
    summaries of partitions `merge` into exactly the sample of the whole. (Keys from the
    rows' values instead would make repeated rows enter all together or not at all: one
    frequent value would be all or nothing of the sample.)
    """

    def __init__(self, n_columns: int, size: int = RESERVOIR_ROWS, seed: int = 0) -> None:
        self.size = size
        self.seed = seed
        self.keys = np.empty(0, dtype=np.uint64)
        self.rows = np.empty((0, n_columns), dtype=np.float64)
        self.seen = 0
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_rows = 0
        self._threshold: np.uint64 | None = None  # the largest kept key once full

    def update(self, block: np.ndarray, start: int | None = None) -> None:
        """Add rows; ``start``: the position of the block's first row in the whole data
        (default: right after the rows this sample has seen)."""
        first = self.seen if start is None else start
        self.seen += block.shape[0]
        keys = row_keys(first, block.shape[0], self.seed)
        if self._threshold is not None:
            keep = keys <= self._threshold
            keys, block = keys[keep], block[keep]
        if keys.size:
            self._pending.append((keys, np.array(block, dtype=np.float64)))
            self._pending_rows += keys.size
        if self._pending_rows > self.size:
            self._compact()

    def merge(self, other: RowSample) -> RowSample:
        """The sample of both inputs together (as if one had read every row)."""
        if other.seed != self.seed or other.size != self.size:
            raise ValueError("row samples merge only with the same seed and size")
        other._compact()
        self._pending.append((other.keys, other.rows))
        self._pending_rows += other.keys.size
        self.seen += other.seen
        self._compact()
        return self

    def _compact(self) -> None:
        if not self._pending:
            return
        keys = np.concatenate([self.keys, *(k for k, _ in self._pending)])
        rows = np.concatenate([self.rows, *(r for _, r in self._pending)])
        self._pending, self._pending_rows = [], 0
        if keys.size > self.size:
            part = np.argpartition(keys, self.size - 1)[: self.size]
            keys, rows = keys[part], rows[part]
        self.keys, self.rows = keys, rows
        if self.keys.size >= self.size:
            self._threshold = self.keys.max()

    @property
    def sample(self) -> np.ndarray:
        """The kept rows sorted by key (keys are distinct: the order is fixed)."""
        self._compact()
        order = np.argsort(self.keys, kind="stable")
        self.keys, self.rows = self.keys[order], self.rows[order]
        return self.rows
