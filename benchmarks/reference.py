"""The fixed strategies of the quality benchmark, scored without the advisor.

This module does not import the advisor: it reads each dataset with plain pandas, builds
each fixed strategy from scikit-learn and skrub transformers, and trains one fixed
reference MLP on the result. Changes to the advisor's loader, catalog or rules therefore
never invalidate these scores, and they are committed as JSONL under
``benchmarks/results/fixed/`` (one file per dataset, one line per strategy and fold),
keyed by what they depend on: the data file's SHA-256, the strategy, the fold and the
reference settings (``Reference.key()``, which includes ``HARNESS_VERSION``). A run skips
every (strategy, fold) whose key is already in the file, so a run longer than one working
session resumes from what was committed.

    python benchmarks/reference.py --jobs 2                    # every dataset, resuming
    python benchmarks/reference.py --datasets wine,cars        # a subset
    python benchmarks/reference.py --half calibration          # one half of the split

Plain reading (what a person does with ``pd.read_csv``): rows whose target is missing are
dropped; numeric and boolean columns are numeric features (non-finite values count as
missing); text columns whose values parse as dates are dropped; every other text column
is one-hot encoded (at most 32 indicator columns, rarer levels and unseen ones share an
"infrequent" column, missing is its own level). Numeric columns are scaled by the
strategy (fit on the training part, missing values ignored), then missing values are
imputed with the scaled training median and a 0/1 indicator is added for every column
that had missing values in training.

Large tables: every strategy, and the advisor, trains on at most ``MAX_TRAIN_ROWS`` rows
of each training fold (a seeded subsample, stratified for classification) and is scored
on the whole held-out fold. The reference MLP stops after at most ``max_steps`` optimizer
steps whatever the table's size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
DEFAULT_DATA = (SHARED, SHARED / "corpus")
RESULTS = ROOT / "benchmarks" / "results"
SPLIT_FILE = ROOT / "benchmarks" / "split.json"
FOLDS = 5
SEED = 0
MAX_TRAIN_ROWS = 20_000
MAX_CATEGORIES = 32
#: Bump when reading, preprocessing or scoring changes: it is part of every result's key.
HARNESS_VERSION = 3


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
    max_train_rows: int = MAX_TRAIN_ROWS
    threads: int = 1  # TensorFlow intra- and inter-op threads per process
    version: int = HARNESS_VERSION

    def key(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


# ----------------------------------------------------------------------------- datasets


@dataclass(frozen=True)
class Dataset:
    name: str
    path: Path
    target: str
    task: str
    sha256: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def discover(folders: Iterable[Path]) -> dict[str, Dataset]:
    """Every dataset named by a ``targets.json`` in ``folders`` (names must be unique)."""
    found: dict[str, Dataset] = {}
    for folder in folders:
        meta = json.loads((Path(folder) / "targets.json").read_text())
        for name, entry in meta.items():
            if name in found:
                raise ValueError(f"dataset {name!r} is named in two folders")
            path = Path(folder) / entry["file"]
            found[name] = Dataset(name, path, entry["target"], entry["task"], file_sha256(path))
    return found


@dataclass
class Frame:
    """A dataset read the plain way: features, target and the columns' roles."""

    features: pd.DataFrame
    y: pd.Series
    task: str
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    dropped: tuple[str, ...] = field(default_factory=tuple)


def _looks_like_dates(values: pd.Series) -> bool:
    sample = values.dropna().astype(str).head(200)
    if sample.empty or not sample.str.contains(r"\d").all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= 0.9)


def read_frame(dataset: Dataset) -> Frame:
    table = pd.read_csv(dataset.path)
    table = table[table[dataset.target].notna()].reset_index(drop=True)
    y = table.pop(dataset.target)
    numeric, categorical, dropped = [], [], []
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            numeric.append(column)
        elif _looks_like_dates(values):
            dropped.append(column)
        else:
            categorical.append(column)
    return Frame(table, y, dataset.task, tuple(numeric), tuple(categorical), tuple(dropped))


def folds_for(y: pd.Series, task: str) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import KFold, StratifiedKFold

    n = len(y)
    if task == "classification":
        with warnings.catch_warnings():  # classes smaller than the folds: sklearn warns
            warnings.simplefilter("ignore")
            return list(
                StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(
                    np.zeros(n), y.astype(str)
                )
            )
    return list(KFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(n)))


def cap_rows(train: np.ndarray, y: pd.Series, task: str, cap: int, seed: int) -> np.ndarray:
    """At most ``cap`` training rows: a seeded subsample, stratified where it can be."""
    if len(train) <= cap:
        return train
    from sklearn.model_selection import train_test_split

    labels = y.iloc[train].astype(str).to_numpy() if task == "classification" else None
    if labels is not None and pd.Series(labels).value_counts().min() < 2:
        labels = None
    kept, _ = train_test_split(train, train_size=cap, random_state=seed, stratify=labels)
    return np.sort(kept)


def derive_seed(*parts: object) -> int:
    """A seed in [0, 2**31) derived from ``parts`` (the same scheme as the advisor's)."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


# ----------------------------------------------------------------------------- strategies


@dataclass(frozen=True)
class Strategy:
    name: str
    scaler: str
    in_network: str = "none"


FIXED = (
    Strategy("none", "passthrough"),
    Strategy("standard", "standard"),
    Strategy("minmax", "minmax"),
    Strategy("maxabs", "maxabs"),
    Strategy("robust", "robust"),
    Strategy("quantile", "quantile"),
    Strategy("yeo-johnson", "yeo_johnson"),
    Strategy("autogluon", "autogluon"),
    Strategy("realmlp", "realmlp"),
    Strategy("squashing", "squashing"),
    Strategy("standard+BN", "standard", "batch"),
    Strategy("standard+LN", "standard", "layer"),
    Strategy("quantile+BN", "quantile", "batch"),
    Strategy("quantile+LN", "quantile", "layer"),
    Strategy("realmlp+BN", "realmlp", "batch"),
    Strategy("realmlp+LN", "realmlp", "layer"),
)
STRATEGIES = {s.name: s for s in FIXED}


def _smooth_clip(x: np.ndarray) -> np.ndarray:
    # RealMLP's smooth clip after robust scaling: x / sqrt(1 + (x/3)^2).
    return 3.0 * (x / np.hypot(3.0, x))


def make_scaler(kind: str, n_rows: int, seed: int) -> Any:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import (
        FunctionTransformer,
        MaxAbsScaler,
        MinMaxScaler,
        PowerTransformer,
        QuantileTransformer,
        RobustScaler,
        StandardScaler,
    )

    if kind == "passthrough":
        return "passthrough"
    if kind == "standard":
        return StandardScaler()
    if kind == "minmax":
        return MinMaxScaler()
    if kind == "maxabs":
        return MaxAbsScaler()
    if kind == "robust":
        return RobustScaler()
    if kind == "quantile":
        return QuantileTransformer(
            n_quantiles=max(2, min(1000, n_rows)),
            output_distribution="normal",
            subsample=100_000,
            random_state=seed,
        )
    if kind == "yeo_johnson":
        return PowerTransformer(method="yeo-johnson")
    if kind == "realmlp":
        return make_pipeline(RobustScaler(), FunctionTransformer(_smooth_clip))
    if kind == "squashing":
        from skrub import SquashingScaler

        return SquashingScaler()
    raise ValueError(f"unknown scaler {kind!r}")


def _finite(x: Any) -> np.ndarray:
    values = np.asarray(x, dtype=np.float64).copy()
    values[~np.isfinite(values)] = np.nan
    return values


def _as_text(x: Any) -> np.ndarray:
    frame = pd.DataFrame(x).astype(object)
    return frame.where(frame.notna(), "(missing)").astype(str).to_numpy(dtype=object)


def autogluon_groups(frame: pd.DataFrame, numeric: Sequence[str]) -> dict[str, list[str]]:
    """AutoGluon's neural-network rule: |skew| > 0.99 -> quantile-normal, else standardize."""
    from scipy import stats

    groups: dict[str, list[str]] = {"quantile": [], "standard": []}
    for column in numeric:
        values = _finite(frame[column].to_numpy(dtype=float, na_value=np.nan))
        values = values[np.isfinite(values)]
        skew = float(stats.skew(values)) if values.size > 2 and np.ptp(values) > 0 else 0.0
        groups["quantile" if abs(skew) > 0.99 else "standard"].append(column)
    return groups


def make_preprocessor(strategy: Strategy, frame: Frame, train: pd.DataFrame, seed: int) -> Any:
    """The strategy as one unfitted scikit-learn transformer of the feature frame."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

    def numeric_pipe(kind: str) -> Pipeline:
        return Pipeline(
            [
                ("finite", FunctionTransformer(_finite)),
                ("scale", make_scaler(kind, len(train), seed)),
                (
                    "impute",
                    SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                ),
            ]
        )

    if strategy.scaler == "autogluon":
        groups = autogluon_groups(train, frame.numeric)
    else:
        groups = {strategy.scaler: list(frame.numeric)}
    parts: list[tuple[str, Any, list[str]]] = [
        (kind, numeric_pipe(kind), columns) for kind, columns in groups.items() if columns
    ]
    if frame.categorical:
        encoder = Pipeline(
            [
                ("text", FunctionTransformer(_as_text)),
                (
                    "onehot",
                    OneHotEncoder(
                        handle_unknown="infrequent_if_exist",
                        max_categories=MAX_CATEGORIES,
                        sparse_output=False,
                    ),
                ),
            ]
        )
        parts.append(("categorical", encoder, list(frame.categorical)))
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)


class StandardTarget:
    """The default regression target transform: standardize with the training mean and sd."""

    def fit(self, y: Any) -> StandardTarget:
        values = np.asarray(y, dtype=float)
        self.mean_ = float(values.mean())
        sd = float(values.std())
        self.scale_ = sd if sd > 0 else 1.0
        return self

    def transform(self, y: Any) -> np.ndarray:
        return (np.asarray(y, dtype=float) - self.mean_) / self.scale_

    def inverse_transform(self, z: Any) -> np.ndarray:
        return np.asarray(z, dtype=float) * self.scale_ + self.mean_


# ----------------------------------------------------------------------------- reference MLP


def import_keras() -> Any:
    for key, value in (
        ("TF_CPP_MIN_LOG_LEVEL", "3"),
        ("TF_ENABLE_ONEDNN_OPTS", "0"),
        ("KERAS_BACKEND", "tensorflow"),
    ):
        os.environ.setdefault(key, value)
    import keras

    return keras


class ReferenceTrainer:
    """Trains the reference MLP with Keras' own fit; one compiled model per input shape and
    normalization, reset (weights, optimizer) between uses."""

    def __init__(self, settings: Reference) -> None:
        self.settings = settings
        self.keras = import_keras()
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(settings.threads)
            tf.config.threading.set_inter_op_parallelism_threads(settings.threads)
        except RuntimeError:  # already initialized in this process: keep what it has
            pass
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
        return self._models[key]

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
        from sklearn.model_selection import train_test_split

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
        # seed at the time the dataset is built.
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


# ----------------------------------------------------------------------------- scoring


def score_fold(
    trainer: ReferenceTrainer,
    x_train: np.ndarray,
    y_train: pd.Series,
    x_test: np.ndarray,
    y_test: pd.Series,
    classes: Sequence[str],
    task: str,
    in_network: str,
    seed: int,
    target: Any = None,
    shuffle_target: bool = False,
) -> dict[str, float]:
    """Train the reference MLP on prepared features and score the held-out part.

    ``target`` is a fitted regression target transform (fit/transform/inverse_transform);
    by default the target is standardized on the training part.
    """
    if task == "classification":
        lookup = {c: i for i, c in enumerate(classes)}
        y_fit = np.array([lookup[v] for v in y_train.astype(str)], dtype=np.int64)
        if shuffle_target:
            y_fit = np.random.default_rng(seed).permutation(y_fit)
        logits = trainer.fit_predict(x_train, y_fit, x_test, task, len(classes), in_network, seed)
        predicted = np.argmax(logits, axis=1)
        truth = np.array([lookup[v] for v in y_test.astype(str)], dtype=np.int64)
        from sklearn.metrics import balanced_accuracy_score

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            balanced = float(balanced_accuracy_score(truth, predicted))
        return {"accuracy": float(np.mean(predicted == truth)), "balanced_accuracy": balanced}
    transform = target if target is not None else StandardTarget().fit(y_train)
    z = np.asarray(transform.transform(y_train), dtype=float)
    if shuffle_target:
        z = np.random.default_rng(seed).permutation(z)
    output = trainer.fit_predict(x_train, z, x_test, task, 1, in_network, seed)
    with np.errstate(all="ignore"):
        predicted = np.asarray(transform.inverse_transform(output[:, 0]), dtype=float)
    truth = y_test.to_numpy(dtype=float)
    predicted = np.where(np.isfinite(predicted), predicted, float(np.mean(y_train)))
    sse = float(np.sum((truth - predicted) ** 2))
    sst = float(np.sum((truth - truth.mean()) ** 2))
    return {"r2": 1.0 - sse / sst if sst > 0 else 0.0, "rmse": math.sqrt(sse / len(truth))}


@dataclass(frozen=True)
class FoldData:
    """One fold of one dataset: the (capped) training rows and the held-out rows."""

    dataset: Dataset
    frame: Frame
    fold: int
    train: np.ndarray
    test: np.ndarray
    classes: tuple[str, ...]

    @property
    def seed(self) -> int:
        return derive_seed(SEED, self.dataset.name, self.fold, "reference")

    def parts(self) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series]:
        f, y = self.frame.features, self.frame.y
        return (
            f.iloc[self.train].reset_index(drop=True),
            y.iloc[self.train].reset_index(drop=True),
            f.iloc[self.test].reset_index(drop=True),
            y.iloc[self.test].reset_index(drop=True),
        )


def dataset_folds(dataset: Dataset, settings: Reference) -> list[FoldData]:
    frame = read_frame(dataset)
    classes = tuple(sorted(frame.y.astype(str).unique())) if frame.task == "classification" else ()
    out = []
    for fold, (train, test) in enumerate(folds_for(frame.y, frame.task)):
        seed = derive_seed(SEED, dataset.name, fold, "cap")
        kept = cap_rows(train, frame.y, frame.task, settings.max_train_rows, seed)
        out.append(FoldData(dataset, frame, fold, kept, test, classes))
    return out


def run_fixed(strategy: Strategy, data: FoldData, trainer: ReferenceTrainer) -> dict[str, Any]:
    started = time.perf_counter()
    x_train_frame, y_train, x_test_frame, y_test = data.parts()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pre = make_preprocessor(strategy, data.frame, x_train_frame, data.seed)
        x_train = np.asarray(pre.fit_transform(x_train_frame), dtype=np.float64)
        x_test = np.asarray(pre.transform(x_test_frame), dtype=np.float64)
    x_train = np.nan_to_num(x_train, nan=0.0, posinf=0.0, neginf=0.0)
    x_test = np.nan_to_num(x_test, nan=0.0, posinf=0.0, neginf=0.0)
    scores = score_fold(
        trainer,
        x_train,
        y_train,
        x_test,
        y_test,
        data.classes,
        data.frame.task,
        strategy.in_network,
        data.seed,
    )
    return {**scores, "seconds": round(time.perf_counter() - started, 3)}


# ----------------------------------------------------------------------------- results store


def record_key(record: dict[str, Any]) -> tuple[str, str, int, str]:
    return (record["file_sha256"], record["strategy"], int(record["fold"]), record["reference"])


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every complete line of a JSONL results file (a torn last line is ignored)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def append_record(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, sort_keys=True) + "\n"
    with path.open("a") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def fixed_results_path(results: Path, dataset: str) -> Path:
    return results / "fixed" / f"{dataset}.jsonl"


def evaluate_fixed(
    dataset: Dataset,
    strategies: Sequence[Strategy],
    settings: Reference,
    results: Path,
    log: Callable[[str], None] = print,
    trainer: ReferenceTrainer | None = None,
) -> list[dict[str, Any]]:
    """Every (strategy, fold) of one dataset, reusing the records already in its file."""
    path = fixed_results_path(results, dataset.name)
    key = settings.key()
    have = {record_key(r): r for r in read_records(path)}
    wanted = [
        (s, f)
        for f in range(FOLDS)
        for s in strategies
        if (dataset.sha256, s.name, f, key) not in have
    ]
    if wanted:
        trainer = trainer or ReferenceTrainer(settings)
        folds = dataset_folds(dataset, settings)
        for strategy, fold in wanted:
            outcome = run_fixed(strategy, folds[fold], trainer)
            record = {
                "dataset": dataset.name,
                "file_sha256": dataset.sha256,
                "strategy": strategy.name,
                "in_network": strategy.in_network,
                "fold": fold,
                "task": dataset.task,
                "reference": key,
                **outcome,
            }
            append_record(path, record)
            have[record_key(record)] = record
            primary = record.get("accuracy", record.get("rmse"))
            log(
                f"  {dataset.name} fold {fold + 1} {strategy.name}: {primary:.4f} "
                f"({outcome['seconds']:.1f} s)"
            )
    return [have[(dataset.sha256, s.name, f, key)] for f in range(FOLDS) for s in strategies]


# ----------------------------------------------------------------------------- the split


def load_split(path: Path = SPLIT_FILE) -> dict[str, list[str]]:
    return json.loads(path.read_text())["halves"]


def select(datasets: dict[str, Dataset], names: str | None, half: str | None) -> list[str]:
    chosen = list(datasets)
    if half:
        members = set(load_split()[half])
        chosen = [n for n in chosen if n in members]
    if names:
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in datasets]
        if unknown:
            raise SystemExit(f"unknown dataset {unknown[0]!r}; known: {', '.join(datasets)}")
        chosen = [n for n in wanted if n in chosen]
    return chosen


def _fixed_job(
    dataset: Dataset, strategies: Sequence[str], results: str, quiet: bool
) -> tuple[str, float]:
    log = (lambda _m: None) if quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    started = time.perf_counter()
    evaluate_fixed(
        dataset, [STRATEGIES[s] for s in strategies], Reference(), Path(results), log=log
    )
    return dataset.name, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data",
        action="append",
        type=Path,
        help="a folder with a targets.json (repeatable; default: shared/datasets and its corpus)",
    )
    parser.add_argument("--datasets", help="comma-separated subset of the datasets' names")
    parser.add_argument("--half", choices=("calibration", "validation"))
    parser.add_argument("--strategies", help="comma-separated subset of the fixed strategies")
    parser.add_argument("--results", type=Path, default=RESULTS, help="results folder")
    parser.add_argument("--jobs", type=int, default=1, help="datasets in parallel processes")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    datasets = discover(args.data or DEFAULT_DATA)
    names = select(datasets, args.datasets, args.half)
    strategies = (
        [s.strip() for s in args.strategies.split(",")] if args.strategies else list(STRATEGIES)
    )
    # The calibration half first (it is needed first), the largest tables first in each.
    split = load_split() if SPLIT_FILE.exists() else {"calibration": []}
    calibration = set(split["calibration"])
    names.sort(key=lambda n: (n not in calibration, -datasets[n].path.stat().st_size))
    jobs = [(datasets[n], strategies, str(args.results), args.quiet) for n in names]
    started = time.perf_counter()
    if args.jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(args.jobs, maxtasksperchild=1) as pool:
            for name, seconds in pool.imap_unordered(_job_star, jobs):
                print(f"{name}: {seconds:.0f} s", flush=True)
    else:
        for job in jobs:
            name, seconds = _fixed_job(*job)
            print(f"{name}: {seconds:.0f} s", flush=True)
    print(f"{len(names)} datasets in {time.perf_counter() - started:.0f} s", flush=True)


def _job_star(job: tuple[Any, ...]) -> tuple[str, float]:
    return _fixed_job(*job)


if __name__ == "__main__":
    main()
