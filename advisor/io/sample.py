"""A seeded, stratified row sample: the search and the final fit use one on big data."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Regression targets are stratified by this many quantile bins.
REGRESSION_BINS = 10


def stratified_sample(y: pd.Series, task: str, size: int, seed: int) -> np.ndarray:
    """Sorted row positions of a sample of ``size`` rows that keeps each class's share
    (classification) or each target decile's share (regression), to within one row per
    stratum. Every class keeps at least one row. Same seed, same rows."""
    n = len(y)
    if size >= n:
        return np.arange(n)
    if task == "classification":
        strata = pd.factorize(y.astype(str), sort=True)[0]
    else:
        values = pd.to_numeric(y, errors="coerce").to_numpy(dtype=float)
        edges = np.unique(np.nanquantile(values, np.linspace(0, 1, REGRESSION_BINS + 1)))
        strata = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, None)
    rng = np.random.default_rng(seed)
    labels, counts = np.unique(strata, return_counts=True)
    quota = np.maximum(np.floor(counts * size / n).astype(int), 1)
    # Hand the rows left by rounding down to the strata with the largest remainders.
    remainder = counts * size / n - np.floor(counts * size / n)
    for i in np.argsort(-remainder, kind="stable")[: max(size - int(quota.sum()), 0)]:
        quota[i] += 1
    chosen = [
        rng.choice(np.flatnonzero(strata == label), size=min(q, c), replace=False)
        for label, q, c in zip(labels, quota, counts, strict=True)
    ]
    return np.sort(np.concatenate(chosen))
