"""Folds: how rows are split for cross-validation, and the batch size that fits them.

In: the row count, the (encoded) target, the task, a seed and a `Split` (shuffled k-fold,
grouped or time-ordered). Out: ``(train, valid)`` index pairs that every candidate shares,
stratified for classification, plus `batch_size` and `pad_columns` for the packed runner.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
)

from advisor.search.results import CandidateFailed


@dataclass(frozen=True)
class Split:
    """How rows are split into folds: shuffled k-fold (stratified for classification),
    by group (no group in two folds), or in time order (train on the past only)."""

    groups: tuple[Any, ...] | None = None
    order: tuple[Any, ...] | None = None

    @property
    def kind(self) -> str:
        return "group" if self.groups is not None else "time" if self.order is not None else "kfold"


def make_folds(
    n: int, y: np.ndarray, task: str, n_splits: int, seed: int, split: Split
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train, valid)`` row indices (sorted) of each fold."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # classes smaller than n_splits
        if split.groups is not None:
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
            return [(np.sort(tr), np.sort(va)) for tr, va in pairs]
        if split.order is not None:
            position = np.argsort(np.asarray(split.order), kind="stable")
            pairs = TimeSeriesSplit(n_splits).split(position)
            return [(np.sort(position[tr]), np.sort(position[va])) for tr, va in pairs]
        if task == "classification":
            splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
            pairs = splitter.split(np.zeros(n), y)
        else:
            pairs = KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(np.zeros(n))
        return [(np.sort(tr), np.sort(va)) for tr, va in pairs]


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
