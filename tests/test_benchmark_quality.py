"""The quality benchmark's harness: ranking, paired outcomes and the cache."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import quality

pytestmark = pytest.mark.slow


def _loader(_name: str):
    rng = np.random.default_rng(0)
    n = 240
    x = rng.normal(size=(n, 3))
    frame = pd.DataFrame({"a": x[:, 0] * 100, "b": np.exp(x[:, 1]), "c": x[:, 2]})
    y = pd.Series(np.where(x[:, 0] + x[:, 1] > 0, "pos", "neg"), name="y")
    return frame, y, "classification", ("a", "b", "c"), ()


STRATEGIES = (
    quality.Strategy("standard", "standard"),
    quality.Strategy("quantile", "quantile_normal"),
    quality.Strategy("shuffled", "shuffled"),
)


def test_a_strategy_that_shuffles_the_target_ranks_last_and_the_cache_is_used(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(quality, "CACHE", tmp_path)
    trainer = quality.ReferenceTrainer(quality.Reference(max_steps=400, eval_every=50))
    scores = quality.evaluate_dataset(
        "toy", STRATEGIES, trainer, log=lambda m: None, loader=_loader
    )
    assert len(scores) == 3 * quality.FOLDS
    summary = quality.summarize("toy", scores, subject="standard")
    assert summary.ranks["shuffled"] == 3.0
    assert summary.means["standard"] > 85.0 and summary.means["shuffled"] < 70.0
    assert summary.versus == {"standard": "tie"}
    assert len(list(tmp_path.rglob("*.json"))) == 3 * quality.FOLDS

    def no_training(*args, **kwargs):
        raise AssertionError("a cached score was recomputed")

    monkeypatch.setattr(trainer, "fit_predict", no_training)
    again = quality.evaluate_dataset("toy", STRATEGIES, trainer, log=lambda m: None, loader=_loader)
    assert [s.primary for s in again] == [s.primary for s in scores]


def _scores(strategy: str, values: list[float]) -> list[quality.FoldScore]:
    return [
        quality.FoldScore(strategy, "d", k, "regression", r2=0.5, rmse=v)
        for k, v in enumerate(values)
    ]


def test_paired_outcome_calls_consistent_differences_and_ties_noise():
    base = _scores("standard", [1.0, 1.1, 0.9, 1.05, 0.95])
    better = _scores("advisor", [0.8, 0.88, 0.71, 0.86, 0.75])
    noisy = _scores("advisor", [0.9, 1.2, 0.85, 1.1, 0.97])
    assert quality.paired_outcome(better, base) == "win"
    assert quality.paired_outcome(base, better) == "loss"
    assert quality.paired_outcome(noisy, base) == "tie"


def test_ties_share_ranks_and_regret_is_relative_for_regression():
    scores = (
        _scores("advisor", [1.0] * 5)
        + _scores("standard", [1.0] * 5)
        + _scores("none", [2.0] * 5)
        + _scores("autogluon", [0.9] * 5)
    )
    summary = quality.summarize("d", scores)
    assert summary.ranks["advisor"] == summary.ranks["standard"] == 2.5
    assert summary.best_fixed == "autogluon"
    assert summary.advisor_regret == pytest.approx(100 * (1.0 - 0.9) / 0.9)


def test_autogluon_rule_quantiles_skewed_columns_only():
    frame, _, _, numeric, _ = _loader("toy")
    plan = quality.autogluon_plan(frame, numeric, ())
    assert dict(plan.scalers) == {"a": "standard", "b": "quantile_normal", "c": "standard"}


def test_reference_training_does_not_depend_on_what_ran_before():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4))
    y = x[:, 0] + 0.1 * rng.normal(size=200)
    settings = quality.Reference(max_steps=200, eval_every=50)
    trainer = quality.ReferenceTrainer(settings)
    first = trainer.fit_predict(x, y, x[:10], "regression", 1, "none", 7)
    trainer.fit_predict(x[::-1], y[::-1], x[:10], "regression", 1, "none", 3)
    again = trainer.fit_predict(x, y, x[:10], "regression", 1, "none", 7)
    fresh = quality.ReferenceTrainer(settings).fit_predict(x, y, x[:10], "regression", 1, "none", 7)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, fresh)
