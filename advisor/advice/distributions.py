"""Compact per-feature distributions kept in the advice file.

For every numeric feature the advice keeps a histogram of its observed values before and
after its fitted scaler (the reports draw them) and 101 quantiles of the raw values (a
compact summary later data can be compared with). They are computed from the data the
advice was fit on -- at most `SAMPLE_ROWS` rows, a seeded sample beyond that -- so a saved
advice file renders the same report without the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from advisor.plan.pipeline import PlanTransformer, numeric_block

HIST_BINS = 30
SAMPLE_ROWS = 100_000
QUANTILE_LEVELS = tuple(i / 100 for i in range(101))


def feature_distributions(
    features: pd.DataFrame, transformer: PlanTransformer, seed: int = 0
) -> dict[str, Any]:
    """Histograms before/after scaling and raw quantiles for each numeric feature of a
    fitted `PlanTransformer`, keyed by column, in the plan's column order."""
    plan = transformer.plan
    if not plan.numeric:
        return {}
    frame = features
    sampled = len(frame) > SAMPLE_ROWS
    if sampled:
        rows = np.sort(np.random.default_rng(seed).choice(len(frame), SAMPLE_ROWS, replace=False))
        frame = frame.iloc[rows]
    raw = numeric_block(frame, plan.numeric)
    scaled = transformer.scale(raw)
    out: dict[str, Any] = {}
    for j, (column, key) in enumerate(plan.scalers):
        before = raw[:, j][np.isfinite(raw[:, j])]
        after = scaled[:, j][np.isfinite(scaled[:, j])]
        out[column] = {
            "scaler": key,
            "n": int(before.size),
            "sampled": sampled,
            "before": histogram(before),
            "after": histogram(after) if key != "drop" else None,
            "quantiles": (
                [_round(v) for v in np.quantile(before, QUANTILE_LEVELS)] if before.size else []
            ),
        }
    return out


def histogram(values: np.ndarray, bins: int = HIST_BINS) -> dict[str, list[float] | list[int]]:
    """Equal-width histogram over the values' range: ``edges`` (bins + 1) and ``counts``.
    A constant column gets one bin of width 1 around its value; no values, no bins."""
    if values.size == 0:
        return {"edges": [], "counts": []}
    low, high = float(values.min()), float(values.max())
    if not high > low:
        return {"edges": [_round(low - 0.5), _round(low + 0.5)], "counts": [int(values.size)]}
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    return {"edges": [_round(e) for e in edges], "counts": [int(c) for c in counts]}


def _round(value: float) -> float:
    """Six significant digits: enough for a plot or a drift test, and a compact file."""
    return float(f"{float(value):.6g}")
