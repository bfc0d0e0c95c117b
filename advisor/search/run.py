"""Validation search: cross-validated short training runs of every candidate, via keras-tuner.

One keras-tuner trial is one candidate (input plan x in-network normalization) evaluated on
all folds. `CVTuner.run_trial` does the k-fold cross-validation that keras-tuner lacks for
Keras models: every scaler is fit on the training part of a fold only, all candidates see
the same folds (stratified for classification), and fold k starts from the same initial
weights in every candidate. Fold scores and validation curves travel with the trial as
metrics through the oracle.

The score is the validation loss at each fold's best epoch: log loss for classification,
mean squared error of the fold-standardized (and, if advised, log-transformed) target for
regression; accuracy or R² (in the target's own units) is reported beside it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold

from advisor.backend import import_keras, import_keras_tuner
from advisor.network.nets import LEARNING_RATE, NetSpec, size_network
from advisor.network.train import JaxPackedTrainer, PackedTrainer, make_trainer
from advisor.plan.pipeline import PlanTransformer
from advisor.plan.plans import Candidate, InputPlan
from advisor.plan.target import LabelCodec, TargetTransformer
from advisor.report.text import t_text
from advisor.search.stats import corrected_resampled_ttest, derive_seed, holm

ALPHA = 0.05
#: The one-standard-error rule: a challenger replaces the default when its mean loss is
#: lower by more than this many corrected standard errors of the paired fold differences.
SE_RULE = 1.0
#: How the search decides, written into the advice file.
DECISION_RULE = (
    "one-standard-error rule: a challenger replaces the default when its mean loss is "
    "lower by more than one standard error of the paired fold differences (corrected "
    f"resampled t > {SE_RULE:g}); among those, the lowest mean loss wins"
)


@dataclass(frozen=True)
class Budget:
    """How much training the search may spend."""

    name: str
    folds: int
    max_steps: int  # optimizer steps per fold, the training length
    patience: int  # epochs without improvement on every fold before stopping
    min_steps: int = 50
    epochs: int | None = None  # fixed epochs instead of max_steps (benchmarks)
    batch_size: int | None = None  # fixed batch size instead of one sized from the data
    strategy: str = "grid"  # "grid" (every candidate) or "bayesian" (max_trials of them)
    max_trials: int | None = None
    time_limit: float | None = None  # seconds; no new trial starts after it
    #: Above this many rows the search and the final fit use a seeded stratified sample.
    sample_rows: int = 50_000


BUDGETS: dict[str, Budget] = {
    "fast": Budget("fast", folds=5, max_steps=600, patience=8),
    "standard": Budget(
        "standard",
        folds=5,
        max_steps=1500,
        patience=15,
        strategy="bayesian",
        max_trials=30,
        sample_rows=100_000,
    ),
    "thorough": Budget(
        "thorough",
        folds=10,
        max_steps=3000,
        patience=25,
        strategy="bayesian",
        max_trials=60,
        sample_rows=200_000,
    ),
}


@dataclass(frozen=True)
class CandidateResult:
    key: str
    plan: str
    in_network: str
    status: str  # "ok" | "failed"
    fold_scores: tuple[float, ...] = ()
    fold_metrics: tuple[float, ...] = ()
    best_epochs: tuple[int, ...] = ()
    curves: tuple[tuple[float, ...], ...] = ()
    message: str = ""
    seconds: float = 0.0  # report only; never written to the advice file

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_scores)) if self.fold_scores else math.nan

    @property
    def sd(self) -> float:
        return float(np.std(self.fold_scores, ddof=1)) if len(self.fold_scores) > 1 else 0.0

    @property
    def metric_mean(self) -> float:
        return float(np.mean(self.fold_metrics)) if self.fold_metrics else math.nan

    @property
    def metric_sd(self) -> float:
        return float(np.std(self.fold_metrics, ddof=1)) if len(self.fold_metrics) > 1 else 0.0


@dataclass(frozen=True)
class Comparison:
    """A challenger against the default on the same folds."""

    challenger: str
    mean_improvement: float
    fold_wins: int
    t: float | None
    p: float
    p_holm: float

    @property
    def significant(self) -> bool:
        """Significant by the one-sided test, Holm-adjusted over the challengers (reported
        as the strength of the evidence; the decision uses `beats_default`)."""
        return self.p_holm < ALPHA and self.mean_improvement > 0

    @property
    def beats_default(self) -> bool:
        """Lower mean loss by more than SE_RULE corrected standard errors."""
        if self.mean_improvement <= 0:
            return False
        return self.t is None or self.t > SE_RULE


@dataclass(frozen=True)
class SearchResult:
    candidates: tuple[CandidateResult, ...]
    default_key: str
    winner_key: str
    comparisons: tuple[Comparison, ...]
    decision: str
    n_folds: int
    score_name: str
    metric_name: str
    net: NetSpec
    batch_size: int
    budget: str
    seconds: float = field(default=0.0, compare=False)

    def candidate(self, key: str) -> CandidateResult:
        for c in self.candidates:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def winner(self) -> CandidateResult:
        return self.candidate(self.winner_key)


class CandidateFailed(Exception):
    """A candidate that cannot be evaluated (the search marks it failed and goes on)."""


class FoldRunner:
    """Evaluates candidates on fixed folds with one reusable packed model per architecture."""

    def __init__(
        self,
        features: pd.DataFrame,
        y: pd.Series,
        task: str,
        target_method: str | None,
        budget: Budget,
        seed: int,
        split: Split | None = None,
    ) -> None:
        self.features = features
        self.task = task
        self.budget = budget
        self.seed = seed
        self.target_method = target_method or "standard"
        n = len(features)
        if task == "classification":
            self.codec: LabelCodec | None = LabelCodec.fit(y)
            self.y = self.codec.encode(y)
            self.n_outputs = len(self.codec.classes)
            n_splits = int(min(budget.folds, max(2, np.bincount(self.y).max())))
        else:
            self.codec = None
            self.y = y.to_numpy(dtype=np.float64)
            self.n_outputs = 1
            n_splits = int(min(budget.folds, n))
        self.folds = _make_folds(n, self.y, task, n_splits, seed, split or Split())
        n_splits = len(self.folds)
        if n < 2 * n_splits or n_splits < 2:
            raise CandidateFailed(f"{n} rows are too few for {budget.folds}-fold validation")
        self.k = len(self.folds)
        n_train = max(len(tr) for tr, _ in self.folds)
        self.batch_size = budget.batch_size or _batch_size(n_train)
        steps_per_epoch = math.ceil(n_train / self.batch_size)
        if budget.epochs is not None:
            self.max_epochs = self.min_epochs = budget.epochs
        else:
            self.max_epochs = max(1, math.ceil(budget.max_steps / steps_per_epoch))
            self.min_epochs = max(1, math.ceil(budget.min_steps / steps_per_epoch))
        self.test_fraction = float(np.mean([len(va) / n for _, va in self.folds]))
        self._targets = self._fold_targets()
        self._baselines = [self._baseline_loss(k) for k in range(self.k)]
        self.net: NetSpec | None = None

    def _fold_targets(self) -> list[tuple[np.ndarray, np.ndarray, TargetTransformer | None]]:
        out: list[tuple[np.ndarray, np.ndarray, TargetTransformer | None]] = []
        for train, valid in self.folds:
            if self.task == "classification":
                out.append((self.y[train].astype(np.int64), self.y[valid].astype(np.int64), None))
            else:
                tt = TargetTransformer(self.target_method).fit(self.y[train])
                out.append((tt.transform(self.y[train]), tt.transform(self.y[valid]), tt))
        return out

    def input_width(self, plan: InputPlan) -> int:
        """How many inputs the networks get (the widest fold): the same for every plan,
        since missing-value indicators and one-hot columns do not depend on the scalers."""
        plain = plan.with_all("width", "passthrough")
        return max(
            len(PlanTransformer(plain).fit(self.features.iloc[train]).get_feature_names_out())
            for train, _ in self.folds
        )

    def _baseline_loss(self, fold: int) -> float:
        """The validation loss of the trivial predictor fit on the training part: class
        frequencies (log loss) or the training mean (MSE of the standardized target)."""
        y_train, y_valid, _ = self._targets[fold]
        if self.task == "classification":
            counts = np.bincount(y_train, minlength=self.n_outputs).astype(float) + 0.5
            log_prior = np.log(counts / counts.sum())
            return float(-np.mean(log_prior[y_valid]))
        return float(np.mean((y_valid - np.mean(y_train)) ** 2))

    def net_spec(self, n_inputs: int, in_network: str) -> NetSpec:
        width, depth = size_network(n_inputs)
        return NetSpec(
            task=self.task,
            n_inputs=n_inputs,
            n_outputs=self.n_outputs,
            width=width,
            depth=depth,
            learning_rate=LEARNING_RATE,
            in_network=in_network,
        )

    def evaluate(self, candidate: Candidate, index: int) -> CandidateResult:
        started = time.perf_counter()
        train_blocks, valid_blocks = [], []
        for fold, (train, valid) in enumerate(self.folds):
            transformer = PlanTransformer(candidate.plan, seed=derive_seed(self.seed, "q", fold))
            try:
                transformer.fit(self.features.iloc[train])
                z_train = transformer.transform(self.features.iloc[train])
                z_valid = transformer.transform(self.features.iloc[valid])
            except (ValueError, ArithmeticError) as exc:
                raise CandidateFailed(f"fold {fold + 1}: preprocessing failed: {exc}") from None
            if not (np.isfinite(z_train).all() and np.isfinite(z_valid).all()):
                raise CandidateFailed(f"fold {fold + 1}: preprocessing produced non-finite values")
            train_blocks.append(z_train.astype(np.float32))
            valid_blocks.append(z_valid.astype(np.float32))
        # Folds can differ in width (a missing-value indicator or a category seen in one
        # training part only). Each slot has its own weights, so zero columns pad the
        # narrower folds without changing what their networks compute.
        n_inputs = max(block.shape[1] for block in train_blocks)
        train_blocks = [_pad_columns(b, n_inputs) for b in train_blocks]
        valid_blocks = [_pad_columns(b, n_inputs) for b in valid_blocks]
        spec = self.net_spec(n_inputs, candidate.in_network).with_norm(
            candidate.in_network, candidate.placement
        )
        if candidate.learning_rate is not None:
            spec = dataclasses.replace(spec, learning_rate=candidate.learning_rate)
        self.net = self.net_spec(n_inputs, "none")
        x_train, y_train = self._pack_train(train_blocks)
        x_valid, valid_rows = self._pack_valid(valid_blocks)
        trainer = self._trainer(spec)
        trainer.reset([derive_seed(self.seed, "init", fold) for fold in range(self.k)])
        x_t, y_t = trainer.load(x_train, y_train)
        x_v = trainer.load(x_valid, np.zeros(1))[0]
        rng = np.random.default_rng(derive_seed(self.seed, candidate.key, "shuffle"))
        curves: list[list[float]] = [[] for _ in range(self.k)]
        metrics: list[list[float]] = [[] for _ in range(self.k)]
        train_curve: list[float] = []
        since_best = 0
        for epoch in range(self.max_epochs):
            train_curve.append(trainer.epoch(x_t, y_t, rng.permutation(len(x_train))))
            output = trainer.predict(x_v)
            improved = False
            for k, n_rows in enumerate(valid_rows):
                loss, metric = self.fold_loss(k, output[:n_rows, k, :])
                if not math.isfinite(loss):
                    raise CandidateFailed(
                        f"fold {k + 1}: training diverged (validation loss is not finite "
                        f"at epoch {epoch + 1})"
                    )
                if not curves[k] or loss < min(curves[k]) - 1e-7:
                    improved = True
                curves[k].append(loss)
                metrics[k].append(metric)
            since_best = 0 if improved else since_best + 1
            if epoch + 1 >= self.min_epochs and since_best >= self.budget.patience:
                break
        best = [int(np.argmin(curve)) for curve in curves]
        return CandidateResult(
            key=candidate.key,
            plan=candidate.plan.name,
            in_network=candidate.in_network,
            status="ok",
            # A fold's score is capped at the trivial predictor's loss: a model worse than
            # predicting the training prior is useless however much worse it is, and an
            # unbounded loss would let one diverged fold hide a consistent difference.
            fold_scores=tuple(
                min(float(curves[k][e]), self._baselines[k]) for k, e in enumerate(best)
            ),
            fold_metrics=tuple(float(metrics[k][e]) for k, e in enumerate(best)),
            best_epochs=tuple(e + 1 for e in best),
            curves=tuple(tuple(float(v) for v in c) for c in curves),
            seconds=time.perf_counter() - started,
        )

    def _trainer(self, spec: NetSpec) -> PackedTrainer | JaxPackedTrainer:
        return shared_trainer(spec, self.k, self.batch_size)

    def _pack_train(self, blocks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        n_max = max(len(tr) for tr, _ in self.folds)
        xs, ys = [], []
        for fold, ((train, _), block) in enumerate(zip(self.folds, blocks, strict=True)):
            target = self._targets[fold][0]
            order = np.arange(len(train))
            if len(train) < n_max:
                rng = np.random.default_rng(derive_seed(self.seed, "pad", fold))
                order = np.concatenate([order, rng.choice(len(train), n_max - len(train))])
            xs.append(block[order])
            ys.append(target[order])
        x = np.stack(xs, axis=1)
        y = np.stack(ys, axis=1)
        if self.task == "regression":
            y = y[..., np.newaxis].astype(np.float32)
        return x, y

    def _pack_valid(self, blocks: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
        v_max = max(len(va) for _, va in self.folds)
        xs = []
        rows = []
        for block in blocks:
            rows.append(len(block))
            pad = np.repeat(block[:1], v_max - len(block), axis=0)
            xs.append(np.concatenate([block, pad]))
        return np.stack(xs, axis=1), rows

    def fold_loss(self, fold: int, output: np.ndarray) -> tuple[float, float]:
        """Validation loss and metric (accuracy or R² in target units) of one fold."""
        _, y_valid, tt = self._targets[fold]
        if self.task == "classification":
            logits = output.astype(np.float64)
            logits -= logits.max(axis=1, keepdims=True)
            log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
            loss = float(-np.mean(log_p[np.arange(len(y_valid)), y_valid]))
            accuracy = float(np.mean(np.argmax(logits, axis=1) == y_valid))
            return loss, accuracy
        prediction = output[:, 0].astype(np.float64)
        loss = float(np.mean((prediction - y_valid) ** 2))
        assert tt is not None
        truth = self.y[self.folds[fold][1]]
        with np.errstate(all="ignore"):
            fitted = tt.inverse_transform(prediction)
            sst = float(np.sum((truth - truth.mean()) ** 2))
            r2 = 1.0 - float(np.sum((truth - fitted) ** 2)) / sst if sst > 0 else 0.0
        return loss, r2 if math.isfinite(r2) else -1e9


_TRAINERS: dict[tuple[NetSpec, int, int], PackedTrainer | JaxPackedTrainer] = {}
_MAX_TRAINERS = 16


def shared_trainer(spec: NetSpec, slots: int, batch_size: int) -> PackedTrainer | JaxPackedTrainer:
    """A compiled trainer for this architecture, kept for the life of the process: a
    second search with the same shapes (another dataset of the same width, a benchmark
    fold, a test) skips the 1-2 s of tracing. Trainers are reset before every use."""
    key = (spec, slots, batch_size)
    if key not in _TRAINERS:
        if len(_TRAINERS) >= _MAX_TRAINERS:
            _TRAINERS.pop(next(iter(_TRAINERS)))
        _TRAINERS[key] = make_trainer(spec, slots, batch_size)
    return _TRAINERS[key]


@dataclass(frozen=True)
class Split:
    """How rows are split into folds: shuffled k-fold (stratified for classification),
    by group (no group in two folds), or in time order (train on the past only)."""

    groups: tuple[Any, ...] | None = None
    order: tuple[Any, ...] | None = None

    @property
    def kind(self) -> str:
        return "group" if self.groups is not None else "time" if self.order is not None else "kfold"


def _make_folds(
    n: int, y: np.ndarray, task: str, n_splits: int, seed: int, split: Split
) -> list[tuple[np.ndarray, np.ndarray]]:
    import warnings

    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold, TimeSeriesSplit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # classes smaller than n_splits
        if split.groups is not None:
            groups = np.asarray(split.groups, dtype=object).astype(str)
            n_groups = len(set(groups))
            if n_groups < 2:
                raise CandidateFailed("grouped validation needs at least two groups")
            k = min(n_splits, n_groups)
            if task == "classification":
                splitter: Any = StratifiedGroupKFold(k, shuffle=True, random_state=seed)
                pairs = splitter.split(np.zeros(n), y, groups)
            else:
                pairs = GroupKFold(k).split(np.zeros(n), y, groups)
            return [(np.sort(tr), np.sort(va)) for tr, va in pairs]
        if split.order is not None:
            position = np.argsort(np.asarray(split.order), kind="stable")
            pairs = TimeSeriesSplit(n_splits).split(position)
            return [(np.sort(position[tr]), np.sort(position[va])) for tr, va in pairs]
        if task == "classification":
            splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
            pairs = splitter.split(np.zeros(n), y)
        else:
            pairs = KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(np.zeros(n))
        return [(np.sort(tr), np.sort(va)) for tr, va in pairs]


def _pad_columns(block: np.ndarray, width: int) -> np.ndarray:
    if block.shape[1] == width:
        return block
    return np.hstack([block, np.zeros((block.shape[0], width - block.shape[1]), block.dtype)])


def _batch_size(n_train: int) -> int:
    """64 (the common choice) up to about a thousand rows; then about 16 optimizer steps
    per epoch, a power of two up to 256."""
    target = min(max(n_train / 16.0, 64.0), 256.0)
    return int(2 ** round(math.log2(target)))


class SearchDelegated(Exception):
    """Raised on a keras-tuner worker once it has run its share of the trials: the chief
    holds the results and makes the decision."""


def run_search(
    features: pd.DataFrame,
    y: pd.Series,
    task: str,
    candidates: tuple[Candidate, ...],
    target_method: str | None = None,
    budget: str | Budget = "fast",
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    work_dir: str | os.PathLike[str] | None = None,
    split: Split | None = None,
) -> SearchResult:
    """Evaluate ``candidates`` (the first is the default) with keras-tuner's GridSearch
    oracle and pick a winner that beats the default beyond fold noise.

    The trials live in ``work_dir`` (default: the user's cache directory) under a key
    hashed from the data, the candidates, the settings and the advisor's code, so an
    interrupted search resumes where it stopped and a changed one never reuses stale
    trials. With keras-tuner's KERASTUNER_* variables set, this process is the chief (it
    serves the oracle and returns the result) or a worker (it runs trials, then raises
    `SearchDelegated`).
    """
    if isinstance(budget, str):
        if budget not in BUDGETS:
            raise ValueError(f"budget must be one of {', '.join(BUDGETS)}, got {budget!r}")
        budget = BUDGETS[budget]
    started = time.perf_counter()
    kt = import_keras_tuner()
    _quiet_failed_trials()
    runner = FoldRunner(features, y, task, target_method, budget, seed, split)
    by_key = {c.key: (i, c) for i, c in enumerate(candidates)}
    fatal: list[BaseException] = []
    done = [0]

    class CVTuner(kt.Tuner):  # type: ignore[name-defined]
        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> dict[str, float]:
            key = _point_key(trial.hyperparameters.values)
            if key not in by_key:  # a point of the space that is not a candidate
                raise kt.errors.FailedTrialError(f"{key} is not a candidate")
            index, candidate = by_key[key]
            key = candidate.key
            done[0] += 1
            if progress is not None:
                progress(f"trial {done[0]}/{len(candidates)}: {key}")
            try:
                result = runner.evaluate(candidate, index)
            except CandidateFailed as exc:
                raise kt.errors.FailedTrialError(str(exc)) from None
            except Exception as exc:
                # Not the candidate's fault but a bug or a broken environment: abort the
                # search instead of quietly marking the trial invalid.
                fatal.append(exc)
                raise kt.errors.FatalError(repr(exc)) from exc
            return _result_metrics(result)

        def save_model(self, trial_id: Any, model: Any, step: int = 0) -> None:
            return None

    hp, points = _search_space(kt, candidates)
    by_key = {_point_key(point): by_key[c.key] for c, point in zip(candidates, points, strict=True)}
    max_trials = min(budget.max_trials or len(points), len(points))
    oracle_class = _oracle_class(kt, budget.strategy, points, budget.time_limit)
    oracle = oracle_class(
        objective=kt.Objective("score", direction="min"),
        max_trials=max_trials,
        hyperparameters=hp,
        seed=seed,
        max_consecutive_failed_trials=len(points) + 1,
    )
    root = Path(work_dir) if work_dir is not None else cache_dir() / "search"
    root.mkdir(parents=True, exist_ok=True)
    key = search_key(features, y, task, candidates, target_method, budget, seed, split)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # keras-tuner's "Reloading Tuner"
            tuner = CVTuner(oracle=oracle, directory=str(root), project_name=key)
        tuner.search(verbose=0)
    except kt.errors.FatalError:
        if fatal:
            raise fatal[0] from None
        raise
    if _is_worker():
        raise SearchDelegated("this keras-tuner worker has run its share of the trials")
    results = _results_from_oracle(tuner.oracle, by_key)
    ordered = tuple(
        results.get(
            c.key,
            CandidateResult(
                c.key,
                c.plan.name,
                c.in_network,
                "skipped",
                message=f"not tried ({budget.strategy} search, {max_trials} trials)",
            ),
        )
        for c in candidates
    )
    return decide(
        ordered,
        candidates,
        runner,
        budget.name,
        seconds=time.perf_counter() - started,
    )


def _search_space(kt: Any, candidates: tuple[Candidate, ...]) -> tuple[Any, list[dict[str, str]]]:
    """keras-tuner hyperparameters spanning the candidates (string choices, first value =
    the default candidate's), and each candidate as a point of that space."""
    points = [_candidate_point(c) for c in candidates]
    hp = kt.HyperParameters()
    for name in points[0]:
        hp.Choice(name, list(dict.fromkeys(p[name] for p in points)))
    return hp, points


def _candidate_point(c: Candidate) -> dict[str, str]:
    return {
        "plan": c.plan.name,
        "in_network": c.in_network,
        "placement": c.placement,
        "learning_rate": "auto" if c.learning_rate is None else f"{c.learning_rate:g}",
    }


def _point_key(values: Any) -> str:
    return "|".join(f"{k}={values.get(k)}" for k in ("plan", "in_network", "placement",
                                                       "learning_rate"))  # fmt: skip


def _oracle_class(
    kt: Any, strategy: str, points: list[dict[str, str]], time_limit: float | None
) -> Any:
    """The oracle for a budget: every candidate in order (grid), or Bayesian optimization
    over the space that always starts with the default candidate. Both propose only
    candidates, resume from their saved trials, and start no trial after ``time_limit``."""
    deadline = None if time_limit is None else time.monotonic() + time_limit
    valid = {_point_key(p): p for p in points}

    def taken(oracle: Any) -> set[str]:
        return {_point_key(t.hyperparameters.values) for t in oracle.trials.values()}

    def finished(oracle: Any) -> dict[str, Any]:
        status = kt.engine.trial.TrialStatus
        if oracle.ongoing_trials:
            return {"status": status.IDLE, "values": None}
        return {"status": status.STOPPED, "values": None}

    def first_free(oracle: Any) -> dict[str, Any] | None:
        used = taken(oracle)
        for key, point in valid.items():
            if key not in used:
                return {"status": kt.engine.trial.TrialStatus.RUNNING, "values": dict(point)}
        return None

    def timed_out() -> bool:
        return deadline is not None and time.monotonic() > deadline

    class ExhaustiveOracle(kt.Oracle):
        """Grid search whose state is its trials, so it resumes after a restart
        (keras-tuner's GridSearchOracle keeps its order in a linked list that is not saved
        with its state: a reloaded search fails with a KeyError)."""

        def populate_space(self, trial_id: str) -> dict[str, Any]:
            if timed_out() and self.trials:  # the default always runs
                return finished(self)
            return first_free(self) or finished(self)

    class DefaultFirstBayesianOracle(kt.oracles.BayesianOptimizationOracle):
        """Bayesian optimization (Gaussian process) that evaluates the default candidate
        first -- every challenger is compared with it -- and maps points that are not
        candidates to the first untried candidate."""

        def populate_space(self, trial_id: str) -> dict[str, Any]:
            if timed_out() and self.trials:  # the default always runs
                return finished(self)
            default = next(iter(valid))
            if default not in taken(self):
                return {
                    "status": kt.engine.trial.TrialStatus.RUNNING,
                    "values": dict(valid[default]),
                }
            proposal = super().populate_space(trial_id)
            values = proposal.get("values")
            if values is None:
                return proposal
            key = _point_key(values)
            if key in valid and key not in taken(self):
                return proposal
            return first_free(self) or finished(self)

    return ExhaustiveOracle if strategy == "grid" else DefaultFirstBayesianOracle


def _result_metrics(result: CandidateResult) -> dict[str, float]:
    """Everything about a trial as keras-tuner metrics, so it travels through the oracle
    (to the chief in distributed mode, to disk for resume)."""
    metrics = {"score": result.mean, "seconds": result.seconds}
    for k in range(len(result.fold_scores)):
        metrics[f"fold{k}_score"] = result.fold_scores[k]
        metrics[f"fold{k}_metric"] = result.fold_metrics[k]
        metrics[f"fold{k}_best_epoch"] = float(result.best_epochs[k])
        for epoch, value in enumerate(result.curves[k]):
            metrics[f"fold{k}_curve_{epoch:04d}"] = value
    return metrics


def _results_from_oracle(
    oracle: Any, by_key: dict[str, tuple[int, Candidate]]
) -> dict[str, CandidateResult]:
    out: dict[str, CandidateResult] = {}
    for trial in oracle.trials.values():
        point = _point_key(trial.hyperparameters.values)
        if point not in by_key:
            continue
        candidate = by_key[point][1]
        key = candidate.key
        status = str(trial.status)
        if status.endswith("COMPLETED"):
            metrics = trial.metrics

            def get(name: str, _m: Any = metrics) -> float:
                return float(_m.get_last_value(name))

            folds = 0
            while metrics.exists(f"fold{folds}_score"):
                folds += 1
            curves = []
            for k in range(folds):
                curve = []
                epoch = 0
                while metrics.exists(f"fold{k}_curve_{epoch:04d}"):
                    curve.append(get(f"fold{k}_curve_{epoch:04d}"))
                    epoch += 1
                curves.append(tuple(curve))
            out[key] = CandidateResult(
                key=key,
                plan=candidate.plan.name,
                in_network=candidate.in_network,
                status="ok",
                fold_scores=tuple(get(f"fold{k}_score") for k in range(folds)),
                fold_metrics=tuple(get(f"fold{k}_metric") for k in range(folds)),
                best_epochs=tuple(int(get(f"fold{k}_best_epoch")) for k in range(folds)),
                curves=tuple(curves),
                seconds=get("seconds") if metrics.exists("seconds") else 0.0,
            )
        elif status.endswith(("FAILED", "INVALID")):
            out[key] = CandidateResult(
                key, candidate.plan.name, candidate.in_network, "failed",
                message=_failure_reason(trial.message),
            )  # fmt: skip
    return out


def _failure_reason(message: str | None) -> str:
    """The reason from keras-tuner's stored traceback (its last line, without the type)."""
    if not message:
        return "failed"
    last = [line for line in message.strip().splitlines() if line.strip()][-1]
    return last.split("Error: ", 1)[-1].strip()


def _is_worker() -> bool:
    tuner_id = os.environ.get("KERASTUNER_TUNER_ID", "")
    return bool(os.environ.get("KERASTUNER_ORACLE_IP")) and "chief" not in tuner_id


def cache_dir() -> Path:
    """ADVISOR_CACHE_DIR, else $XDG_CACHE_HOME/normalization-advisor, else
    ~/.cache/normalization-advisor -- never the working directory."""
    if os.environ.get("ADVISOR_CACHE_DIR"):
        return Path(os.environ["ADVISOR_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "normalization-advisor"


def search_key(
    features: pd.DataFrame,
    y: pd.Series,
    task: str,
    candidates: tuple[Candidate, ...],
    target_method: str | None,
    budget: Budget,
    seed: int,
    split: Split | None = None,
) -> str:
    """A hash of everything a search's results depend on."""
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(features, index=False).to_numpy().tobytes())
    digest.update(pd.util.hash_pandas_object(y.astype(str), index=False).to_numpy().tobytes())
    digest.update(",".join(map(str, features.columns)).encode())
    settings = {
        "task": task,
        "target_method": target_method,
        "budget": dataclasses.asdict(budget),
        "seed": seed,
        "split": None if split is None else [split.kind, split.groups, split.order],
        "candidates": [(c.key, c.plan.to_dict(), c.in_network) for c in candidates],
        "code": code_version(),
        "backend": import_keras().backend.backend(),  # TensorFlow and JAX differ in bits
    }
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:20]


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The advisor's version plus a digest of its source and rule files: any change to
    the code that computes a trial invalidates stored trials."""
    from advisor.version import __version__

    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _quiet_failed_trials() -> None:
    """keras-tuner prints a traceback for every failed trial while its DEBUG flag is on (the
    default); the failure's reason is kept in the result and shown in the report instead."""
    try:
        from keras_tuner.src import config as kt_config

        kt_config.DEBUG = False
    except ImportError:  # a keras-tuner layout without the flag: nothing to silence
        pass


def decide(
    results: tuple[CandidateResult, ...],
    candidates: tuple[Candidate, ...],
    runner: FoldRunner,
    budget: str,
    seconds: float,
) -> SearchResult:
    """Keep the default unless a challenger beats it by more than fold noise.

    Each challenger is compared with the default on the same folds by the corrected
    resampled t statistic (Nadeau and Bengio). A challenger wins when its mean loss is
    lower by more than one corrected standard error of the paired differences (the
    one-standard-error rule of model selection, with the rules' plan as the preferred
    model); among several, the lowest mean loss wins (ties: the simpler candidate). The
    one-sided p-values, Holm-adjusted over all challengers, are reported beside it.

    Why not demand Holm-adjusted significance: with five folds and eight challengers it
    almost never passes, so the search could not correct a rule even where every fold
    agrees; in the quality benchmark the one-standard-error rule chose better plans
    (docs/benchmarks.md, calibration experiments).
    """
    default = results[0]
    score_name = "log loss" if runner.task == "classification" else "MSE (standardized target)"
    metric_name = "accuracy" if runner.task == "classification" else "R²"
    net = runner.net or runner.net_spec(runner.input_width(candidates[0].plan), "none")
    if default.status != "ok":
        return SearchResult(
            results,
            default.key,
            default.key,
            (),
            (
                f"the default {default.key} failed ({default.message}); "
                "the rules' plan is kept without validation"
            ),
            runner.k,
            score_name,
            metric_name,
            net,
            runner.batch_size,
            budget,
            seconds,
        )
    challengers = [r for r in results[1:] if r.status == "ok"]
    tests = [
        corrected_resampled_ttest(default.fold_scores, r.fold_scores, runner.test_fraction)
        for r in challengers
    ]
    adjusted = holm([t.p for t in tests]) if tests else []
    comparisons = tuple(
        Comparison(r.key, t.mean_improvement, t.fold_wins, t.t, t.p, p)
        for r, t, p in zip(challengers, tests, adjusted, strict=True)
    )
    complexity = {c.key: c.complexity for c in candidates}
    by_key = results_by_key(results)
    passing = [c for c in comparisons if c.beats_default]
    if passing:
        best = min(
            passing,
            key=lambda c: (
                round(by_key[c.challenger].mean, 12),
                complexity[c.challenger],
            ),
        )
        winner = best.challenger
        strength = "significant" if best.significant else "not significant"
        decision = (
            f"{winner} beats the default {default.key} by more than one standard error: "
            f"loss lower by {best.mean_improvement:.4g} on average, better on "
            f"{best.fold_wins}/{runner.k} folds, corrected resampled t={t_text(best.t)} "
            f"(one-sided p={best.p:.3g}; Holm-adjusted over {len(comparisons)} challengers "
            f"{best.p_holm:.3g}, {strength} at alpha {ALPHA})"
        )
    else:
        winner = default.key
        nearest = min(comparisons, key=lambda c: by_key[c.challenger].mean, default=None)
        detail = (
            f"; the best challenger, {nearest.challenger}, changes the mean loss by "
            f"{-nearest.mean_improvement:+.4g} (better on {nearest.fold_wins}/{runner.k} folds, "
            f"t={t_text(nearest.t)})"
            if nearest is not None
            else ""
        )
        decision = (
            f"the default {default.key} stands: no candidate beats it by more than one "
            f"standard error of the paired fold differences (corrected resampled t > "
            f"{SE_RULE:g}){detail}"
        )
    return SearchResult(
        candidates=results,
        default_key=default.key,
        winner_key=winner,
        comparisons=comparisons,
        decision=decision,
        n_folds=runner.k,
        score_name=score_name,
        metric_name=metric_name,
        net=net,
        batch_size=runner.batch_size,
        budget=budget,
        seconds=seconds,
    )


def results_by_key(results: tuple[CandidateResult, ...]) -> dict[str, CandidateResult]:
    return {r.key: r for r in results}


def search_to_dict(result: SearchResult) -> dict[str, Any]:
    """The search as JSON-ready data (no timings: the advice file must be reproducible)."""
    return {
        "budget": result.budget,
        "n_folds": result.n_folds,
        "score": result.score_name,
        "metric": result.metric_name,
        "batch_size": result.batch_size,
        "net": result.net.to_dict(),
        "default": result.default_key,
        "winner": result.winner_key,
        "decision": result.decision,
        "test": "corrected resampled t-test (Nadeau & Bengio 2003), one-sided, Holm-adjusted; "
        + DECISION_RULE,
        "alpha": ALPHA,
        "candidates": [
            {
                "key": c.key,
                "plan": c.plan,
                "in_network": c.in_network,
                "status": c.status,
                "message": c.message,
                "mean": None if c.status != "ok" else c.mean,
                "sd": None if c.status != "ok" else c.sd,
                "metric_mean": None if c.status != "ok" else c.metric_mean,
                "metric_sd": None if c.status != "ok" else c.metric_sd,
                "fold_scores": list(c.fold_scores),
                "fold_metrics": list(c.fold_metrics),
                "best_epochs": list(c.best_epochs),
                "curves": [list(curve) for curve in c.curves],
            }
            for c in result.candidates
        ],
        "comparisons": [
            {
                "challenger": c.challenger,
                "mean_improvement": c.mean_improvement,
                "fold_wins": c.fold_wins,
                "t": c.t,
                "p": c.p,
                "p_holm": c.p_holm,
                "significant": c.significant,
                "beats_default": c.beats_default,
            }
            for c in result.comparisons
        ],
    }
