"""A seeded, stratified row sample: the search and the final fit use one on big data.

Rows are chosen by the same keys as the profile's row sample (`row_keys`: the seed and the
row's position among the rows that have a target): in each stratum the rows with the
smallest keys, as many as the stratum's share of the sample. The choice is a function of
the data in reading order and the seed, so the single-process path and a Dask cluster
(`advisor.cluster.sample`, partitions read in the same order) draw the same rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.io.rowkeys import row_keys

#: Regression targets are stratified by this many quantile bins.
REGRESSION_BINS = 10


def regression_edges(values: np.ndarray) -> np.ndarray:
    """The target's decile edges (distinct), the strata of a regression sample."""
    return np.unique(np.nanquantile(values, np.linspace(0, 1, REGRESSION_BINS + 1)))


def strata_of(y: pd.Series, task: str, edges: np.ndarray | None = None) -> np.ndarray:
    """Each row's stratum: its class as text (classification) or its target decile."""
    if task == "classification":
        numbers = pd.to_numeric(y, errors="coerce")
        if numbers.notna().all() and bool(np.all(np.mod(numbers.to_numpy(dtype=float), 1) == 0)):
            return numbers.astype("int64").astype(str).to_numpy(dtype=object)  # 1, not 1.0
        return y.astype(str).to_numpy(dtype=object)
    values = pd.to_numeric(y, errors="coerce").to_numpy(dtype=float)
    edges = regression_edges(values) if edges is None else edges
    bins = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, None)
    return np.char.zfill(bins.astype(str), 3).astype(object)  # "000" < "001" < ... as text


def quotas(counts: dict[str, int], size: int, minimum: int = 1) -> dict[str, int]:
    """Rows per stratum: each stratum's share of ``size`` rounded down (at least
    ``minimum`` rows, or all it has), the rows left by rounding given to the largest
    remainders (ties: the stratum name)."""
    n = sum(counts.values())
    labels = sorted(counts)
    exact = np.array([counts[label] * size / n for label in labels])
    least = np.array([min(counts[label], max(minimum, 1)) for label in labels])
    quota = np.maximum(np.floor(exact).astype(int), least)
    remainder = exact - np.floor(exact)
    for i in np.argsort(-remainder, kind="stable")[: max(size - int(quota.sum()), 0)]:
        quota[i] += 1
    return {label: min(int(q), counts[label]) for label, q in zip(labels, quota, strict=True)}


def uniform_sample(n: int, size: int, seed: int) -> np.ndarray:
    """Sorted positions of the ``size`` of ``n`` rows with the smallest keys (all rows
    when there are no more than ``size``): the sample without a target."""
    if size >= n:
        return np.arange(n)
    return np.sort(np.argpartition(row_keys(0, n, seed), size - 1)[:size])


def stratified_sample(
    y: pd.Series, task: str, size: int, seed: int, minimum: int = 1
) -> np.ndarray:
    """Sorted row positions of a sample of ``size`` rows that keeps each class's share
    (classification) or each target decile's share (regression), to within one row per
    stratum. Every stratum keeps at least ``minimum`` rows (the folds) when it has them.
    Same seed, same rows."""
    n = len(y)
    if size >= n:
        return np.arange(n)
    strata = strata_of(y, task)
    keys = row_keys(0, n, seed)
    labels, counts = np.unique(strata, return_counts=True)
    wanted = quotas(dict(zip(labels.tolist(), counts.tolist(), strict=True)), size, minimum)
    chosen = []
    for label in labels.tolist():
        rows = np.flatnonzero(strata == label)
        take = wanted[label]
        if take < rows.size:
            rows = rows[np.argpartition(keys[rows], take - 1)[:take]]
        chosen.append(rows)
    return np.sort(np.concatenate(chosen))
