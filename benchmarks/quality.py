"""Quality benchmark: does the advice beat what people use instead?

For each dataset in shared/datasets (targets.json names target and task) and each of 5
folds (fixed seed): the advisor runs on the training part only (default budget), then a
fixed reference MLP -- independent of the advisor's own search model -- is trained on the
advised features with the advised in-network normalization and scored on the held-out
part. The same reference MLP scores the fixed strategies people use instead. Fixed
strategies' scores are cached (dataset, strategy, fold, reference settings), so a rerun
scores only the advisor.

    python benchmarks/quality.py                          # all ten datasets
    python benchmarks/quality.py --datasets wine,cars     # a subset
    python benchmarks/quality.py --output results.md      # also write the markdown tables

Run it from a checkout that does not change while it runs (a `git worktree` of the commit
to measure): the advisor reads its rule files at run time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import rankdata
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor import advise  # noqa: E402
from advisor.backend import import_keras  # noqa: E402
from advisor.io.load import load_table  # noqa: E402
from advisor.plan.pipeline import PlanTransformer  # noqa: E402
from advisor.plan.plans import InputPlan  # noqa: E402
from advisor.plan.target import LabelCodec, TargetTransformer  # noqa: E402
from advisor.search.stats import corrected_resampled_ttest, derive_seed  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
CACHE = Path(os.environ.get("ADVISOR_QUALITY_CACHE", ROOT / "benchmarks" / ".cache" / "quality"))
FOLDS = 5
SEED = 0
ALPHA = 0.05


@dataclass(frozen=True)
class Reference:
    """The fixed reference MLP every strategy is scored with."""

    width: int = 128
    depth: int = 2
    learning_rate: float = 1e-3
    batch_size: int = 64
    max_steps: int = 2000
    eval_every: int = 50  # steps between early-stopping checks
    patience: int = 6  # checks without improvement before stopping
    val_fraction: float = 0.15
    version: int = 2  # bump when the training code changes

    def key(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Strategy:
    name: str
    scaler: str  # catalog key, "autogluon", "advisor", "rules" or "shuffled"
    in_network: str = "none"

    @property
    def cached(self) -> bool:
        return self.scaler not in SUBJECTS


FIXED = (
    Strategy("none", "passthrough"),
    Strategy("standard", "standard"),
    Strategy("minmax", "minmax"),
    Strategy("maxabs", "maxabs"),
    Strategy("robust", "robust"),
    Strategy("quantile", "quantile_normal"),
    Strategy("yeo-johnson", "yeo_johnson"),
    Strategy("autogluon", "autogluon"),
    Strategy("realmlp", "robust_clip"),
    Strategy("standard+BN", "standard", "batch"),
    Strategy("standard+LN", "standard", "layer"),
    Strategy("quantile+BN", "quantile_normal", "batch"),
    Strategy("quantile+LN", "quantile_normal", "layer"),
    Strategy("realmlp+BN", "robust_clip", "batch"),
    Strategy("realmlp+LN", "robust_clip", "layer"),
)
ADVISOR = Strategy("advisor", "advisor")
#: The rules' plan alone: the advisor with its search cut to the default candidate (a
#: quick proxy while calibrating rules: the reference MLP scores what the rules propose).
RULES = Strategy("rules", "rules")
SUBJECTS = {"advisor": ADVISOR, "rules": RULES}


@dataclass
class FoldScore:
    strategy: str
    dataset: str
    fold: int
    task: str
    accuracy: float | None = None
    balanced_accuracy: float | None = None
    r2: float | None = None
    rmse: float | None = None
    seconds: float = 0.0
    in_network: str = "none"

    @property
    def primary(self) -> float:
        """Higher is better: accuracy, or minus RMSE."""
        if self.task == "classification":
            assert self.accuracy is not None
            return self.accuracy
        assert self.rmse is not None
        return -self.rmse


# ----------------------------------------------------------------------------- reference MLP


class ReferenceTrainer:
    """Trains the reference MLP with Keras' own fit; one compiled model per input shape and
    normalization, reset (weights, optimizer) between uses."""

    def __init__(self, settings: Reference) -> None:
        self.settings = settings
        self.keras = import_keras()
        self._models: dict[tuple[Any, ...], tuple[Any, list[np.ndarray], list[np.ndarray]]] = {}

    def _model(self, n_inputs: int, n_outputs: int, task: str, norm: str) -> Any:
        key = (n_inputs, n_outputs, task, norm)
        keras = self.keras
        if key not in self._models:
            s = self.settings
            inputs = keras.Input((n_inputs,))
            z = inputs
            for _ in range(s.depth):
                z = keras.layers.Dense(s.width, use_bias=norm == "none")(z)
                if norm == "batch":
                    z = keras.layers.BatchNormalization()(z)
                elif norm == "layer":
                    z = keras.layers.LayerNormalization()(z)
                z = keras.layers.Activation("relu")(z)
            if task == "classification":
                out = keras.layers.Dense(n_outputs)(z)
                loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
            else:
                out = keras.layers.Dense(1)(z)
                loss = keras.losses.MeanSquaredError()
            model = keras.Model(inputs, out)
            model.compile(optimizer=keras.optimizers.Adam(s.learning_rate), loss=loss)
            model.optimizer.build(model.trainable_variables)
            fresh_opt = [np.array(v.numpy()) for v in model.optimizer.variables]
            self._models[key] = (model, model.get_weights(), fresh_opt)
        model, fresh, fresh_opt = self._models[key]
        return model, fresh, fresh_opt

    def fit_predict(
        self,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_test: np.ndarray,
        task: str,
        n_outputs: int,
        norm: str,
        seed: int,
    ) -> np.ndarray:
        s = self.settings
        keras = self.keras
        import tensorflow as tf

        model, fresh, fresh_opt = self._model(x_train.shape[1], n_outputs, task, norm)
        rng = np.random.default_rng(seed)
        weights = []
        for w in fresh:
            if w.ndim == 2:  # Dense kernels: Glorot uniform from the fold's seed
                limit = math.sqrt(6.0 / (w.shape[0] + w.shape[1]))
                weights.append(rng.uniform(-limit, limit, w.shape).astype(w.dtype))
            else:
                weights.append(w.copy())
        model.set_weights(weights)
        for variable, value in zip(model.optimizer.variables, fresh_opt, strict=True):
            variable.assign(value)
        stratify = y_train if task == "classification" and _can_stratify(y_train) else None
        x_fit, x_val, y_fit, y_val = train_test_split(
            x_train, y_train, test_size=s.val_fraction, random_state=seed, stratify=stratify
        )
        batch = int(min(s.batch_size, max(8, len(x_fit) // 4)))
        # Seed before the dataset exists: tf.data's shuffle order depends on the global
        # seed at the time the dataset is built, so seeding after it (version 1) let the
        # order depend on what the process had run before.
        keras.utils.set_random_seed(seed)
        data = (
            tf.data.Dataset.from_tensor_slices((x_fit.astype("float32"), y_fit))
            .shuffle(len(x_fit), seed=seed, reshuffle_each_iteration=True)
            .repeat()
            .batch(batch, drop_remainder=True)
        )
        stop = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=s.patience, restore_best_weights=True
        )
        model.fit(
            data,
            steps_per_epoch=s.eval_every,
            epochs=s.max_steps // s.eval_every,
            validation_data=(x_val.astype("float32"), y_val),
            callbacks=[stop],
            shuffle=False,  # the dataset shuffles itself
            verbose=0,
        )
        return np.asarray(model.predict(x_test.astype("float32"), verbose=0, batch_size=1024))


def _can_stratify(y: np.ndarray) -> bool:
    return bool(np.bincount(y.astype(int)).min() >= 2)


# ----------------------------------------------------------------------------- strategies


def autogluon_plan(
    train: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str]
) -> InputPlan:
    """AutoGluon's neural-network rule: |skew| > 0.99 -> quantile-normal, else standardize."""
    scalers = []
    for column in numeric:
        values = train[column].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        skew = float(stats.skew(values)) if values.size > 2 and np.ptp(values) > 0 else 0.0
        scalers.append((column, "quantile_normal" if abs(skew) > 0.99 else "standard"))
    return InputPlan("autogluon", tuple(scalers), tuple(categorical))


def run_strategy(
    strategy: Strategy,
    table_train: pd.DataFrame,
    y_train: pd.Series,
    table_test: pd.DataFrame,
    y_test: pd.Series,
    numeric: Sequence[str],
    categorical: Sequence[str],
    task: str,
    dataset: str,
    fold: int,
    trainer: ReferenceTrainer,
) -> FoldScore:
    started = time.perf_counter()
    seed = derive_seed(SEED, dataset, fold, "reference")
    in_network = strategy.in_network
    target_tt: TargetTransformer | None = None
    if strategy.scaler in SUBJECTS:
        frame = table_train.copy()
        frame["__target__"] = y_train.to_numpy()
        trials = 1 if strategy.scaler == "rules" else None
        advice = advise(
            frame,
            target="__target__",  # type: ignore[arg-type]
            task=task,
            seed=SEED,
            max_trials=trials,
        )
        pipeline = advice.pipeline
        in_network = advice.in_network
        target_tt = advice.target_transformer
    else:
        if strategy.scaler == "autogluon":
            plan = autogluon_plan(table_train, numeric, categorical)
        else:
            key = "passthrough" if strategy.scaler == "shuffled" else strategy.scaler
            plan = InputPlan(strategy.name, tuple((c, key) for c in numeric), tuple(categorical))
        pipeline = PlanTransformer(plan, seed=seed).fit(table_train)
    x_train = pipeline.transform(table_train)
    x_test = pipeline.transform(table_test)
    if task == "classification":
        codec = LabelCodec.fit(pd.concat([y_train, y_test]))
        y_fit = codec.encode(y_train)
        if strategy.scaler == "shuffled":
            y_fit = np.random.default_rng(seed).permutation(y_fit)
        logits = trainer.fit_predict(
            x_train, y_fit, x_test, task, len(codec.classes), in_network, seed
        )
        predicted = np.argmax(logits, axis=1)
        truth = codec.encode(y_test)
        return FoldScore(
            strategy.name,
            dataset,
            fold,
            task,
            accuracy=float(np.mean(predicted == truth)),
            balanced_accuracy=float(balanced_accuracy_score(truth, predicted)),
            seconds=time.perf_counter() - started,
            in_network=in_network,
        )
    target_tt = target_tt or TargetTransformer("standard")
    if strategy.scaler not in SUBJECTS:
        target_tt.fit(y_train)
    z = target_tt.transform(y_train)
    if strategy.scaler == "shuffled":
        z = np.random.default_rng(seed).permutation(z)
    output = trainer.fit_predict(x_train, z, x_test, task, 1, in_network, seed)
    with np.errstate(all="ignore"):
        predicted = target_tt.inverse_transform(output[:, 0])
    truth = y_test.to_numpy(dtype=float)
    predicted = np.where(np.isfinite(predicted), predicted, np.mean(y_train))
    sse = float(np.sum((truth - predicted) ** 2))
    sst = float(np.sum((truth - truth.mean()) ** 2))
    return FoldScore(
        strategy.name,
        dataset,
        fold,
        task,
        r2=1.0 - sse / sst if sst > 0 else 0.0,
        rmse=math.sqrt(sse / len(truth)),
        seconds=time.perf_counter() - started,
        in_network=in_network,
    )


# ----------------------------------------------------------------------------- harness


def load_dataset(
    name: str,
) -> tuple[pd.DataFrame, pd.Series, str, tuple[str, ...], tuple[str, ...]]:
    meta = json.loads((DATASETS / "targets.json").read_text())[name]
    table = load_table(DATASETS / meta["file"], target=meta["target"], task=meta["task"])
    assert table.target is not None and table.task is not None
    return table.features, table.target, table.task, table.numeric, table.categorical


def folds_for(y: pd.Series, task: str) -> list[tuple[np.ndarray, np.ndarray]]:
    n = len(y)
    if task == "classification":
        splitter: Any = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
        return list(splitter.split(np.zeros(n), y.astype(str)))
    return list(KFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(n)))


def cache_path(dataset: str, strategy: str, fold: int, reference: Reference) -> Path:
    safe = strategy.replace("+", "_plus_")
    return CACHE / dataset / f"{safe}-fold{fold}-{reference.key()}.json"


def evaluate_dataset(
    dataset: str,
    strategies: Sequence[Strategy],
    trainer: ReferenceTrainer,
    use_cache: bool = True,
    log: Callable[[str], None] = print,
    loader: Callable[[str], Any] = load_dataset,
) -> list[FoldScore]:
    features, y, task, numeric, categorical = loader(dataset)
    scores: list[FoldScore] = []
    for fold, (train, test) in enumerate(folds_for(y, task)):
        for strategy in strategies:
            path = cache_path(dataset, strategy.name, fold, trainer.settings)
            if strategy.cached and use_cache and path.exists():
                scores.append(FoldScore(**json.loads(path.read_text())))
                continue
            score = run_strategy(
                strategy,
                features.iloc[train].reset_index(drop=True),
                y.iloc[train].reset_index(drop=True),
                features.iloc[test].reset_index(drop=True),
                y.iloc[test].reset_index(drop=True),
                numeric,
                categorical,
                task,
                dataset,
                fold,
                trainer,
            )
            scores.append(score)
            if strategy.cached and use_cache:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(asdict(score)))
                os.replace(tmp, path)
            log(
                f"  {dataset} fold {fold + 1} {strategy.name}: "
                f"{score.primary:.4f} ({score.seconds:.1f} s)"
            )
    return scores


@dataclass
class DatasetSummary:
    dataset: str
    task: str
    means: dict[str, float]  # primary score (accuracy, or RMSE) per strategy
    secondary: dict[str, float]  # balanced accuracy or R²
    ranks: dict[str, float]
    advisor_regret: float | None  # accuracy points, or % of RMSE
    best_fixed: str
    advisor_seconds: float
    versus: dict[str, str]  # baseline -> "win" | "tie" | "loss"
    in_network: str


def summarize(dataset: str, scores: list[FoldScore], subject: str = "advisor") -> DatasetSummary:
    task = scores[0].task
    by_strategy: dict[str, list[FoldScore]] = {}
    for s in scores:
        by_strategy.setdefault(s.strategy, []).append(s)
    for runs in by_strategy.values():
        runs.sort(key=lambda s: s.fold)
    names = list(by_strategy)
    primary = {n: float(np.mean([s.primary for s in by_strategy[n]])) for n in names}
    if task == "classification":
        means = {n: 100.0 * v for n, v in primary.items()}
        secondary = {
            n: 100.0 * float(np.mean([s.balanced_accuracy for s in by_strategy[n]])) for n in names
        }
    else:
        means = {n: -v for n, v in primary.items()}
        secondary = {n: float(np.mean([s.r2 for s in by_strategy[n]])) for n in names}
    order = [primary[n] for n in names]
    ranked = rankdata([-v for v in order], method="average")
    ranks = {n: float(r) for n, r in zip(names, ranked, strict=True)}
    fixed = [n for n in names if n != subject and n != "shuffled"]
    best = max(fixed, key=lambda n: primary[n])
    regret = None
    versus: dict[str, str] = {}
    seconds = 0.0
    in_network = ""
    if subject in by_strategy:
        if task == "classification":
            regret = means[best] - means[subject]
        else:
            regret = 100.0 * (means[subject] - means[best]) / means[best]
        seconds = float(np.mean([s.seconds for s in by_strategy[subject]]))
        in_network = ",".join(sorted({s.in_network for s in by_strategy[subject]}))
        for baseline in ("standard", "autogluon"):
            if baseline in by_strategy:
                versus[baseline] = paired_outcome(by_strategy[subject], by_strategy[baseline])
    return DatasetSummary(
        dataset, task, means, secondary, ranks, regret, best, seconds, versus, in_network
    )


def paired_outcome(subject: list[FoldScore], baseline: list[FoldScore]) -> str:
    """win / tie / loss by the corrected resampled t-test on the fold scores (two-sided,
    alpha 0.05): a tie is a difference within paired fold noise."""
    a = [s.primary for s in subject]
    b = [s.primary for s in baseline]
    # corrected_resampled_ttest treats its inputs as losses: pass -score.
    test = corrected_resampled_ttest([-x for x in b], [-x for x in a], 1.0 / FOLDS)
    p_two = 2.0 * min(test.p, 1.0 - test.p)
    if test.t is None:
        p_two = 0.0 if test.mean_improvement != 0 else 1.0
    if p_two < ALPHA:
        return "win" if test.mean_improvement > 0 else "loss"
    return "tie"


def render(
    summaries: list[DatasetSummary], strategies: Sequence[str], subject: str = "advisor"
) -> str:
    lines = []
    lines.append("### Per dataset (classification: accuracy %; regression: RMSE in target units)\n")
    header = (
        "| dataset | "
        + " | ".join(strategies)
        + f" | {subject} rank | regret | best fixed | {subject} s/fold | in-network |"
    )
    lines.append(header)
    lines.append("|" + "---|" * (len(strategies) + 6))
    for s in summaries:
        best_value = s.means[s.best_fixed]
        cells = []
        for name in strategies:
            value = s.means.get(name)
            if value is None:
                cells.append("")
                continue
            text = f"{value:.2f}" if s.task == "classification" else f"{value:.4g}"
            if name == s.best_fixed or (value == best_value and name != subject):
                text = f"**{text}**"
            cells.append(text)
        regret = (
            ""
            if s.advisor_regret is None
            else (
                f"{s.advisor_regret:+.2f} pt"
                if s.task == "classification"
                else f"{s.advisor_regret:+.1f}%"
            )
        )
        rank = s.ranks.get(subject)
        lines.append(
            f"| {s.dataset} | "
            + " | ".join(cells)
            + f" | {rank if rank is not None else ''} | {regret} | {s.best_fixed}"
            + f" | {s.advisor_seconds:.1f} | {s.in_network} |"
        )
    lines.append("")
    lines.append("### Overall\n")
    mean_ranks = {
        n: float(np.mean([s.ranks[n] for s in summaries if n in s.ranks])) for n in strategies
    }
    lines.append("| strategy | mean rank |")
    lines.append("|---|---|")
    for name, rank in sorted(mean_ranks.items(), key=lambda kv: kv[1]):
        lines.append(f"| {name} | {rank:.2f} |")
    lines.append("")
    if any(s.versus for s in summaries):
        for baseline in ("standard", "autogluon"):
            outcomes = [s.versus.get(baseline) for s in summaries if baseline in s.versus]
            w, t, l_ = (outcomes.count(k) for k in ("win", "tie", "loss"))
            lines.append(
                f"- {subject} vs {baseline}: {w} wins, {t} ties, {l_} losses "
                "(corrected resampled t-test on the 5 fold scores, two-sided, alpha 0.05)"
            )
        cls = [
            s.advisor_regret
            for s in summaries
            if s.task == "classification" and s.advisor_regret is not None
        ]
        reg = [
            s.advisor_regret
            for s in summaries
            if s.task == "regression" and s.advisor_regret is not None
        ]
        if cls:
            lines.append(
                "- median regret vs the best fixed strategy, classification: "
                f"{np.median(cls):.2f} accuracy points"
            )
        if reg:
            lines.append(
                "- median regret vs the best fixed strategy, regression: "
                f"{np.median(reg):.2f}% of RMSE"
            )
    return "\n".join(lines) + "\n"


def _evaluate_job(
    name: str, use_cache: bool, quiet: bool, subject: str = "advisor"
) -> list[FoldScore]:
    """One dataset, in this process or a worker (each worker compiles its own models)."""
    trainer = ReferenceTrainer(Reference())
    log = (lambda _m: None) if quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    strategies = (*FIXED, SUBJECTS[subject])
    scores = evaluate_dataset(name, strategies, trainer, use_cache=use_cache, log=log)
    log(f"{name}: {time.perf_counter() - t0:.0f} s")
    return scores


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", help="comma-separated subset of targets.json names")
    parser.add_argument("--output", help="write the markdown tables to this file")
    parser.add_argument("--no-cache", action="store_true", help="recompute the fixed strategies")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--cache", help="cache directory for the fixed strategies (default benchmarks/.cache)"
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="datasets evaluated in parallel processes"
    )
    parser.add_argument(
        "--subject",
        choices=sorted(SUBJECTS),
        default="advisor",
        help="what is compared with the fixed strategies: the advisor (rules + search), or "
        "the rules' plan alone (a quick proxy while calibrating the rules)",
    )
    args = parser.parse_args(argv)
    meta = json.loads((DATASETS / "targets.json").read_text())
    names = list(meta) if not args.datasets else [d.strip() for d in args.datasets.split(",")]
    unknown = [n for n in names if n not in meta]
    if unknown:
        parser.error(f"unknown dataset {unknown[0]!r}; known: {', '.join(meta)}")
    if args.cache:
        # Workers are spawned processes: they read the cache location from the environment.
        os.environ["ADVISOR_QUALITY_CACHE"] = str(Path(args.cache).resolve())
        global CACHE
        CACHE = Path(os.environ["ADVISOR_QUALITY_CACHE"])
    strategies = (*FIXED, SUBJECTS[args.subject])
    started = time.perf_counter()
    jobs = [(name, not args.no_cache, args.quiet, args.subject) for name in names]
    if args.jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
            results = pool.starmap(_evaluate_job, jobs)
    else:
        results = [_evaluate_job(*job) for job in jobs]
    summaries = [
        summarize(name, scores, subject=args.subject)
        for name, scores in zip(names, results, strict=True)
    ]
    text = render(summaries, [s.name for s in strategies], subject=args.subject)
    elapsed = time.perf_counter() - started
    text += f"\nReference MLP: {json.dumps(asdict(Reference()))}; total wall time {elapsed:.0f} s\n"
    print(text)
    if args.output:
        Path(args.output).write_text(text)


if __name__ == "__main__":
    main()
