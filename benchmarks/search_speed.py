"""Search speed: the naive per-fold keras-tuner search against ours, in one run.

Fixed task: seeded 5,000 x 10 classification data with log-normal, exponential, Cauchy,
x1000-scaled and outlier-injected columns; candidates {none, standard, min-max, robust,
quantile-normal} x {none, BatchNorm, LayerNorm}; 3 folds; 5 epochs of batch 256 for both.

* naive: a keras-tuner `Tuner` whose `run_trial` builds a fresh Keras model for every fold
  (`advisor.network.nets.build_model`, the same MLP) and fits it with `model.fit`;
* ours: `advisor.search.run.run_search` (folds packed into one model, one compiled model per
  architecture reused across candidates).

    python benchmarks/search_speed.py            # TensorFlow backend
    KERAS_BACKEND=jax python benchmarks/search_speed.py
"""

from __future__ import annotations

import math
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor.backend import import_keras, import_keras_tuner  # noqa: E402
from advisor.network.nets import build_model  # noqa: E402
from advisor.plan.pipeline import PlanTransformer  # noqa: E402
from advisor.plan.plans import Candidate, InputPlan  # noqa: E402
from advisor.search.budgets import Budget  # noqa: E402
from advisor.search.run import run_search  # noqa: E402
from advisor.search.setup import prepare_folds  # noqa: E402

SCALERS = {
    "none": "passthrough",
    "standard": "standard",
    "minmax": "minmax",
    "robust": "robust",
    "quantile": "quantile_normal",
}
NORMS = ("none", "batch", "layer")
FOLDS, EPOCHS, BATCH, SEED = 3, 5, 256, 0


def make_data(n: int = 5000, seed: int = SEED) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 10))
    cols = {
        "lognormal_a": np.exp(z[:, 0]),
        "lognormal_b": np.exp(0.5 * z[:, 1]),
        "exponential_a": -np.log(rng.random(n)) * (1 + (z[:, 2] > 0)),
        "exponential_b": rng.exponential(3.0, n),
        "cauchy_a": z[:, 4] + 0.05 * rng.standard_cauchy(n) * 20,
        "cauchy_b": rng.standard_cauchy(n),
        "scaled_a": 1000.0 * z[:, 6],
        "scaled_b": 1000.0 * z[:, 7] + 5000.0,
        "outliers_a": np.where(rng.random(n) < 0.02, 1e4, 1.0) * z[:, 8],
        "outliers_b": np.where(rng.random(n) < 0.02, -500.0, 0.0) + z[:, 9],
    }
    logit = z[:, 0] + z[:, 2] + z[:, 4] - z[:, 6] + z[:, 8] + 0.5 * z[:, 9]
    y = pd.Series(np.where(logit + rng.normal(size=n) > 0, "yes", "no"), name="y")
    return pd.DataFrame(cols), y


def candidates(columns: list[str]) -> tuple[Candidate, ...]:
    plans = [InputPlan(name, tuple((c, key) for c in columns)) for name, key in SCALERS.items()]
    return tuple(Candidate(plan, norm) for norm in NORMS for plan in plans)


def naive_search(
    frame: pd.DataFrame, y: pd.Series, cands: tuple[Candidate, ...]
) -> dict[str, list[float]]:
    """keras-tuner with a fresh model per fold: the obvious approach."""
    kt = import_keras_tuner()
    keras = import_keras()
    labels = np.unique(y)
    codes = np.searchsorted(labels, y.to_numpy())
    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(frame, codes))
    by_key = {c.key: c for c in cands}
    # the same network the advisor sizes for this data
    setup = prepare_folds(frame, y, "classification", None, Budget("bench", FOLDS, 0, 1), SEED)
    spec_none = setup.net_spec(frame.shape[1], "none", frame.shape[1])
    scores: dict[str, list[float]] = {}

    class NaiveTuner(kt.Tuner):  # type: ignore[misc]
        def run_trial(self, trial, *args, **kwargs):  # type: ignore[no-untyped-def]
            candidate = by_key[
                f"{trial.hyperparameters.get('plan')}+{trial.hyperparameters.get('norm')}"
            ]
            losses = []
            for k, (train, valid) in enumerate(folds):
                pipe = PlanTransformer(candidate.plan).fit(frame.iloc[train])
                x_train = pipe.transform(frame.iloc[train]).astype("float32")
                x_valid = pipe.transform(frame.iloc[valid]).astype("float32")
                keras.utils.set_random_seed(SEED + k)
                model = build_model(spec_none.with_norm(candidate.in_network), seed=SEED + k)
                history = model.fit(
                    x_train, codes[train], validation_data=(x_valid, codes[valid]),
                    epochs=EPOCHS, batch_size=BATCH, verbose=0,
                )  # fmt: skip
                losses.append(float(min(history.history["val_loss"])))
            scores[candidate.key] = losses
            return {"score": float(np.mean(losses))}

    hp = kt.HyperParameters()
    hp.Choice("plan", list(SCALERS))
    hp.Choice("norm", list(NORMS))
    oracle = kt.oracles.GridSearchOracle(
        objective=kt.Objective("score", "min"), hyperparameters=hp, max_trials=len(cands)
    )
    workdir = tempfile.mkdtemp(prefix="naive-search-")
    try:
        NaiveTuner(oracle=oracle, directory=workdir, project_name="naive").search(verbose=0)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return scores


def _raw(result: Any) -> np.ndarray:
    """Per-fold best validation loss, uncapped (the search caps its scores at the trivial
    predictor's loss; the naive search does not)."""
    return np.asarray([min(curve) for curve in result.curves])


def main() -> None:
    keras = import_keras()
    frame, y = make_data()
    cands = candidates(list(frame.columns))
    started = time.perf_counter()
    naive = naive_search(frame, y, cands)
    naive_seconds = time.perf_counter() - started
    budget = Budget("bench", FOLDS, 0, patience=10**6, epochs=EPOCHS, batch_size=BATCH)
    with tempfile.TemporaryDirectory() as work:  # fresh: no stored trials to reuse
        started = time.perf_counter()
        ours = run_search(
            frame, y, "classification", cands, budget=budget, seed=SEED, work_dir=work + "/a"
        )
        ours_seconds = time.perf_counter() - started
        # Seed-to-seed variation of our own search: how far a score moves with nothing but
        # other initial weights and batch order (the naive search draws its own).
        other = run_search(
            frame, y, "classification", cands, budget=budget, seed=SEED + 1, work_dir=work + "/b"
        )
    reseeded = {c.key: _raw(c) for c in other.candidates}
    print(
        f"backend: {keras.backend.backend()}; {len(cands)} candidates x {FOLDS} folds x "
        f"{EPOCHS} epochs of batch {BATCH} on {frame.shape[0]} x {frame.shape[1]}\n"
    )
    print("| candidate | naive loss mean ± sd | ours mean ± sd | ours, seed 1 | within noise |")
    print("|---|---|---|---|---|")
    all_within = True
    for c in ours.candidates:
        a = np.asarray(naive[c.key])
        b = _raw(c)
        shift = abs(float(reseeded[c.key].mean() - b.mean()))
        noise = max(a.std(ddof=1), b.std(ddof=1), shift)
        within = abs(a.mean() - b.mean()) <= noise
        all_within &= bool(within)
        print(
            f"| {c.key} | {a.mean():.4f} ± {a.std(ddof=1):.4f} | {b.mean():.4f} ± "
            f"{b.std(ddof=1):.4f} | {reseeded[c.key].mean():.4f} | {'yes' if within else 'no'} |"
        )
    naive_best = min(naive, key=lambda k: np.mean(naive[k]))
    ours_best = min(ours.candidates, key=lambda c: float(_raw(c).mean())).key
    a, b = np.asarray(naive[naive_best]), np.asarray(naive[ours_best])
    same = naive_best == ours_best or abs(a.mean() - b.mean()) <= max(a.std(ddof=1), b.std(ddof=1))
    print(
        f"\nnaive search: {naive_seconds:.1f} s; ours: {ours_seconds:.1f} s; "
        f"speed-up {naive_seconds / ours_seconds:.1f}x"
    )
    print(
        f"best candidate: naive {naive_best}, ours {ours_best} "
        f"({'same or within fold noise' if same else 'DIFFERENT'}); every candidate within "
        f"noise (the larger of the fold sd and our seed-to-seed shift): "
        f"{'yes' if all_within else 'no'}"
    )
    if not math.isfinite(ours_seconds):
        sys.exit(1)


if __name__ == "__main__":
    main()
