"""The table's layout: whether its rows look like a panel (units observed over time) or a
time series, read from `LayoutFacts` by one function, `table_layout`, on every path.

Shuffled folds assume rows are exchangeable. In a panel (countries by year, firms by
year, patients by visit) each unit's rows sit in training and validation at once, and in a
time series the future trains the model that is validated on the past: both flatter the
validation. The layout only says so and suggests ``--groups`` or ``--time-order``; it
changes no advice.

The rules, each with its reason:

* a **time** column holds integers within 1700..2200 (years) or dates (kind
  ``datetime``); a year with a sub-period column (integers within 1..12: months,
  quarters) is a time too;
* a **unit** column is text (categorical) or integers, not the time (nor its sub-period),
  not the target, with `MIN_UNITS` to ``MAX_UNIT_SHARE * rows`` values and a median of at
  least `MIN_ROWS` rows each (a unit is observed several times);
* a **panel** is a unit beside a time where, on at least `MIN_PRESENT` of the rows (both
  present): the (unit, time) pairs are distinct on at least `MIN_DISTINCT` of the rows
  (a unit is seen once per time), a unit has a median of at least `MIN_ROWS` times, a time
  is shared by at least `MIN_UNITS_PER_TIME` units on average (not one series cut in
  two by a label), and the pairs fill at least `MIN_FILL` of the unit x time grid (a
  common calendar: pairing units and times at random, pairs distinct on 90% of the rows
  fill at most a fifth of the grid, so a filled grid is the table's design, not chance);
* a **time series** is a time column present on at least `MIN_PRESENT` of the rows, in
  order (never falling, or never rising: newest first), with at least `MIN_ROWS`
  distinct values, distinct on at least `MIN_DISTINCT` of the rows.

A panel wins over a series, but for a unit that is the sub-period of a year in order
(months beside their year, row after row, are one series, not twelve units); among panels,
a time alone over a year with a sub-period, then the most distinct pairs, the fullest
grid, the first columns; among series, a time alone, then the first column.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

import numpy as np

from advisor.profiling.layout_counts import LOW_BITS, Pairs
from advisor.profiling.layout_facts import PERIODS, YEARS, LayoutFacts, TimeKey
from advisor.table.kinds import parse_numbers

MIN_UNITS = 2
MAX_UNIT_SHARE = 0.5
MIN_ROWS = 3
MIN_DISTINCT = 0.9
MIN_UNITS_PER_TIME = 2.0
MIN_FILL = 0.5
MIN_PRESENT = 0.9
PERIOD_VALUES = range(int(PERIODS[0]), int(PERIODS[1]) + 1)


class Column(Protocol):
    """What the layout reads of a column's profile (`FeatureProfile`)."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def integer_valued(self) -> bool | None: ...

    @property
    def min(self) -> float | None: ...

    @property
    def max(self) -> float | None: ...

    @property
    def n_distinct(self) -> int: ...


@dataclass(frozen=True)
class TableLayout:
    """A panel or a time series, its columns and the counts that make it one."""

    kind: Literal["panel", "time series"]
    time: str  # the column giving the time (a year, when ``period`` refines it)
    period: str | None  # a sub-period column (months, quarters) within the year
    rows: int  # rows with a time (and a unit)
    times: int  # distinct times
    distinct_share: float  # distinct (unit, time) pairs, or distinct times, per row
    unit: str | None = None
    units: int | None = None
    rows_per_unit: float | None = None  # median
    times_per_unit: float | None = None  # median
    fill: float | None = None  # (unit, time) pairs / (units x times)
    newest_first: bool = False  # a series in reverse time order

    @property
    def suggestion(self) -> str:
        """The one line the reports show."""
        ordered = f"`{self.time}`" + (f" and `{self.period}`" if self.period else "")
        time_order = f"--time-order {shlex.quote(self.time)}"
        if self.kind == "panel":
            unit = str(self.unit)
            return (
                f"looks like a panel: {self.units} values of `{unit}`, each with "
                f"~{round(self.rows_per_unit or 0)} rows ordered by {ordered}; shuffled folds "
                f"put each {unit} in training and validation at once: consider "
                f"--groups {shlex.quote(unit)} (or {time_order})"
            )
        order = "newest first" if self.newest_first else "oldest first"
        return (
            f"looks like a time series: {self.rows} rows ordered by {ordered} ({order}, "
            f"{self.times} distinct times); shuffled folds train on the future of the rows "
            f"they validate on: consider {time_order}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "suggestion": self.suggestion}


def table_layout(
    facts: LayoutFacts, columns: Sequence[Column], n_rows: int, exclude: Iterable[str] = ()
) -> TableLayout | None:
    """The table's layout from its facts and its columns' profiles (None: neither a panel
    nor a time series); ``exclude``: columns never to name (the target)."""
    profiles = {c.name: c for c in columns if c.name not in set(exclude)}
    order = {name: i for i, name in enumerate(facts.names)}
    found = [_series(facts, key, profiles, n_rows) for key in facts.orders]
    series = [s for s in found if s is not None]
    # Months beside their year in order are a series, not twelve units.
    periods = {(s.time, s.period) for s in series if s.period is not None}
    panels = [
        (layout, (layout.period is not None, -layout.distinct_share, -(layout.fill or 0.0),
                  order[str(layout.unit)], order[layout.time]))
        for layout in _panels(facts, profiles, n_rows)
        if (layout.time, layout.unit) not in periods
    ]  # fmt: skip
    if panels:
        return min(panels, key=lambda pair: pair[1])[0]
    ranked = [(s, (s.period is not None, order[s.time])) for s in series]
    return min(ranked, key=lambda pair: pair[1])[0] if ranked else None


def layout_roles(columns: Sequence[Column], n_rows: int) -> dict[str, list[str]]:
    """What each column may still be by its profile ("unit", "year", "date", "period"),
    for the in-memory paths to feed `LayoutFacts` only those (empty: no column can be a
    time). A role left out is one `table_layout` rejects: a unit too few values to fill a
    panel's pairs (``values x times >= MIN_DISTINCT x MIN_PRESENT x rows``) included."""
    profiles = {c.name: c for c in columns}
    years = [c.name for c in columns if _is_time((c.name, "year"), profiles) and _within(c, YEARS)]
    dates = [c.name for c in columns if _is_time((c.name, "date"), profiles)]
    if not years and not dates:
        return {}
    periods = [c.name for c in columns if _is_period(c.name, profiles) and _within(c, PERIODS)]
    spans = [profiles[y].n_distinct * (len(PERIOD_VALUES) if periods else 1) for y in years]
    widest = float("inf") if dates else max(spans)
    needed = MIN_DISTINCT * MIN_PRESENT * n_rows
    units = [
        c.name
        for c in columns
        if _is_unit(c.name, profiles)
        and c.n_distinct >= MIN_UNITS
        and c.n_distinct * widest >= needed
    ]
    return {"unit": units, "year": years, "date": dates, "period": periods}


def _within(column: Column, bounds: tuple[float, float]) -> bool:
    """Integers within ``bounds`` (and at least one)."""
    low, high = column.min, column.max
    if not column.integer_valued or low is None or high is None:
        return False
    return bounds[0] <= low and high <= bounds[1]


def _is_time(key: TimeKey, profiles: dict[str, Column]) -> bool:
    name, how = key
    column = profiles.get(name)
    if column is None:
        return False
    if how == "date":
        return column.kind == "datetime"
    return column.kind not in ("categorical", "datetime", "constant", "empty")


def _is_unit(name: str, profiles: dict[str, Column]) -> bool:
    column = profiles.get(name)
    if column is None or column.kind in ("datetime", "id-like", "constant", "empty"):
        return False
    return column.kind == "categorical" or bool(column.integer_valued)


def _is_period(name: str, profiles: dict[str, Column]) -> bool:
    column = profiles.get(name)
    return column is not None and column.kind not in ("categorical", "datetime", "id-like")


def _panels(facts: LayoutFacts, profiles: dict[str, Column], n_rows: int) -> Iterable[TableLayout]:
    """Every (unit, time) pair of candidates that makes a panel."""
    for (unit, time), pairs in facts.pairs.items():
        if pairs is None or not _is_unit(unit, profiles) or not _is_time(time, profiles):
            continue
        if facts.times.get(time) is None or unit not in facts.units:
            continue
        numbers = unit in facts.text and profiles[unit].kind != "categorical"
        pairs = _regroup(pairs, list(facts.units[unit].index), numbers)
        periods = [None, *(p for p in sorted(pairs.masks) if _is_period(p, profiles))]
        for period in periods if time[1] == "year" else [None]:
            if period is not None and period not in facts.periods:
                continue
            grid = _Grid.of(pairs, period)
            if grid is not None and grid.is_panel(n_rows):
                yield grid.layout(unit, time[0], period)


def _regroup(pairs: Pairs, values: list[Any], numbers: bool) -> Pairs:
    """The pairs of a text column the profile reads as numbers (or 1/0 booleans), its
    values as those numbers, as the in-memory paths see them (no number: missing)."""
    if not numbers:
        return pairs
    words = [str(v).lower() for v in values]
    if all(w in ("true", "false") for w in words):
        parsed = np.array([1.0 if w == "true" else 0.0 for w in words])
    else:
        parsed = np.array(parse_numbers([str(v) for v in values]), dtype=np.float64)
    recode = np.full(parsed.size, -1, dtype=np.int64)
    finite = np.isfinite(parsed)
    _, recode[finite] = np.unique(parsed[finite], return_inverse=True)
    units = recode[pairs.keys >> 32]
    keep = units >= 0
    out = Pairs()
    keys = (units[keep] << 32) | (pairs.keys[keep] & LOW_BITS)
    masks = {p: m[keep] for p, m in pairs.masks.items()}
    out.add(keys, pairs.counts[keep], masks, list(masks))
    return out


def _bits(masks: np.ndarray) -> np.ndarray:
    """How many bits each 16-bit mask has set."""
    return np.unpackbits(masks.astype("<u2").view(np.uint8)).reshape(-1, 16).sum(axis=1)


@dataclass(frozen=True)
class _Grid:
    """A (unit, time) pair of candidates' counts over the rows that have both."""

    rows: int
    pairs: int  # distinct (unit, time) pairs
    units: int
    times: int
    rows_per_unit: float  # median
    times_per_unit: float  # median

    @classmethod
    def of(cls, pairs: Pairs, period: str | None) -> _Grid | None:
        """The counts, the time being a year with ``period`` when given (the distinct
        pairs are then (unit, year, period) triples; a row without a period is none)."""
        if pairs.keys.size == 0:
            return None
        times_of = pairs.keys & LOW_BITS
        if period is None:
            weight = np.ones(pairs.keys.size)
            times = int(np.unique(times_of).size)
        else:
            mask = pairs.masks[period]
            weight = _bits(mask).astype(np.float64)
            _, inverse = np.unique(times_of, return_inverse=True)
            seen = np.zeros(int(inverse.max()) + 1, dtype=np.uint16)
            np.bitwise_or.at(seen, inverse, mask)
            times = int(_bits(seen).sum())
        _, unit_of = np.unique(pairs.keys >> 32, return_inverse=True)
        rows_per_unit = np.bincount(unit_of, weights=pairs.counts.astype(np.float64))
        times_per_unit = np.bincount(unit_of, weights=weight)
        return cls(
            rows=int(pairs.counts.sum()),
            pairs=int(weight.sum()),
            units=int(rows_per_unit.size),
            times=times,
            rows_per_unit=float(np.median(rows_per_unit)),
            times_per_unit=float(np.median(times_per_unit)),
        )

    def is_panel(self, n_rows: int) -> bool:
        """The panel rules of the module docs."""
        return (
            self.rows >= MIN_PRESENT * n_rows
            and MIN_UNITS <= self.units <= MAX_UNIT_SHARE * n_rows
            and self.rows_per_unit >= MIN_ROWS
            and self.times_per_unit >= MIN_ROWS
            and self.pairs >= MIN_DISTINCT * self.rows
            and self.pairs >= MIN_UNITS_PER_TIME * self.times
            and self.pairs >= MIN_FILL * self.units * self.times
        )

    def layout(self, unit: str, time: str, period: str | None) -> TableLayout:
        return TableLayout(
            kind="panel",
            time=time,
            period=period,
            rows=self.rows,
            times=self.times,
            distinct_share=round(self.pairs / self.rows, 4),
            unit=unit,
            units=self.units,
            rows_per_unit=self.rows_per_unit,
            times_per_unit=self.times_per_unit,
            fill=round(self.pairs / (self.units * self.times), 4),
        )


def _series(
    facts: LayoutFacts, key: tuple[str, str, str | None], profiles: dict[str, Column], n_rows: int
) -> TableLayout | None:
    """A time candidate (or a year with a sub-period) as a time series, if it is one."""
    name, how, period = key
    if (name, how) not in facts.times or not _is_time((name, how), profiles):
        return None
    if period is not None and (period not in facts.periods or not _is_period(period, profiles)):
        return None
    order = facts.orders[key]
    if order.rises and order.falls:
        return None
    distinct = max(order.rises, order.falls) + 1
    if order.count < MIN_PRESENT * n_rows or distinct < max(MIN_ROWS, MIN_DISTINCT * order.count):
        return None
    return TableLayout(
        kind="time series",
        time=name,
        period=period,
        rows=order.count,
        times=distinct,
        distinct_share=round(distinct / order.count, 4),
        newest_first=order.falls > 0,
    )
