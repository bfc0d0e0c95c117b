"""The folds every candidate shares: fixed once per search, before the first candidate trains.

In: the features, the target, the task, the advised target transform, a `Budget`, a seed
and a `Split`. Out: `prepare_folds` returns a frozen `FoldSetup`: the folds and how they
were made (`FoldPlan`), the fold-encoded targets (class codes, or the target transformed
on each fold's training part, by every target transform a candidate may use), the trivial
predictor's validation loss and metric per fold (the cap on a fold's score), the batch
size and the training length. `FoldSetup.fold_loss` scores one fold's network output;
`FoldSetup.net_spec` sizes the network for an input width.

A regression fold's loss is the mean squared error in the target's own units over the
variance of the fold's training target: whatever transform a candidate trains on, its
predictions are mapped back and scored alike, so target transforms compete on one scale.
With the z-score transform it equals the MSE of the standardized target, and is computed
so.

Nothing here trains: `advisor.search.runner` does, from this setup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from advisor.network.nets import LEARNING_RATE, NetSpec, size_network
from advisor.plan.pipeline import PlanTransformer
from advisor.plan.plans import InputPlan
from advisor.plan.target import LabelCodec, TargetTransformer
from advisor.search.budgets import Budget
from advisor.search.folds import batch_size, make_folds
from advisor.search.results import CandidateFailed
from advisor.search.splits import FoldPlan
from advisor.table.units import Split
from advisor.vocab import TARGET_METHODS, InNetwork, Task

#: The score of a regression search, in the advice file and the reports.
REGRESSION_SCORE = "MSE in target units / training variance"

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
    targets: tuple[FoldTargets, ...]  # by the default target transform
    baselines: tuple[float, ...]  # the trivial predictor's validation loss per fold
    baseline_metrics: tuple[float, ...]  # and its accuracy or R² (what a capped fold shows)
    batch_size: int
    max_epochs: int
    min_epochs: int
    patience: int
    test_fraction: float  # mean share of the rows validated per fold
    seed: int
    fold_plan: FoldPlan | None = None
    target_method: str | None = None  # the default transform (regression)
    #: Regression: every target transform's fold targets, by method.
    by_method: dict[str, tuple[FoldTargets, ...]] = field(default_factory=dict)

    @property
    def k(self) -> int:
        return len(self.folds)

    def targets_for(self, method: str | None) -> tuple[FoldTargets, ...]:
        """The fold targets of a candidate training on ``method`` (None: the default)."""
        if method is None or method == self.target_method or self.task == "classification":
            return self.targets
        return self.by_method[method]

    def input_width(self, plan: InputPlan) -> int:
        """How many inputs the networks get (the widest fold): the same for every plan,
        since missing-value indicators and one-hot columns do not depend on the scalers."""
        plain = plan.with_all("width", "passthrough")
        return max(
            len(PlanTransformer(plain).fit(self.features.iloc[train]).get_feature_names_out())
            for train, _ in self.folds
        )

    def net_spec(self, n_inputs: int, in_network: InNetwork, n_features: int) -> NetSpec:
        """The network for ``n_inputs`` inputs made from ``n_features`` feature columns."""
        width, depth = size_network(n_features)
        return NetSpec(
            task=self.task,
            n_inputs=n_inputs,
            n_outputs=self.n_outputs,
            width=width,
            depth=depth,
            learning_rate=LEARNING_RATE,
            in_network=in_network,
        )

    def fold_loss(
        self, fold: int, output: np.ndarray, method: str | None = None
    ) -> tuple[float, float]:
        """Validation loss and metric (accuracy or R² in target units) of one fold's output
        from a network trained on the target transform ``method`` (None: the default)."""
        _, y_valid, tt = self.targets_for(method)[fold]
        if self.task == "classification":
            logits = output.astype(np.float64)
            logits -= logits.max(axis=1, keepdims=True)
            log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
            loss = float(-np.mean(log_p[np.arange(len(y_valid)), y_valid]))
            accuracy = float(np.mean(np.argmax(logits, axis=1) == y_valid))
            return loss, accuracy
        prediction = output[:, 0].astype(np.float64)
        assert tt is not None
        truth = self.y[self.folds[fold][1]]
        with np.errstate(all="ignore"):
            fitted = tt.inverse_transform(prediction)
            if tt.method == "standard":
                loss = float(np.mean((prediction - y_valid) ** 2))  # the same, in z units
            else:
                scale = self.by_method["standard"][fold][2].scale_  # type: ignore[union-attr]
                loss = float(np.mean((fitted - truth) ** 2)) / scale**2
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
    folds, fold_plan = _folds(n, codes, task, n_splits, budget.folds, seed, split)
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
    by_method = {}
    if task == "regression":
        by_method = {m: _fold_targets(folds, codes, task, m) for m in TARGET_METHODS}
    targets = by_method.get(target_method or "standard") or _fold_targets(folds, codes, task, "")
    plain = by_method.get("standard", targets)
    return FoldSetup(
        features=features,
        task=task,
        y=codes,
        n_outputs=n_outputs,
        folds=folds,
        targets=targets,
        # The trivial predictor in the target's units: the same cap for every transform.
        baselines=tuple(_baseline_loss(t, task, n_outputs) for t in plain),
        baseline_metrics=tuple(
            _baseline_metric(t, codes[valid], task)
            for t, (_, valid) in zip(plain, folds, strict=True)
        ),
        batch_size=size,
        max_epochs=max_epochs,
        min_epochs=min_epochs,
        patience=budget.patience,
        test_fraction=float(np.mean([len(va) / n for _, va in folds])),
        seed=seed,
        fold_plan=fold_plan,
        target_method=target_method or ("standard" if task == "regression" else None),
        by_method=by_method,
    )


def _folds(
    n: int,
    codes: np.ndarray,
    task: str,
    n_splits: int,
    asked: int,
    seed: int,
    split: Split | None,
) -> tuple[Folds, FoldPlan]:
    """The folds and how they were made (``n_splits``: ``asked`` or fewer, for small data)."""
    pairs, fold_plan = make_folds(n, codes, task, n_splits, seed, split or Split())
    if n_splits < asked:
        why = f"the largest class has {n_splits} rows" if task == "classification" else "few rows"
        fold_plan = replace(fold_plan, asked=asked, fewer_because=why)
    return tuple(pairs), fold_plan


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
