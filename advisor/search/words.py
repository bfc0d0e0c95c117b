"""The search's numbers in words, one convention for the decision and every report.

Plain Python (no NumPy, no SciPy), so the reports (`advisor.report.labels`) read it
without importing the search's statistics. A score or a difference is printed to the
precision its fold noise supports (`to_noise`): two significant digits of the noise, so
"higher loss by 0.0005" where the folds vary by ±0.005, not "0.0005459". The advice file
keeps every number in full.
"""

from __future__ import annotations

import math

#: The one-standard-error rule: a challenger replaces the default when its mean loss is
#: lower by more than this many corrected standard errors of the paired fold differences
#: (here, in plain Python, so the reports draw the threshold the search used).
SE_RULE = 1.0
#: Decimals when there is no noise to go by (a single fold, or identical folds), and the
#: most ever shown: where the folds agree to more digits, the reports still stop here.
PLAIN_DECIMALS = 4


def noise_decimals(noise: float | None) -> int:
    """Decimals that show two significant digits of ``noise`` (a standard deviation or
    standard error), at most `PLAIN_DECIMALS` (also without a finite, positive one)."""
    if noise is None or not math.isfinite(noise) or noise <= 0:
        return PLAIN_DECIMALS
    return min(PLAIN_DECIMALS, max(0, 1 - math.floor(math.log10(noise))))


def to_noise(value: float, noise: float | None) -> str:
    """``value`` to the decimals its noise supports (see `noise_decimals`)."""
    return f"{value:.{noise_decimals(noise)}f}"


def standard_error(improvement: float, t: float | None) -> float | None:
    """The corrected standard error of a paired comparison, from its mean difference and
    its t statistic (None where t says nothing: identical differences, or t = 0)."""
    if t is None or t == 0 or not math.isfinite(t):
        return None
    return abs(improvement / t)


def loss_change(improvement: float, noise: float | None = None) -> str:
    """A challenger's mean loss against the default's in words, the one sign convention of
    every report: "lower loss by X" (better) or "higher loss by X" (worse); X to the
    precision ``noise`` (the comparison's standard error) supports, else 4 significant
    digits."""
    if improvement == 0:
        return "the same loss"
    size = to_noise(abs(improvement), noise) if noise else f"{abs(improvement):.4g}"
    if float(size) == 0:
        return "the same loss to the folds' precision"
    return f"{'lower' if improvement > 0 else 'higher'} loss by {size}"


def comparison_change(improvement: float, t: float | None) -> str:
    """`loss_change` of a paired comparison, to the precision its standard error (from its
    mean difference and t) supports: the decision sentence and the reports both say it so."""
    return loss_change(improvement, standard_error(improvement, t))


def t_text(t: float | None) -> str:
    """A corrected resampled t statistic (None: every fold differs by the same amount)."""
    return "inf" if t is None else f"{t:.2f}"
