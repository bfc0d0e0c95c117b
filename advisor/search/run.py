"""Validation search: cross-validated short training runs of every candidate, via keras-tuner.

In: the features, the target, the task, the candidates (input plan x in-network
normalization; the first is the default), a budget, a seed and a split. Out: a
`SearchResult`: every candidate's fold scores and the decision.

One keras-tuner trial is one candidate evaluated on all folds. The k-fold
cross-validation that keras-tuner lacks for Keras models is the packed runner's
(`advisor.search.runner`): every scaler is fit on the training part of a fold only, all
candidates see the same folds (stratified for classification), and fold k starts from the
same initial weights in every candidate. When every candidate will be tried (a grid, or
no more candidates than trials), the first trial trains every candidate (one packed model
per network shape) and the other trials are answered from that run; a keras-tuner worker
trains, per trial, the packed model of that trial's shape, so distributed scores equal a
single process's bit for bit. A resumed search trains them all again, so that its scores are
those of an uninterrupted one to the last bit (packing changes the rounding), and keeps
the trials it had. Fold scores and validation curves travel with the
trial as metrics through the oracle (`advisor.search.tuner`); `advisor.search.decision`
keeps the default unless a challenger beats it beyond fold noise.

The score is the validation loss at each fold's best epoch: log loss for classification,
mean squared error of the fold-standardized (and, if advised, log-transformed) target for
regression; accuracy or R² (in the target's own units) is reported beside it.

Importing this module does not import TensorFlow or keras-tuner: `run_search` does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import time
from pathlib import Path

import pandas as pd

from advisor.errors import SearchDelegated
from advisor.plan.plans import Candidate
from advisor.progress import Progress
from advisor.search.budgets import BUDGETS, Budget
from advisor.search.cache import cache_dir, search_key
from advisor.search.decision import decide
from advisor.search.pool import CandidatePool
from advisor.search.results import CandidateResult, SearchResult
from advisor.search.setup import FoldSetup, prepare_folds
from advisor.table.units import Split
from advisor.vocab import Task


def run_search(
    features: pd.DataFrame,
    y: pd.Series,
    task: Task,
    candidates: tuple[Candidate, ...],
    target_method: str | None = None,
    budget: str | Budget = "fast",
    seed: int = 0,
    progress: Progress | None = None,
    work_dir: str | os.PathLike[str] | None = None,
    split: Split | None = None,
) -> SearchResult:
    """Evaluate ``candidates`` (the first is the default) with keras-tuner and pick a
    winner that beats the default beyond fold noise.

    The trials live in ``work_dir`` (default: the user's cache directory) under a key
    hashed from the data, the candidates, the settings and the advisor's code, so an
    interrupted search resumes where it stopped and a changed one never reuses stale
    trials. With keras-tuner's KERASTUNER_* variables set, this process is the chief (it
    serves the oracle and returns the result) or a worker (it runs trials, then raises
    `SearchDelegated`). ``progress`` gets a `advisor.progress.trial_started` event as each
    trial starts.
    """
    budget = _budget(budget)
    started = time.perf_counter()
    from advisor.search import tuner as kt_adapter  # keras-tuner, and so TensorFlow

    kt_adapter.quiet_failed_trials()
    setup = prepare_folds(features, y, task, target_method, budget, seed, split)
    hp, points = kt_adapter.candidate_space(candidates)
    by_point = {kt_adapter.point_key(p): c for c, p in zip(candidates, points, strict=True)}
    max_trials = min(budget.max_trials or len(points), len(points))
    deadline = None if budget.time_limit is None else time.monotonic() + budget.time_limit
    root = Path(work_dir) if work_dir is not None else cache_dir() / "search"
    root.mkdir(parents=True, exist_ok=True)
    key = search_key(features, y, task, candidates, target_method, budget, seed, split)
    pool = CandidatePool(
        setup,
        candidates,
        pack=max_trials >= len(points),
        progress=progress,
        one_shape=kt_adapter.is_worker(),
    )
    with contextlib.redirect_stdout(io.StringIO()):  # keras-tuner's "Reloading Tuner"
        tuner = kt_adapter.CVTuner(
            evaluate=pool, candidates=by_point, total=max_trials, progress=progress,
            oracle=kt_adapter.make_oracle(budget.strategy, points, deadline, hp, max_trials, seed),
            directory=str(root), project_name=key,
        )  # fmt: skip
    # Trials an earlier run of the same search left (a worker's oracle client keeps none).
    trials = {} if kt_adapter.is_worker() else tuner.oracle.trials
    reused = sum(1 for t in trials.values() if str(t.status).endswith("COMPLETED"))
    tuner.search_candidates()
    if kt_adapter.is_worker():
        raise SearchDelegated("this keras-tuner worker has run its share of the trials")
    results = kt_adapter.results_from_oracle(tuner.oracle, by_point)
    skipped = f"not tried ({budget.strategy} search, {max_trials} trials)"
    ordered = tuple(results.get(c.key, _skipped(c, skipped)) for c in candidates)
    result = _decided(ordered, candidates, setup, budget, time.perf_counter() - started)
    return dataclasses.replace(result, cached=reused, trial_dir=str(root / key))


def _decided(
    ordered: tuple[CandidateResult, ...],
    candidates: tuple[Candidate, ...],
    setup: FoldSetup,
    budget: Budget,
    seconds: float,
) -> SearchResult:
    """The decision on every candidate's result, with the network they all trained:
    without in-network normalization, the input as wide for every plan (the widest fold)."""
    plan = candidates[0].plan
    net = setup.net_spec(setup.input_width(plan), "none", plan.n_features)
    return decide(ordered, candidates, setup, net, budget.name, seconds=seconds)


def _budget(budget: str | Budget) -> Budget:
    if isinstance(budget, Budget):
        return budget
    if budget not in BUDGETS:
        raise ValueError(f"budget must be one of {', '.join(BUDGETS)}, got {budget!r}")
    return BUDGETS[budget]


def _skipped(candidate: Candidate, why: str) -> CandidateResult:
    """The result of a candidate the search did not try."""
    plan = candidate.plan
    return CandidateResult(
        candidate.key, plan.name, candidate.in_network, "skipped", message=why,
        target=candidate.target, encoding=candidate.encoding,
    )  # fmt: skip
