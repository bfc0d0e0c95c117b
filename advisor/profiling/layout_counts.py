"""The mergeable counts behind a table's layout (`advisor.profiling.layout_facts`): values
numbered in order of first appearance (`Codes`), a column's order in the rows (`Order`) and
the rows of each (unit, time) pair with their sub-periods (`Pairs`). Each merges exactly:
the counts of two parts of the rows are the counts of both, however the rows are split."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from advisor.profiling.sketch import RESERVOIR_ROWS

#: A (unit, time) pair of candidates keeps at most this many distinct pairs (as many as
#: the streaming profile's row sample holds rows): ~2 MB; beyond, it drops out.
PAIR_CAP = RESERVOIR_ROWS
#: The time code's bits in a pair's key (``unit << 32 | time``).
LOW_BITS = (1 << 32) - 1


@dataclass
class Codes:
    """A column's distinct values numbered in order of first appearance, up to ``cap``."""

    cap: int | None = None
    index: dict[Hashable, int] = field(default_factory=dict)

    def encode(self, uniques: list[Hashable], inverse: np.ndarray) -> np.ndarray | None:
        """Each cell's code (``inverse``: its index in ``uniques``, -1 when missing), or
        None once the column has more than ``cap`` values."""
        mapped = np.empty(len(uniques) + 1, dtype=np.int64)
        mapped[-1] = -1
        for i, value in enumerate(uniques):
            mapped[i] = self.index.setdefault(value, len(self.index))
        over = self.cap is not None and len(self.index) > self.cap
        return None if over else mapped[inverse]

    def merge(self, later: Codes) -> np.ndarray | None:
        """Add ``later``'s values: the array renumbering its codes (None: over the cap)."""
        return self.encode(list(later.index), np.arange(len(later.index)))


@dataclass
class Order:
    """How a time column's present values follow each other in row order."""

    count: int = 0
    rises: int = 0  # a value above the one before it
    falls: int = 0  # a value below the one before it
    first: float = float("nan")
    last: float = float("nan")

    def update(self, values: np.ndarray) -> None:
        """Add the next present values, in row order."""
        if values.size == 0:
            return
        steps = np.diff(values)
        self.rises += int(np.count_nonzero(steps > 0))
        self.falls += int(np.count_nonzero(steps < 0))
        self._join(values.size, values[0].item(), values[-1].item())

    def merge(self, later: Order) -> None:
        if later.count:
            self.rises += later.rises
            self.falls += later.falls
            self._join(later.count, later.first, later.last)

    def _join(self, count: int, first: float, last: float) -> None:
        if self.count:
            self.rises += int(first > self.last)
            self.falls += int(first < self.last)
        else:
            self.first = first
        self.count += count
        self.last = last


@dataclass
class Pairs:
    """Rows per (unit code, time code) pair, as sorted ``unit << 32 | time`` keys, and per
    sub-period candidate a bit mask of the values it takes in each pair's rows."""

    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    masks: dict[str, np.ndarray] = field(default_factory=dict)

    def add(
        self,
        keys: np.ndarray,
        counts: np.ndarray,
        masks: Mapping[str, np.ndarray],
        periods: Collection[str],
    ) -> bool:
        """Add pairs with their rows and their sub-periods' bits (``masks``: those with any;
        ``periods``: the candidates still standing); False once over `PAIR_CAP` pairs."""
        if keys.size == 0:
            self.masks = {name: bits for name, bits in self.masks.items() if name in periods}
            return True
        every = np.concatenate([self.keys, keys])
        order = np.argsort(every)
        every = every[order]
        starts = np.flatnonzero(np.concatenate([[True], every[1:] != every[:-1]]))
        if starts.size > PAIR_CAP:
            return False
        old = {name: self.masks.get(name) for name in periods}
        self.masks = {}
        for name in periods:
            mine, theirs = old[name], masks.get(name)
            if mine is None and theirs is None:
                continue  # no bit set: none kept
            bits = np.concatenate([
                mine if mine is not None else np.zeros(self.keys.size, dtype=np.uint16),
                theirs if theirs is not None else np.zeros(keys.size, dtype=np.uint16),
            ])  # fmt: skip
            self.masks[name] = np.bitwise_or.reduceat(bits[order], starts)
        self.counts = np.add.reduceat(np.concatenate([self.counts, counts])[order], starts)
        self.keys = every[starts]
        return True


def period_bits(values: np.ndarray) -> np.ndarray | None:
    """Each sub-period value's bit (0 where it is missing); None when none is present."""
    finite = np.isfinite(values)
    if not finite.any():
        return None
    shifts = np.where(finite, values, 0).astype(np.uint16)
    return np.where(finite, np.left_shift(np.uint16(1), shifts), np.uint16(0)).astype(np.uint16)


def codes_of(codes: Codes, cells: np.ndarray, present: np.ndarray) -> np.ndarray | None:
    """Each cell's code in ``codes`` (-1 where it is missing), None over the cap."""
    import pandas as pd

    inverse, uniques = pd.factorize(cells[present] + 0)  # + 0: -0.0 is 0.0
    out = np.full(cells.size, -1, dtype=np.int64)
    out[present] = inverse
    return codes.encode(uniques.tolist(), out)


#: A batch's (unit, time) pairs are counted in a dense array up to this many cells (8 MB),
#: beyond by sorting.
DENSE_PAIRS = 1 << 20


def batch_pairs(
    units: tuple[np.ndarray, int], times: tuple[np.ndarray, int], periods: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """A batch's pairs (``units``, ``times``: each cell's code, -1 where missing, and how
    many codes there are): their keys, rows and sub-periods' bits (those with any)."""
    (unit_codes, n_units), (time_codes, n_times) = units, times
    both = (unit_codes >= 0) & (time_codes >= 0)
    bits = {p: period_bits(values[both]) for p, values in periods.items()}
    if n_units * n_times > DENSE_PAIRS:
        keys = (unit_codes[both] << 32) | time_codes[both]
        masks = {p: b for p, b in bits.items() if b is not None}
        return keys, np.ones(keys.size, dtype=np.int64), masks
    cells = unit_codes[both] * n_times + time_codes[both]
    counts = np.bincount(cells, minlength=n_units * n_times)
    found = np.flatnonzero(counts)
    masks = {}
    for period, period_cells in bits.items():
        if period_cells is not None:
            dense = np.zeros(n_units * n_times, dtype=np.uint16)
            np.bitwise_or.at(dense, cells, period_cells)
            masks[period] = dense[found]
    return ((found // n_times) << 32) | (found % n_times), counts[found], masks


def merge_codes(mine: dict[Any, Any], theirs: dict[Any, Any], drop: bool) -> dict[Any, np.ndarray]:
    """The candidates standing in both (``mine`` updated in place), and each one's
    renumbering of the later codes; one over its cap drops out (``drop``: units) or keeps
    None (times: their order is still kept)."""
    remaps = {}
    for key in list(mine):
        if key not in theirs:
            del mine[key]
            continue
        codes, later = mine[key], theirs[key]
        remap = None if codes is None or later is None else codes.merge(later)
        if remap is not None:
            remaps[key] = remap
        elif drop:
            del mine[key]
        else:
            mine[key] = None
    return remaps
