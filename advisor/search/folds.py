"""Folds: how rows are split for cross-validation, and the batch size that fits them.

In: the row count, the (encoded) target, the task, a seed and a `Split` (shuffled k-fold,
grouped or time-ordered). Out: ``(train, valid)`` index pairs that every candidate shares,
stratified for classification, with a `FoldPlan` saying how they were made (the advice
file and every report state it); `split_sample`, the rows a search keeps on big tables
(whole groups, or the most recent time values); `batch_size` and `pad_columns` for the
packed runner.

Time-ordered folds cut at time boundaries: the distinct time values are split in order
(scikit-learn's `TimeSeriesSplit` over the values, not the rows), so rows that share a
time value (every unit of one year) are on one side, and ``gap`` time values between
training and validation are left out of both.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
)

from advisor.search.results import CandidateFailed
from advisor.search.splits import FoldPlan
from advisor.table.sample import stratified_sample
from advisor.table.units import Split, orderable, split_units, units_kept

Pairs = list[tuple[np.ndarray, np.ndarray]]


def make_folds(
    n: int, y: np.ndarray, task: str, n_splits: int, seed: int, split: Split
) -> tuple[Pairs, FoldPlan]:
    """``(train, valid)`` row indices (sorted) of each fold, and how they were made."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # classes smaller than n_splits
        if split.groups is not None:
            return _grouped(n, y, task, n_splits, seed, split)
        if split.order is not None:
            return _time_ordered(n_splits, split)
        stratified = task == "classification"
        if stratified:
            splitter: Any = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
            pairs = splitter.split(np.zeros(n), y)
        else:
            pairs = KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(np.zeros(n))
        folds = [(np.sort(tr), np.sort(va)) for tr, va in pairs]
        return folds, FoldPlan("kfold", n_splits, len(folds), stratified=stratified)


def _grouped(
    n: int, y: np.ndarray, task: str, n_splits: int, seed: int, split: Split
) -> tuple[Pairs, FoldPlan]:
    groups = np.asarray(split.groups, dtype=object).astype(str)
    n_groups = len(set(groups))
    if n_groups < 2:
        raise CandidateFailed("grouped validation needs at least two groups")
    k = min(n_splits, n_groups)
    if task == "classification":
        splitter: Any = StratifiedGroupKFold(k, shuffle=True, random_state=seed)
        pairs = splitter.split(np.zeros(n), y, groups)
    else:
        pairs = GroupKFold(k).split(np.zeros(n), y, groups)
    folds = [(np.sort(tr), np.sort(va)) for tr, va in pairs]
    fewer = f"only {n_groups} groups" if k < n_splits else None
    plan = FoldPlan(
        "group", n_splits, len(folds), split.column, n_groups, fewer, task == "classification"
    )
    return folds, plan


def _time_ordered(n_splits: int, split: Split) -> tuple[Pairs, FoldPlan]:
    """Expanding-window folds over the distinct time values: fold k trains on the earliest
    values and validates on the block after them (``gap`` values later)."""
    assert split.order is not None
    values, position = np.unique(orderable(split.order), return_inverse=True)
    m = len(values)
    k = next((k for k in range(n_splits, 1, -1) if _fits(m, k, split.gap)), 0)
    if k < 2:
        raise CandidateFailed(
            f"time-ordered validation needs at least {3 + split.gap} distinct time values "
            f"(2 folds, gap {split.gap}); {split.column or 'the time column'} has {m}"
        )
    folds = []
    for train_values, valid_values in TimeSeriesSplit(k, gap=split.gap).split(np.arange(m)):
        train = np.flatnonzero(np.isin(position, train_values))
        valid = np.flatnonzero(np.isin(position, valid_values))
        folds.append((train, valid))
    fewer = f"only {m} time values (gap {split.gap})" if k < n_splits else None
    return folds, FoldPlan("time", n_splits, k, split.column, m, fewer, False, split.gap)


def _fits(m: int, k: int, gap: int) -> bool:
    """Whether ``m`` time values make ``k`` expanding folds with ``gap`` between."""
    size = m // (k + 1)
    return size >= 1 and m - gap - k * size >= 1


def split_sample(
    y: pd.Series, task: str, size: int, seed: int, minimum: int, split: Split | None
) -> np.ndarray:
    """Sorted positions of the rows a search keeps when it may use only ``size`` of them:
    a stratified sample for shuffled folds (`stratified_sample`); whole groups, or the
    most recent time values, as `units_kept` chooses them. Samples of one seed are
    nested: a larger size keeps the smaller's rows."""
    if split is None or split.kind == "kfold" or size >= len(y):
        return stratified_sample(y, task, size, seed, minimum=minimum)
    units, position = np.unique(split_units(split), return_inverse=True)
    counts = np.bincount(position, minlength=len(units))
    kept = units_kept(counts, size, seed, minimum, split)
    return np.flatnonzero(kept[position])


def pad_columns(block: np.ndarray, width: int) -> np.ndarray:
    """``block`` widened to ``width`` columns with zero columns on the right."""
    if block.shape[1] == width:
        return block
    return np.hstack([block, np.zeros((block.shape[0], width - block.shape[1]), block.dtype)])


def batch_size(n_train: int) -> int:
    """64 (the common choice) up to about a thousand rows; then about 16 optimizer steps
    per epoch, a power of two up to 256."""
    target = min(max(n_train / 16.0, 64.0), 256.0)
    return int(2 ** round(math.log2(target)))
