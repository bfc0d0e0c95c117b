"""Splits that hold end to end (time boundaries, gap, fewer folds said, samples that keep
groups whole or the latest times) and the regression target transform the search
validates in the target's own units."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from advisor.errors import InputError
from advisor.plan.plans import Candidate, InputPlan
from advisor.plan.target import TargetTransformer
from advisor.search.budgets import Budget
from advisor.search.folds import make_folds, split_sample
from advisor.search.runner import evaluate
from advisor.search.setup import prepare_folds
from advisor.search.splits import FoldPlan
from advisor.table.units import Split


def _panel(units: int = 30, times: int = 8) -> tuple[tuple[str, ...], tuple[int, ...]]:
    groups = tuple(f"u{u}" for u in range(units) for _ in range(times))
    years = tuple(2000 + t for _ in range(units) for t in range(times))
    return groups, years


def test_time_folds_cut_between_time_values_and_leave_the_gap_out():
    _, years = _panel(times=12)
    n = len(years)
    for gap in (0, 1, 2):
        folds, plan = make_folds(n, np.zeros(n), "regression", 3, 0, Split(order=years, gap=gap))
        assert plan == FoldPlan("time", 3, 3, None, 12, None, False, gap)
        for train, valid in folds:
            seen = {years[i] for i in train}
            later = {years[i] for i in valid}
            assert not seen & later  # no year on both sides
            assert min(later) - max(seen) == gap + 1  # gap years left out between
            # Whole years: every row of a year used is on its side.
            assert len(train) + len(valid) == sum(y in seen | later for y in years)


def test_fewer_folds_than_asked_say_why():
    groups, years = _panel(units=3)
    n = len(groups)
    folds, plan = make_folds(n, np.zeros(n), "regression", 5, 0, Split(groups=groups, column="u"))
    assert len(folds) == 3 and plan.used == 3 and plan.asked == 5
    assert plan.fewer_because == "only 3 groups" and plan.units == 3
    years = tuple(2000 + i % 4 for i in range(40))
    folds, plan = make_folds(40, np.zeros(40), "regression", 5, 0, Split(order=years, gap=1))
    assert plan.used == len(folds) < 5 and "only 4 time values" in str(plan.fewer_because)


def test_samples_keep_groups_whole_and_time_samples_the_latest_values():
    groups, years = _panel(units=40, times=10)
    y = pd.Series(np.random.default_rng(0).normal(size=len(groups)))
    split = Split(groups=groups, column="u")
    small = split_sample(y, "regression", 95, 0, 5, split)
    large = split_sample(y, "regression", 200, 0, 5, split)
    kept = {groups[i] for i in small}
    assert len(small) == 10 * len(kept) == 100  # whole groups, just past 95 rows
    assert set(small) <= set(large)  # nested
    recent = split_sample(y, "regression", 95, 0, 5, Split(order=years, column="t", gap=1))
    assert sorted({years[i] for i in recent}) == list(range(2003, 2010))  # 5 + 1 + gap
    recent = split_sample(y, "regression", 120, 0, 2, Split(order=years, column="t"))
    assert sorted({years[i] for i in recent}) == [2007, 2008, 2009]  # 120 rows: 3 years


def _skewed(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    y = np.exp(1.5 * x[:, 0] + 0.3 * rng.normal(size=n))
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1]}), pd.Series(y, name="y")


def test_a_log_target_candidate_is_scored_in_the_target_units():
    frame, y = _skewed()
    budget = Budget("t", folds=3, max_steps=60, patience=2)
    setup = prepare_folds(frame, y, "regression", "standard", budget, 0)
    plan = InputPlan("rules", (("a", "standard"), ("b", "standard")))
    logged = evaluate(setup, Candidate(plan, "none", target="log1p_standard"))
    assert logged.target == "log1p_standard" and logged.key == "rules+none@target=log1p_standard"
    # A prediction of the log model, mapped back, scored as MSE over the training variance.
    fold = 0
    _, _, tt = setup.targets_for("log1p_standard")[fold]
    valid = setup.folds[fold][1]
    truth = y.to_numpy()[valid]
    z = np.asarray(tt.transform(truth))[:, None]  # a perfect log-space prediction
    loss, r2 = setup.fold_loss(fold, z, "log1p_standard")
    assert loss == pytest.approx(0.0, abs=1e-9) and r2 == pytest.approx(1.0)
    mean = np.full((len(valid), 1), 0.0)  # the log-space mean: the geometric mean back
    loss, _ = setup.fold_loss(fold, mean, "log1p_standard")
    train_var = np.var(y.to_numpy()[setup.folds[fold][0]])
    expected = np.mean((tt.inverse_transform(mean[:, 0]) - truth) ** 2) / train_var
    assert loss == pytest.approx(expected, rel=1e-9)
    # The z-score's loss is the MSE of the standardized target, as before.
    standard = TargetTransformer("standard").fit(y.to_numpy()[setup.folds[fold][0]])
    out = np.asarray(standard.transform(truth))[:, None] + 0.5
    loss, _ = setup.fold_loss(fold, out, None)
    assert loss == pytest.approx(0.25)
    assert setup.baselines == tuple(
        setup.fold_loss(k, np.zeros((len(va), 1)), None)[0] for k, (_, va) in enumerate(setup.folds)
    )


@pytest.mark.slow
def test_the_advice_follows_the_validated_target_transform(tmp_path):
    from advisor import advise

    frame, y = _skewed(n=500)
    advice = advise((frame, y), work_dir=tmp_path, seed=0)
    keys = [c["key"] for c in advice.search["candidates"]]
    # the default's plan and network (its numbers embedded: NRM303) on the log target
    assert "rules+none@target=log1p_standard@periodic" in keys
    assert advice.search["target_transform"] == "standard"
    assert advice.search["score"] == "MSE in target units / training variance"
    winner = next(c for c in advice.search["candidates"] if c["key"] == advice.search["winner"])
    method = winner["target"] or "standard"
    assert advice.target_transformer.method == method
    data = json.loads(advice.to_json())
    assert data["advice"]["target_transform"] == method


@pytest.mark.slow
def test_time_order_drops_its_column_unless_kept_and_the_reports_say_so(tmp_path):
    from advisor import advise

    _, years = _panel(units=20, times=10)
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"year": years, "x": rng.normal(size=len(years))})
    frame["y"] = frame["x"] * 2 + rng.normal(size=len(years)) * 0.1
    advice = advise(frame, target="y", time_order="year", gap=1, work_dir=tmp_path, max_trials=1)
    assert "year" in advice.plan.dropped
    split = advice.search["split"]
    assert split["kind"] == "time" and split["units"] == 10 and split["gap"] == 1
    text = advice.to_text()
    assert "time-ordered folds by year (10 time values" in text and "year is not a feature" in text
    assert (
        "year is not a feature" in advice.to_markdown()
        and "year is not a feature" in advice.to_html()
    )
    kept = advise(
        frame, target="y", time_order="year", overrides={"year": "keep"}, work_dir=tmp_path,
        max_trials=1,
    )  # fmt: skip
    assert "year" not in kept.plan.dropped and "year is kept as a feature" in kept.to_text()


def test_split_options_are_checked():
    from advisor.options import AdviseOptions

    with pytest.raises(InputError, match="not both"):
        AdviseOptions(groups="a", time_order="b")
    with pytest.raises(InputError, match=r"gap \(2\) needs time_order"):
        AdviseOptions(gap=2)
