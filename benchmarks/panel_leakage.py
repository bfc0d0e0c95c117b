"""Leakage on a panel: does the search's estimate hold on units it never saw?

A synthetic panel (units x time values) whose target depends on the unit: each unit has an
effect (the larger part of the target's variance) and constant covariates that identify
it but do not predict the effect, beside two row-level features that predict a smaller
part. With shuffled folds every unit sits in training and validation at once, so the
search's networks can learn each unit's effect from its covariates and its estimate is far
better than the score on new units; with grouped folds (``--groups unit``) the estimate
should be within fold noise of it.

For each split the advisor runs on the training units only (fast budget); the advised
network (`Advice.build_model`, the winner's plan and normalization) is then trained on all
of them for the median of the winner's best epochs and scored on held-out units. Both
scores are the search's: mean squared error in the target's units over the training
target's variance.

    python benchmarks/panel_leakage.py                  # 60 training units, 20 new
    python benchmarks/panel_leakage.py --units 120 --seeds 0,1,2
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def synthetic_panel(units: int, times: int, seed: int) -> pd.DataFrame:
    """``units`` x ``times`` rows: unit, year, three unit-constant covariates, two row
    features and the target (unit effect, sd 1, + 0.6 x1 - 0.4 x2 + noise, sd 0.3)."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(units), times)
    year = np.tile(2000 + np.arange(times), units)
    covariates = rng.normal(size=(units, 3))[unit]
    effect = rng.normal(size=units)[unit]
    x = rng.normal(size=(units * times, 2))
    y = effect + 0.6 * x[:, 0] - 0.4 * x[:, 1] + rng.normal(scale=0.3, size=units * times)
    frame = pd.DataFrame(
        {
            "unit": [f"u{u:03d}" for u in unit],
            "year": year,
            "c1": covariates[:, 0],
            "c2": covariates[:, 1],
            "c3": covariates[:, 2],
            "x1": x[:, 0],
            "x2": x[:, 1],
        }
    )
    frame["y"] = y
    return frame


@dataclass(frozen=True)
class Leakage:
    split: str
    estimate: float  # the winner's mean fold score
    fold_sd: float  # its standard deviation over the folds
    unseen: float  # the same score on units the search never saw
    winner: str

    @property
    def gap_in_sd(self) -> float:
        """How far the estimate is below the unseen score, in fold standard deviations."""
        return (self.unseen - self.estimate) / self.fold_sd if self.fold_sd > 0 else np.inf


def measure(frame: pd.DataFrame, held_out: int, groups: bool, seed: int) -> Leakage:
    """The search's estimate and the unseen units' score, with grouped or shuffled folds."""
    from advisor import advise

    units = sorted(frame["unit"].unique())
    rng = np.random.default_rng(seed)
    unseen_units = set(rng.choice(units, size=held_out, replace=False))
    unseen = frame[frame["unit"].isin(unseen_units)].reset_index(drop=True)
    train = frame[~frame["unit"].isin(unseen_units)].reset_index(drop=True)
    x_train, y_train = train.drop(columns="y"), train["y"]
    if not groups:
        x_train = x_train.drop(columns="unit")  # shuffled folds: the unit is no feature
    options = {"groups": "unit"} if groups else {}
    advice = advise((x_train, y_train), seed=seed, use_cache=False, **options)
    search = advice.search_obj
    assert search is not None
    winner = search.winner
    epochs = int(np.median(winner.best_epochs))
    model = advice.build_model(seed=seed)
    model.fit(
        advice.transform(x_train),
        advice.encode_target(y_train),
        epochs=epochs,
        batch_size=search.batch_size,
        verbose=0,
    )
    columns = x_train.columns
    predicted = advice.decode_predictions(
        model.predict(advice.transform(unseen[columns]), verbose=0)
    )
    score = float(np.mean((predicted - unseen["y"].to_numpy()) ** 2) / np.var(y_train))
    return Leakage(
        split="grouped" if groups else "shuffled",
        estimate=winner.mean,
        fold_sd=winner.sd,
        unseen=score,
        winner=search.winner_key,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=60, help="training units")
    parser.add_argument("--held-out", type=int, default=20, help="units never seen")
    parser.add_argument("--times", type=int, default=12, help="time values per unit")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds")
    args = parser.parse_args(argv)
    print("| seed | folds | winner | estimate ± fold sd | unseen units | gap (fold sd) |")
    print("|---:|---|---|---:|---:|---:|")
    for seed in (int(s) for s in args.seeds.split(",")):
        frame = synthetic_panel(args.units + args.held_out, args.times, seed)
        for groups in (False, True):
            r = measure(frame, args.held_out, groups, seed)
            print(
                f"| {seed} | {r.split} | {r.winner} | {r.estimate:.3f} ± {r.fold_sd:.3f} "
                f"| {r.unseen:.3f} | {r.gap_in_sd:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
