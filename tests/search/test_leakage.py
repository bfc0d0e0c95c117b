"""Leakage on a panel (benchmarks/panel_leakage.py): shuffled folds flatter the search's
estimate on a table whose target depends on the unit; grouped folds do not."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from panel_leakage import measure, synthetic_panel


@pytest.mark.slow
def test_grouped_folds_estimate_what_unseen_units_score():
    frame = synthetic_panel(units=80, times=12, seed=0)
    shuffled = measure(frame, held_out=20, groups=False, seed=0)
    grouped = measure(frame, held_out=20, groups=True, seed=0)
    # Shuffled folds: every unit in training and validation at once, so the estimate is
    # far better than what new units score (by more than three fold deviations).
    assert shuffled.unseen - shuffled.estimate > 3 * shuffled.fold_sd
    assert shuffled.estimate < 0.7 * shuffled.unseen
    # Grouped folds: the estimate is within fold noise of the new units' score.
    assert abs(grouped.unseen - grouped.estimate) <= 2 * grouped.fold_sd
