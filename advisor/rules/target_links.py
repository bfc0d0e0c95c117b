"""How much of a regression target's linear signal each column carries, and how much of
it survives the baseline scaler's clip: the profile's ``target_r2`` and
``target_r2_clipped``, filled in before the rules run.

In: a `DatasetProfile` and the loaded `Table` it describes (with its target). Out: the
profile with, for every numeric column of a regression table (not binary or constant),
``target_r2``, the squared Pearson correlation of the column with the target, and
``target_r2_clipped``, the same after the rules' baseline scaler (`robust_clip` of
`advisor.plan.catalog`: robust scaling, then a smooth clip at ±3). The smooth clip is
meant to tame outliers; where the target follows a column's tail linearly (a count the
target is built from, a size), the clip flattens exactly the rows that carry the signal,
and a network cannot undo it. Rule NRM024 reads the two values.

Computed on the loaded table's rows, finite pairs only: every row in memory; on a
cluster, the seeded sample the search uses (the cluster's statistics never see the target
beside the columns). Nothing is fitted on the target.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from advisor.profiling.types import DatasetProfile, FeatureProfile

if TYPE_CHECKING:
    from advisor.table.load import Table

#: Fewer finite pairs than this: no values (a correlation of a handful of rows is noise).
MIN_PAIRS = 20


def squared_correlation(x: np.ndarray, y: np.ndarray) -> float | None:
    """Pearson's r² of two equally long float arrays (None for a constant one, or when
    the values are too large to correlate in floating point)."""
    x = x / max(float(np.max(np.abs(x))), 1e-300)  # scale-free: no overflow in the sums
    y = y / max(float(np.max(np.abs(y))), 1e-300)
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy = float(dx @ dx), float(dy @ dy)
    if not (sxx > 0.0 and syy > 0.0):
        return None
    r = float(dx @ dy) / np.sqrt(sxx * syy)
    return float(min(1.0, r * r)) if np.isfinite(r) else None


def clipped(x: np.ndarray) -> np.ndarray:
    """``x`` through the baseline scaler, fitted on ``x`` (one column)."""
    from advisor.plan.catalog import FitContext, make_scaler

    scaler: Any = make_scaler("robust_clip", FitContext(len(x)))
    return np.asarray(scaler.fit_transform(x.reshape(-1, 1)), dtype=float)[:, 0]


def target_links(feature: FeatureProfile, x: np.ndarray, y: np.ndarray) -> FeatureProfile:
    """``feature`` with ``target_r2`` and ``target_r2_clipped`` over the finite pairs
    (unchanged when the column is binary, constant, or has fewer than `MIN_PAIRS` finite
    pairs with ``y``)."""
    if not feature.numeric or feature.kind in ("constant", "empty", "binary"):
        return feature
    keep = np.isfinite(x) & np.isfinite(y)
    if int(keep.sum()) < MIN_PAIRS:
        return feature
    xs, ys = x[keep], y[keep]
    raw = squared_correlation(xs, ys)
    if raw is None:
        return feature
    return dataclasses.replace(
        feature, target_r2=raw, target_r2_clipped=squared_correlation(clipped(xs), ys)
    )


def with_target_links(profile: DatasetProfile, table: Table) -> DatasetProfile:
    """``profile`` with each numeric column's links to ``table``'s regression target (the
    profile unchanged for classification and for a table without a target)."""
    if table.target is None or table.task != "regression":
        return profile
    y = table.target.to_numpy(dtype=float)
    numeric = set(table.numeric)
    features = tuple(
        target_links(f, table.features[f.name].to_numpy(dtype=float), y) if f.name in numeric else f
        for f in profile.features
    )
    return dataclasses.replace(profile, features=features)


def with_links_of(profile: DatasetProfile, before: dict[str, Any]) -> DatasetProfile:
    """``profile`` with the links of an earlier profile (``before``: its JSON form, by
    column name) where it has none of its own: `advise check` on new rows without the
    target reruns the rules with the links the advice was made with."""
    earlier = {f["name"]: f for f in before.get("features", ()) if "target_r2" in f}
    features = tuple(
        dataclasses.replace(
            f,
            target_r2=earlier[f.name]["target_r2"],
            target_r2_clipped=earlier[f.name]["target_r2_clipped"],
        )
        if f.target_r2 is None and f.name in earlier
        else f
        for f in profile.features
    )
    return dataclasses.replace(profile, features=features)
