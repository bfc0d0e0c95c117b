"""The drift statistics of `advise check`, against the baseline's 101-point quantile
sketch of a numeric feature: two-sample Kolmogorov-Smirnov with the Wasserstein distance
beside it (CHK007), and far outliers beyond 3 IQR of the baseline quartiles (CHK008)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from advisor.check.codes import DRIFT, OUTLIERS
from advisor.check.findings import Finding
from advisor.vocab import Severity

DRIFT_P = 0.001
DRIFT_WARN, DRIFT_ERROR = 0.1, 0.2


def drift_finding(
    column: str, quantiles: list[float], n_base: int, finite: np.ndarray
) -> Finding | None:
    """KS against the baseline's quantile sketch: the baseline CDF at its own quantile
    points is known (largest level whose quantile is <= the point, which handles ties),
    the new CDF is exact; D is their largest gap at those points."""
    q = np.asarray(quantiles, dtype=float)
    levels = np.linspace(0.0, 1.0, q.size)
    new_sorted = np.sort(finite)
    f_new = np.searchsorted(new_sorted, q, side="right") / new_sorted.size
    f_base = levels[np.searchsorted(q, q, side="right") - 1]
    # Below the baseline minimum and at/above its maximum the baseline CDF is 0 and 1.
    below = float(np.mean(new_sorted < q[0]))
    d = float(max(np.max(np.abs(f_new - f_base)), below))
    n_eff = n_base * new_sorted.size / (n_base + new_sorted.size)
    p = float(stats.kstwobign.sf(d * math.sqrt(n_eff))) if d > 0 else 1.0
    iqr = float(np.interp(0.75, levels, q) - np.interp(0.25, levels, q))
    scale = iqr if iqr > 0 else float(q[-1] - q[0]) or 1.0
    inner = slice(2, q.size - 2)  # 2% .. 98%: the sketch's extreme points are one value each
    w1 = float(np.mean(np.abs(np.quantile(finite, levels[inner]) - q[inner])) / scale)
    if p >= DRIFT_P or d < DRIFT_WARN:
        return None
    severity: Severity = "error" if d >= DRIFT_ERROR else "warning"
    return Finding.of(
        DRIFT, column,
        f"{column!r} drifted: Kolmogorov-Smirnov D={d:.3f} (p={p:.2g}), Wasserstein "
        f"distance {w1:.3g} baseline IQRs",
        {"ks_d": d, "ks_p": p, "wasserstein_iqr": w1, "n": int(new_sorted.size),
         "n_baseline": n_base},
        severity=severity,
    )  # fmt: skip


def outlier_finding(
    column: str, quantiles: list[float], old: dict[str, Any], finite: np.ndarray
) -> Finding | None:
    q = np.asarray(quantiles, dtype=float)
    levels = np.linspace(0.0, 1.0, q.size)
    q25, q75 = float(np.interp(0.25, levels, q)), float(np.interp(0.75, levels, q))
    iqr = q75 - q25
    if not iqr > 0:
        return None
    low, high = q25 - 3 * iqr, q75 + 3 * iqr
    count = int(np.sum((finite < low) | (finite > high)))
    share = count / finite.size
    base_share = float(old.get("outlier_share_3") or 0.0)
    n_base = max(int(old.get("count") or 0), 1)
    if count == 0 or share - base_share <= 0.005:
        return None
    p = float(stats.binomtest(count, finite.size, max(base_share, 1.0 / n_base),
                              alternative="greater").pvalue)  # fmt: skip
    if p >= DRIFT_P:
        return None
    severity: Severity = "error" if share - base_share > 0.02 else "warning"
    return Finding.of(
        OUTLIERS, column,
        f"{share:.1%} of {column!r} lies beyond 3 IQR of the baseline quartiles "
        f"([{low:.6g}, {high:.6g}]), against {base_share:.1%} in the baseline (binomial "
        f"p={p:.2g})",
        {"share": share, "baseline_share": base_share, "fence_low": low, "fence_high": high,
         "p": p},
        severity=severity,
    )  # fmt: skip
