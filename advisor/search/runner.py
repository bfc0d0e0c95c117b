"""The packed runner: one candidate trained on every fold at once, in one packed model.

In: the features, the target, the task, a `Budget`, a seed and a `Split`. `prepare_folds`
turns them into a frozen `FoldSetup` (folds, fold-encoded targets, trivial-predictor
baselines, batch size, epochs); `evaluate(setup, candidate)` fits the candidate's scalers
on each fold's training rows only, trains the k fold networks side by side (fold k starts
from the same initial weights in every candidate) and returns a `CandidateResult`.
Out: fold scores (validation loss at each fold's best epoch, capped at the baseline), fold
metrics (accuracy or R² in the target's units), best epochs and validation curves.

Nothing is left on the setup between calls: the same setup and candidate give the same
result. The only state kept is `shared_trainer`'s cache of compiled trainers, which are
reset before every use.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from advisor.network.nets import LEARNING_RATE, NetSpec, size_network
from advisor.network.train import JaxPackedTrainer, PackedTrainer, make_trainer
from advisor.plan.pipeline import PlanTransformer
from advisor.plan.plans import Candidate, InputPlan
from advisor.plan.target import LabelCodec, TargetTransformer
from advisor.search.budgets import Budget
from advisor.search.folds import Split, batch_size, make_folds, pad_columns
from advisor.search.results import CandidateFailed, CandidateResult
from advisor.search.stats import derive_seed
from advisor.vocab import InNetwork, Task

#: One fold's targets: training and validation values as the networks see them (class
#: codes, or the fold-standardized target) and the regression target's transformer.
FoldTargets = tuple[np.ndarray, np.ndarray, TargetTransformer | None]
Folds = tuple[tuple[np.ndarray, np.ndarray], ...]


@dataclass(frozen=True, eq=False)
class FoldSetup:
    """Everything fixed before the first candidate trains: the same for all of them."""

    features: pd.DataFrame
    task: Task
    y: np.ndarray  # class codes (classification) or target values (regression)
    n_outputs: int  # classes, or 1 for regression
    folds: Folds  # (train, valid) row indices
    targets: tuple[FoldTargets, ...]
    baselines: tuple[float, ...]  # the trivial predictor's validation loss per fold
    baseline_metrics: tuple[float, ...]  # and its accuracy or R² (what a capped fold shows)
    batch_size: int
    max_epochs: int
    min_epochs: int
    patience: int
    test_fraction: float  # mean share of the rows validated per fold
    seed: int

    @property
    def k(self) -> int:
        return len(self.folds)

    def input_width(self, plan: InputPlan) -> int:
        """How many inputs the networks get (the widest fold): the same for every plan,
        since missing-value indicators and one-hot columns do not depend on the scalers."""
        plain = plan.with_all("width", "passthrough")
        return max(
            len(PlanTransformer(plain).fit(self.features.iloc[train]).get_feature_names_out())
            for train, _ in self.folds
        )

    def net_spec(self, n_inputs: int, in_network: InNetwork) -> NetSpec:
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

    def fold_loss(self, fold: int, output: np.ndarray) -> tuple[float, float]:
        """Validation loss and metric (accuracy or R² in target units) of one fold."""
        _, y_valid, tt = self.targets[fold]
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


def prepare_folds(
    features: pd.DataFrame,
    y: pd.Series,
    task: Task,
    target_method: str | None,
    budget: Budget,
    seed: int,
    split: Split | None = None,
) -> FoldSetup:
    """The folds, targets, baselines and training length every candidate shares."""
    n = len(features)
    if task == "classification":
        codec = LabelCodec.fit(y)
        codes = codec.encode(y)
        n_outputs = len(codec.classes)
        n_splits = int(min(budget.folds, max(2, np.bincount(codes).max())))
    else:
        codes = y.to_numpy(dtype=np.float64)
        n_outputs = 1
        n_splits = int(min(budget.folds, n))
    folds = tuple(make_folds(n, codes, task, n_splits, seed, split or Split()))
    n_splits = len(folds)
    if n < 2 * n_splits or n_splits < 2:
        raise CandidateFailed(f"{n} rows are too few for {budget.folds}-fold validation")
    n_train = max(len(tr) for tr, _ in folds)
    size = budget.batch_size or batch_size(n_train)
    steps_per_epoch = math.ceil(n_train / size)
    if budget.epochs is not None:
        max_epochs = min_epochs = budget.epochs
    else:
        max_epochs = max(1, math.ceil(budget.max_steps / steps_per_epoch))
        min_epochs = max(1, math.ceil(budget.min_steps / steps_per_epoch))
    targets = _fold_targets(folds, codes, task, target_method or "standard")
    return FoldSetup(
        features=features,
        task=task,
        y=codes,
        n_outputs=n_outputs,
        folds=folds,
        targets=targets,
        baselines=tuple(_baseline_loss(t, task, n_outputs) for t in targets),
        baseline_metrics=tuple(
            _baseline_metric(t, codes[valid], task)
            for t, (_, valid) in zip(targets, folds, strict=True)
        ),
        batch_size=size,
        max_epochs=max_epochs,
        min_epochs=min_epochs,
        patience=budget.patience,
        test_fraction=float(np.mean([len(va) / n for _, va in folds])),
        seed=seed,
    )


def _fold_targets(
    folds: Folds, y: np.ndarray, task: str, target_method: str
) -> tuple[FoldTargets, ...]:
    out: list[FoldTargets] = []
    for train, valid in folds:
        if task == "classification":
            out.append((y[train].astype(np.int64), y[valid].astype(np.int64), None))
        else:
            tt = TargetTransformer(target_method).fit(y[train])
            out.append((tt.transform(y[train]), tt.transform(y[valid]), tt))
    return tuple(out)


def _baseline_loss(targets: FoldTargets, task: str, n_outputs: int) -> float:
    """The validation loss of the trivial predictor fit on the training part: class
    frequencies (log loss) or the training mean (MSE of the standardized target)."""
    y_train, y_valid, _ = targets
    if task == "classification":
        counts = np.bincount(y_train, minlength=n_outputs).astype(float) + 0.5
        log_prior = np.log(counts / counts.sum())
        return float(-np.mean(log_prior[y_valid]))
    return float(np.mean((y_valid - np.mean(y_train)) ** 2))


def _baseline_metric(targets: FoldTargets, truth: np.ndarray, task: str) -> float:
    """The trivial predictor's accuracy (the training majority class) or R² (the training
    mean, in the target's units) on the validation part."""
    y_train, y_valid, tt = targets
    if task == "classification":
        return float(np.mean(y_valid == np.argmax(np.bincount(y_train))))
    assert tt is not None
    fitted = float(tt.inverse_transform(np.array([np.mean(y_train)]))[0])
    sst = float(np.sum((truth - truth.mean()) ** 2))
    return 1.0 - float(np.sum((truth - fitted) ** 2)) / sst if sst > 0 else 0.0


def evaluate(setup: FoldSetup, candidate: Candidate) -> CandidateResult:
    """Train ``candidate`` on every fold of ``setup``; `CandidateFailed` if it cannot be
    preprocessed or its training diverges."""
    started = time.perf_counter()
    train_blocks, valid_blocks = [], []
    for fold, (train, valid) in enumerate(setup.folds):
        transformer = PlanTransformer(candidate.plan, seed=derive_seed(setup.seed, "q", fold))
        try:
            transformer.fit(setup.features.iloc[train])
            z_train = transformer.transform(setup.features.iloc[train])
            z_valid = transformer.transform(setup.features.iloc[valid])
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
    train_blocks = [pad_columns(b, n_inputs) for b in train_blocks]
    valid_blocks = [pad_columns(b, n_inputs) for b in valid_blocks]
    spec = setup.net_spec(n_inputs, candidate.in_network).with_norm(
        candidate.in_network, candidate.placement
    )
    if candidate.learning_rate is not None:
        spec = dataclasses.replace(spec, learning_rate=candidate.learning_rate)
    x_train, y_train = _pack_train(setup, train_blocks)
    x_valid, valid_rows = _pack_valid(setup, valid_blocks)
    trainer = shared_trainer(spec, setup.k, setup.batch_size)
    trainer.reset([derive_seed(setup.seed, "init", fold) for fold in range(setup.k)])
    x_t, y_t = trainer.load(x_train, y_train)
    x_v = trainer.load(x_valid, np.zeros(1))[0]
    rng = np.random.default_rng(derive_seed(setup.seed, candidate.key, "shuffle"))
    curves: list[list[float]] = [[] for _ in range(setup.k)]
    metrics: list[list[float]] = [[] for _ in range(setup.k)]
    train_curve: list[float] = []
    since_best = 0
    for epoch in range(setup.max_epochs):
        train_curve.append(trainer.epoch(x_t, y_t, rng.permutation(len(x_train))))
        output = trainer.predict(x_v)
        improved = False
        for k, n_rows in enumerate(valid_rows):
            loss, metric = setup.fold_loss(k, output[:n_rows, k, :])
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
        if epoch + 1 >= setup.min_epochs and since_best >= setup.patience:
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
        fold_scores=tuple(min(float(curves[k][e]), setup.baselines[k]) for k, e in enumerate(best)),
        # ... and so is its metric: a capped fold shows the trivial predictor's accuracy or
        # R², never a score of the baseline beside an R² of -259.
        fold_metrics=tuple(
            setup.baseline_metrics[k] if curves[k][e] > setup.baselines[k] else float(metrics[k][e])
            for k, e in enumerate(best)
        ),
        best_epochs=tuple(e + 1 for e in best),
        curves=tuple(tuple(float(v) for v in c) for c in curves),
        seconds=time.perf_counter() - started,
    )


def _pack_train(setup: FoldSetup, blocks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The folds' training rows side by side, ``(rows, k, ...)``; shorter folds are padded
    with a seeded resample of their own rows."""
    n_max = max(len(tr) for tr, _ in setup.folds)
    xs, ys = [], []
    for fold, ((train, _), block) in enumerate(zip(setup.folds, blocks, strict=True)):
        target = setup.targets[fold][0]
        order = np.arange(len(train))
        if len(train) < n_max:
            rng = np.random.default_rng(derive_seed(setup.seed, "pad", fold))
            order = np.concatenate([order, rng.choice(len(train), n_max - len(train))])
        xs.append(block[order])
        ys.append(target[order])
    x = np.stack(xs, axis=1)
    y = np.stack(ys, axis=1)
    if setup.task == "regression":
        y = y[..., np.newaxis].astype(np.float32)
    return x, y


def _pack_valid(setup: FoldSetup, blocks: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
    """The folds' validation rows side by side (padded, never scored) and their counts."""
    v_max = max(len(va) for _, va in setup.folds)
    xs = []
    rows = []
    for block in blocks:
        rows.append(len(block))
        pad = np.repeat(block[:1], v_max - len(block), axis=0)
        xs.append(np.concatenate([block, pad]))
    return np.stack(xs, axis=1), rows


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
