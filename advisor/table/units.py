"""The units of a grouped or time-ordered split, and which of them a sample keeps whole.

In: the user's options (`split_request`: by group, in time order, or None) and a group
or time column as loaded (`with_rows` fills the request in). Out: the `Split` (the search
makes its folds from it, `advisor.search.folds`), each row's unit (`split_units`: its
group as text, or its time value, sortable), which units a sample of the search's rows
keeps whole (`units_kept`, from the units' row counts and the seed only), and how such a
sample is named (`sample_kind`, `sample_words`). Every path -- in memory
(`advisor.search.folds.split_sample`), a Dask cluster's partitions
(`advisor.cluster.units`) -- calls these, so they keep the same rows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from advisor.errors import InputError

if TYPE_CHECKING:
    from advisor.options import AdviseOptions


@dataclass(frozen=True)
class Split:
    """How rows are split into folds: shuffled k-fold (stratified for classification),
    by group (no group in two folds), or in time order (train on the past only, ``gap``
    time values left out between training and validation). ``column``: the group or time
    column's name, for the reports."""

    groups: tuple[Any, ...] | None = None
    order: tuple[Any, ...] | None = None
    column: str | None = None
    gap: int = 0

    @property
    def kind(self) -> str:
        return "group" if self.groups is not None else "time" if self.order is not None else "kfold"

    def subset(self, rows: np.ndarray) -> Split:
        """The same split on the rows at positions ``rows``."""
        return replace(
            self,
            groups=None if self.groups is None else tuple(self.groups[i] for i in rows),
            order=None if self.order is None else tuple(self.order[i] for i in rows),
        )


def split_request(options: AdviseOptions) -> Split | None:
    """The split the user asked for, without its rows (each path fills them in with
    `with_rows`): by group, in time order, or None (shuffled k-fold)."""
    if options.groups is not None:
        return Split(groups=(), column=options.groups)
    if options.time_order is not None:
        return Split(order=(), column=options.time_order, gap=options.gap)
    return None


def check_column(request: Split | None, names: Collection[str], source: str) -> None:
    """Refuse a group or time column that is not among ``names``."""
    if request is not None and request.column not in names:
        option = "groups" if request.kind == "group" else "time_order"
        raise InputError(f"{source}: {option} column {request.column!r} not found")


def with_rows(request: Split, values: pd.Series, source: str) -> Split:
    """``request`` with each row's group or time from ``values`` (the column as loaded):
    groups as text, times as they are (text where the column holds text); a row without
    a time is refused."""
    if request.kind == "group":
        return replace(request, groups=tuple(values.astype(str)))
    missing = np.flatnonzero(values.isna().to_numpy())
    if missing.size:
        raise InputError(
            f"{source}: time_order column {request.column!r} is missing on "
            f"{missing.size} rows (first: data row {missing[0] + 1}); time-ordered folds "
            "need a time on every row"
        )
    order = values.astype(str).tolist() if values.dtype == object else values.tolist()
    return replace(request, order=tuple(order))


def sample_kind(task: str, split: Split | None) -> str:
    """How a sample of the search's rows was drawn: its strata (class, target decile), or
    what it keeps whole (whole groups, the most recent times)."""
    if split is not None and split.kind == "group":
        return "whole groups"
    if split is not None and split.kind == "time":
        return "most recent times"
    return "class" if task == "classification" else "target decile"


def sample_words(kind: str, column: str | None) -> str:
    """`sample_kind` in words: "stratified by class", "keeping whole groups of country",
    "keeping the most recent values of year"."""
    if kind == "whole groups":
        return f"keeping whole groups of {column}"
    if kind == "most recent times":
        return f"keeping the most recent values of {column}"
    return f"stratified by {kind}"


def split_units(split: Split) -> np.ndarray:
    """Each row's unit of a grouped or time-ordered split: its group as text, or its time
    value (sortable)."""
    if split.groups is not None:
        return np.asarray(split.groups, dtype=object).astype(str)
    assert split.order is not None
    return orderable(split.order)


def units_kept(counts: np.ndarray, size: int, seed: int, minimum: int, split: Split) -> np.ndarray:
    """Which units (sorted, with ``counts`` rows each) a sample of about ``size`` rows
    keeps whole: groups in a seeded order until ``size`` rows (at least ``minimum``
    groups), or the most recent time values back until ``size`` rows (at least
    ``minimum`` + 1 values plus the gap). A function of the units' counts and the seed
    only, so every path (in memory, a Dask cluster's counts) keeps the same units."""
    n_units = len(counts)
    if split.kind == "group":
        rank = np.empty(n_units, dtype=np.int64)
        rank[np.random.default_rng(seed).permutation(n_units)] = np.arange(n_units)
        least = minimum
    else:
        rank = np.arange(n_units)[::-1].copy()  # the latest time value first
        least = minimum + 1 + split.gap
    by_rank = np.empty(n_units, dtype=np.int64)
    by_rank[rank] = counts
    taken = int(np.searchsorted(np.cumsum(by_rank), size) + 1)
    return rank < min(max(taken, least), n_units)


def orderable(order: tuple[Any, ...]) -> np.ndarray:
    """The time values as one sortable array: numbers or datetimes as they are, anything
    else as text."""
    values = pd.Series(list(order))
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values.to_numpy()
    return values.astype(str).to_numpy()
