"""`LayoutFacts`: the mergeable facts a table's layout is read from (`advisor.profiling.layout`).

Which columns could order the rows in time, and which could name the units observed over
time, is known only once every row is seen, and a stream sees each row once. So every
column starts as a candidate and drops out, for good, at the first value that rules it out
(a later part of the data cannot bring it back). For the candidates that remain the facts
keep:

* a unit (text, or integer numbers): its values in the rows that have a time;
* a time (integers within `YEARS`, or text whose every value has a digit and a date
  separator, read as a date): its values, and how often a value rises or falls from the
  one in the row before (`Order`: whether the rows are in time order, and how many distinct
  times they hold); a year with a sub-period (integers within 1..12: months or quarters)
  is a time too, ``year * 16 + period``;
* each (unit, time) pair of candidates: the rows of each (unit value, time value) pair
  and, per sub-period candidate, the set of its values in them (a 12-bit mask), up to
  `PAIR_CAP` distinct pairs; beyond, the pair drops out (the layout says nothing of it),
  and so does a unit with no pair left (a time with more values than that keeps its order).

Each part merges exactly (values unioned and renumbered, counts summed, masks or-ed, the
orders joined at the seam), so the in-memory paths, the stream and a Dask cluster, which
feed the same facts, give the same layout. On a table without a year-like or date column
every time candidate drops out on the first rows, and the facts then cost nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from advisor.io.markers import MISSING_MARKERS
from advisor.profiling.layout_counts import (
    LOW_BITS,
    PAIR_CAP,
    Codes,
    Order,
    Pairs,
    batch_pairs,
    codes_of,
    merge_codes,
)
from advisor.table.dates import date_values

#: Integers in this range can be calendar years (recorded data, 1700 to 2200).
YEARS = (1700.0, 2200.0)
#: Integers in this range can be a year's sub-periods: months (1..12) or quarters (1..4).
PERIODS = (1.0, 12.0)
#: A year and its sub-period as one time value: ``year * PERIOD_BASE + period``.
PERIOD_BASE = 16.0
_DIGIT = re.compile(r"\d")
_DATE_SEPARATOR = re.compile(r"[-/:]")

TimeKey = tuple[str, str]  # (column, "year" | "date")
OrderKey = tuple[str, str, str | None]  # (column, "year" | "date", sub-period column)


class TextBatch(Protocol):
    """A batch of a text column, dictionary-encoded (`advisor.profiling.summary.TextCells`)."""

    @property
    def values(self) -> list[str]: ...  # the batch's distinct raw values

    @property
    def codes(self) -> np.ndarray: ...  # each cell's index in ``values``; -1: null

    @property
    def numbers(self) -> np.ndarray: ...  # each cell as a number (NaN: not one)


@dataclass(frozen=True)
class _Span:
    """A batch of numbers: the smallest and largest, and whether all are integers."""

    low: float
    high: float
    integers: bool

    @classmethod
    def of(cls, values: np.ndarray) -> _Span:
        x = values[np.isfinite(values)]
        if x.size == 0:
            return cls(np.inf, -np.inf, True)
        return cls(float(x.min()), float(x.max()), bool(np.all(np.floor(x) == x)))

    def integers_within(self, bounds: tuple[float, float]) -> bool:
        """Every number an integer within ``bounds`` (true of no number)."""
        if self.low > self.high:
            return True
        return self.integers and bounds[0] <= self.low and self.high <= bounds[1]


def _looks_dated(value: str) -> bool:
    """A value with a digit and a date separator (what every date's text has)."""
    return bool(_DIGIT.search(value) and _DATE_SEPARATOR.search(value))


def _text_keys(batch: TextBatch) -> tuple[list[str], np.ndarray]:
    """A text batch's distinct present values, stripped, and each cell's index in them
    (-1: null, empty or a missing-value marker)."""
    stripped: dict[str, int] = {}
    where = np.empty(len(batch.values) + 1, dtype=np.int64)
    where[-1] = -1
    for i, raw in enumerate(batch.values):
        value = raw.strip()
        missing = not value or value in MISSING_MARKERS
        where[i] = -1 if missing else stripped.setdefault(value, len(stripped))
    return list(stripped), where[batch.codes]


#: A time candidate's cells in one batch: the values, which are present, their codes
#: (None: the column has too many values for pairs).
_Cells = tuple[np.ndarray, np.ndarray, np.ndarray | None]
_NO_DATE = np.iinfo(np.int64).min


@dataclass
class LayoutFacts:
    """The candidates still standing and what is kept of them (see the module docs)."""

    names: list[str]
    text: set[str]  # the columns read as text (unit values are their stripped text)
    units: dict[str, Codes] = field(default_factory=dict)
    times: dict[TimeKey, Codes | None] = field(default_factory=dict)  # None: too many values
    periods: set[str] = field(default_factory=set)
    orders: dict[OrderKey, Order] = field(default_factory=dict)
    pairs: dict[tuple[str, TimeKey], Pairs | None] = field(default_factory=dict)  # None: over

    @classmethod
    def start(
        cls, names: list[str], text: set[str], roles: Mapping[str, Iterable[str]] | None = None
    ) -> LayoutFacts:
        """Facts of no rows yet. ``roles``: the columns that may be a "unit", a "year", a
        "date" or a "period" (by default every column all it may be: a stream's columns)."""
        roles = roles or {}
        dates = roles.get("date", [n for n in names if n in text])
        times: dict[TimeKey, Codes | None] = {
            (n, "year"): Codes(PAIR_CAP) for n in roles.get("year", names)
        }
        times.update({(n, "date"): Codes(PAIR_CAP) for n in dates if n in text})
        units = {n: Codes() for n in roles.get("unit", names)}
        return cls(list(names), set(text), units, times, set(roles.get("period", names)))

    def update(self, numbers: Mapping[str, np.ndarray], texts: Mapping[str, TextBatch]) -> None:
        """Add the next rows: each column's cells as numbers (float64, NaN missing) or, for
        the text columns, as a `TextBatch`."""
        if not self.times:
            return
        values = {**numbers, **{name: batch.numbers for name, batch in texts.items()}}
        keys = {n: _text_keys(b) for n, b in texts.items() if (n, "date") in self.times}
        self._rule_out(values, keys)
        if not self.times:
            self._clear()
            return
        times = {key: self._time_cells(key, values, keys) for key in list(self.times)}
        self.orders = {key: self.orders.get(key, Order()) for key in self._order_keys()}
        self._add_orders(times, values)
        self._prune()
        timed = np.zeros(len(next(iter(values.values()))), dtype=bool)
        for _, present, coded in times.values():
            timed |= present if coded is not None else False
        if timed.any():  # the units' values matter only in rows with a time
            for name in self.units.keys() & self.text:
                keys.setdefault(name, _text_keys(texts[name]))
            units = self._unit_codes(values, keys, timed)
            self._add_pairs(units, times, values)
        self._prune()

    def _rule_out(
        self, values: Mapping[str, np.ndarray], keys: Mapping[str, tuple[list[str], np.ndarray]]
    ) -> None:
        """Drop the candidates a value of these rows rules out."""
        spans: dict[str, _Span] = {}

        def span(name: str) -> _Span:
            return spans[name] if name in spans else spans.setdefault(name, _Span.of(values[name]))

        for name, how in list(self.times):
            if how == "year":
                standing = span(name).integers_within(YEARS)
            else:
                standing = all(_looks_dated(value) for value in keys[name][0])
            if not standing:
                del self.times[name, how]
        self.periods = {p for p in self.periods if span(p).integers_within(PERIODS)}
        for name in list(self.units):
            if name not in self.text and not span(name).integers:
                del self.units[name]

    def _time_cells(
        self,
        key: TimeKey,
        values: Mapping[str, np.ndarray],
        keys: Mapping[str, tuple[list[str], np.ndarray]],
    ) -> _Cells:
        """A time candidate's cells in these rows (a year's numbers, a text's dates)."""
        name, how = key
        if how == "year":
            cells = values[name]
            present = np.isfinite(cells)
        else:
            uniques, inverse = keys[name]
            cells = np.append(date_values(uniques), _NO_DATE)[inverse]
            present = cells != _NO_DATE
        codes = self.times[key]
        coded = None if codes is None else codes_of(codes, cells, present)
        if coded is None:
            self.times[key] = None
        return cells, present, coded

    def _unit_codes(
        self,
        values: Mapping[str, np.ndarray],
        keys: Mapping[str, tuple[list[str], np.ndarray]],
        timed: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """Each unit candidate's codes in the ``timed`` rows (-1 in the others): its values
        are numbered only where they may pair with a time."""
        found = {}
        for name, codes in self.units.items():
            if name in self.text:
                uniques, inverse = keys[name]
                coded = codes.encode(list(uniques), np.where(timed, inverse, -1))
            else:
                coded = codes_of(codes, values[name], np.isfinite(values[name]) & timed)
            assert coded is not None  # units have no cap
            found[name] = coded
        return found

    def _order_keys(self) -> list[OrderKey]:
        """Every time whose order is kept: the candidates, and each year with each
        sub-period candidate."""
        keys: list[OrderKey] = [(name, how, None) for name, how in self.times]
        years = [name for name, how in self.times if how == "year"]
        keys += [(y, "year", p) for y in years for p in sorted(self.periods) if p != y]
        return keys

    def _add_orders(
        self, times: Mapping[TimeKey, _Cells], values: Mapping[str, np.ndarray]
    ) -> None:
        for key in self._order_keys():
            name, how, period = key
            cells, present, _ = times[name, how]
            if period is not None:
                cells = cells * PERIOD_BASE + values[period]
                present = np.isfinite(cells)
            self.orders[key].update(cells[present])

    def _add_pairs(
        self,
        units: Mapping[str, np.ndarray],
        times: Mapping[TimeKey, _Cells],
        values: Mapping[str, np.ndarray],
    ) -> None:
        """Each standing (unit, time) pair of candidates: these rows' pairs."""
        given = {p for p in self.periods if np.isfinite(values[p]).any()}
        timed = {key: cells for key, cells in times.items() if cells[1].any()}
        for unit, unit_codes in units.items():
            for (name, how), (_, _, time_codes) in timed.items():
                key = (unit, (name, how))
                pairs, time_values = self.pairs.get(key), self.times[name, how]
                if pairs is None or time_values is None or time_codes is None:
                    continue
                periods = self._periods_of(unit, name, how)
                found = batch_pairs(
                    (unit_codes, len(self.units[unit].index)),
                    (time_codes, len(time_values.index)),
                    {p: values[p] for p in periods if p in given},
                )
                if not pairs.add(*found, periods):
                    self.pairs[key] = None

    def _periods_of(self, unit: str, name: str, how: str) -> list[str]:
        """The sub-period candidates of a (unit, time) pair: other columns, years only."""
        if how != "year":
            return []
        return [p for p in sorted(self.periods) if p not in (unit, name)]

    def merge(self, later: LayoutFacts) -> LayoutFacts:
        """These facts followed by ``later``'s (the rows after these, in order)."""
        units = merge_codes(self.units, later.units, drop=True)
        times = merge_codes(self.times, later.times, drop=False)
        self.periods &= later.periods
        for order_key in self._order_keys():
            order = self.orders.setdefault(order_key, Order())
            order.merge(later.orders.get(order_key, Order()))
        self.orders = {order_key: self.orders[order_key] for order_key in self._order_keys()}
        merged: dict[tuple[str, TimeKey], Pairs | None] = {}
        for key in self._standing_pairs():
            unit, time = key
            mine, theirs = self.pairs.get(key, Pairs()), later.pairs.get(key, Pairs())
            if mine is None or theirs is None:
                merged[key] = None
                continue
            keys = (units[unit][theirs.keys >> 32] << 32) | times[time][theirs.keys & LOW_BITS]
            periods = self._periods_of(unit, *time)
            masks = {p: theirs.masks[p] for p in periods if p in theirs.masks}
            merged[key] = mine if mine.add(keys, theirs.counts, masks, periods) else None
        self.pairs = merged
        self._prune()
        if not self.times:
            self._clear()
        return self

    def _prune(self) -> None:
        """Forget the pairs of candidates gone, and the units whose every pair is over the
        cap (their values would only take memory)."""
        self.pairs = {key: self.pairs.get(key, Pairs()) for key in self._standing_pairs()}
        standing = {unit for (unit, _), pairs in self.pairs.items() if pairs is not None}
        self.units = {name: codes for name, codes in self.units.items() if name in standing}

    def _standing_pairs(self) -> list[tuple[str, TimeKey]]:
        return [
            (unit, time)
            for unit in self.units
            for time, codes in self.times.items()
            if codes is not None and time[0] != unit
        ]

    def _clear(self) -> None:
        self.units, self.times, self.periods, self.orders, self.pairs = {}, {}, set(), {}, {}
