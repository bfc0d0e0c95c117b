"""The search's numbers in words, one convention for the decision and every report.

Plain Python (no NumPy, no SciPy), so the reports (`advisor.report.labels`) read it
without importing the search's statistics.
"""

from __future__ import annotations


def loss_change(improvement: float) -> str:
    """A challenger's mean loss against the default's in words, the one sign convention of
    every report: "lower loss by X" (better) or "higher loss by X" (worse)."""
    if improvement > 0:
        return f"lower loss by {improvement:.4g}"
    if improvement < 0:
        return f"higher loss by {-improvement:.4g}"
    return "the same loss"


def t_text(t: float | None) -> str:
    """A corrected resampled t statistic (None: every fold differs by the same amount)."""
    return "inf" if t is None else f"{t:.2f}"
