"""One input plan's transformed folds: what the packed runner trains on.

In: a `FoldSetup` and a plan (with the piecewise-linear encoding's bins, if any).
Out: `Blocks`, every fold's training and validation rows as float32, the plan fitted on
each fold's training rows only; `CandidateFailed` when a fold cannot be prepared.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from advisor.plan.pipeline import PlanTransformer
from advisor.plan.plans import InputPlan
from advisor.search.folds import pad_columns
from advisor.search.results import CandidateFailed
from advisor.search.setup import FoldSetup
from advisor.search.stats import derive_seed

#: What a candidate's inputs depend on: its plan and its encoding's bins.
Inputs = tuple[InputPlan, tuple[tuple[str, int], ...]]


@dataclass(frozen=True, eq=False)
class Blocks:
    """One plan's inputs on every fold: training and validation rows (float32, zero columns
    padding the narrower folds to the widest) and the transform's seconds."""

    train: tuple[np.ndarray, ...]
    valid: tuple[np.ndarray, ...]
    seconds: float

    @property
    def width(self) -> int:
        return int(self.train[0].shape[1])


def transform_folds(
    setup: FoldSetup, plan: InputPlan, bins: tuple[tuple[str, int], ...] = ()
) -> Blocks:
    """Fit ``plan`` (encoding ``bins``' columns) on each fold's training rows and transform
    that fold; `CandidateFailed` if it cannot be fit or produces non-finite values."""
    started = time.perf_counter()
    train_blocks, valid_blocks = [], []
    for fold, (train, valid) in enumerate(setup.folds):
        transformer = PlanTransformer(plan, seed=derive_seed(setup.seed, "q", fold), bins=bins)
        try:
            transformer.fit(setup.features.iloc[train])
            z_train = transformer.transform(setup.features.iloc[train])
            z_valid = transformer.transform(setup.features.iloc[valid])
        except (ValueError, ArithmeticError) as exc:
            raise CandidateFailed(f"fold {fold + 1}: preprocessing failed: {exc}") from None
        if not (np.isfinite(z_train).all() and np.isfinite(z_valid).all()):
            raise CandidateFailed(f"fold {fold + 1}: preprocessing produced non-finite values")
        train_blocks.append(z_train.astype(np.float32))
        valid_blocks.append(z_valid.astype(np.float32))
    # Folds can differ in width (a missing-value indicator or a category seen in one
    # training part only). Each slot has its own weights, so zero columns pad the
    # narrower folds without changing what their networks compute.
    width = max(block.shape[1] for block in train_blocks)
    return Blocks(
        train=tuple(pad_columns(b, width) for b in train_blocks),
        valid=tuple(pad_columns(b, width) for b in valid_blocks),
        seconds=time.perf_counter() - started,
    )
