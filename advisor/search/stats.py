"""Paired comparison of two candidates scored on the same cross-validation folds.

In: per-fold losses of the default and a challenger. Out: the corrected resampled t-test,
Holm-adjusted p-values, the decision rule's thresholds (`ALPHA`, `SE_RULE`) and text
(`DECISION_RULE`; in words: `advisor.search.words`), and the seeds every random step
derives from its name.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from advisor.search.words import SE_RULE

ALPHA = 0.05
#: How the search decides, written into the advice file.
DECISION_RULE = (
    "one-standard-error rule: a challenger replaces the default when its mean loss is "
    "lower by more than one standard error of the paired fold differences (corrected "
    f"resampled t > {SE_RULE:g}); among those, the lowest mean loss wins"
)


@dataclass(frozen=True)
class PairedTest:
    """Challenger vs default on the same folds (scores are losses: lower is better)."""

    mean_improvement: float  # default loss - challenger loss, averaged over folds
    fold_wins: int  # folds where the challenger's loss is lower
    n_folds: int
    t: float | None
    p: float  # one-sided: the challenger is better


def corrected_resampled_ttest(
    default: Sequence[float], challenger: Sequence[float], test_fraction: float
) -> PairedTest:
    """Nadeau and Bengio's corrected resampled t-test (Machine Learning 52, 2003).

    With per-fold differences ``d_j`` (default minus challenger), J folds and
    ``n_test / n_train = test_fraction / (1 - test_fraction)``::

        t = mean(d) / sqrt((1/J + n_test/n_train) * var(d)),   df = J - 1

    The ``n_test/n_train`` term corrects the variance for the overlap between training
    sets of different folds, which makes the plain paired t-test far too eager. The
    p-value is one-sided (H1: the challenger's loss is lower).
    """
    a = np.asarray(default, dtype=float)
    b = np.asarray(challenger, dtype=float)
    if a.shape != b.shape or a.size < 2:
        raise ValueError("need the same two or more folds for both candidates")
    d = a - b
    j = d.size
    mean = float(d.mean())
    wins = int(np.sum(d > 0))
    var = float(d.var(ddof=1))
    ratio = test_fraction / (1.0 - test_fraction)
    if var <= 1e-24:
        p = 0.0 if mean > 0 else 1.0
        return PairedTest(mean, wins, j, None, p)
    t = mean / math.sqrt((1.0 / j + ratio) * var)
    p = float(stats.t.sf(t, df=j - 1))
    return PairedTest(mean, wins, j, float(t), p)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (family-wise error control, any dependence)."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        value = min(1.0, (m - rank) * pvalues[index])
        running = max(running, value)
        adjusted[index] = running
    return adjusted


def derive_seed(*parts: object) -> int:
    """A seed in [0, 2**31) derived from ``parts``, stable across processes and machines."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF
