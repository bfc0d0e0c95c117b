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

Numeric encodings (`reference_encodings`, each checked against its published definition
by ``tests/test_benchmark_encodings.py``): "quantile+PLE" encodes the quantile-normal
numbers piecewise-linearly with 48 quantile bins per feature (TabM's numeric path);
"realmlp+periodic" puts PBLD periodic embeddings (pytabkit's RealMLP-TD defaults) on the
robust-scaled, smooth-clipped numbers (RealMLP's numeric path whole). The indicators and
the one-hot columns are not encoded.

Large tables: every strategy, and the advisor, trains on at most ``MAX_TRAIN_ROWS`` rows
of each training fold (a seeded subsample, stratified for classification) and is scored
on the whole held-out fold. The reference MLP stops after at most ``max_steps`` optimizer
steps whatever the table's size.

Folds (``Dataset.split``): 5 shuffled folds (seed 0, stratified for classification), the
default "kfold", unless the dataset's ``targets.json`` entry names ``groups`` or ``time``.
With ``groups`` ("grouped by COL"): 5 folds that keep each group in one fold (GroupKFold,
StratifiedGroupKFold for classification, both shuffled with seed 0); the early-stopping
split and the row cap keep groups whole too, and the group column is not a feature (the
advisor gets it as its ``groups`` option); a ``time`` column stays a feature. With
``time`` alone ("time-ordered by COL"): 5 expanding-window folds over the distinct time
values, each tested on later values than it trains on, no value on both sides. A record
of another split than kfold carries it (``split``), which is part of its key; kfold
records carry none, so their keys are the ones written before splits existed.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from reference_encodings import (
    PERIODIC_FREQUENCIES,
    PERIODIC_OUTPUTS,
    PERIODIC_SIGMA,
    PLE_BINS,
    PiecewiseLinear,
)

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
HARNESS_VERSION = 4


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
    trainer: str = "packed"  # every strategy of a fold in one packed model (reference_mlp.py)
    version: int = HARNESS_VERSION

    def key(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


# ----------------------------------------------------------------------------- datasets


#: The split of a dataset that names neither ``groups`` nor ``time`` (absent from records).
KFOLD = "kfold"


@dataclass(frozen=True)
class Dataset:
    name: str
    path: Path
    target: str
    task: str
    sha256: str
    groups: str | None = None  # rows of one value stay in one fold
    time: str | None = None  # alone: folds train on earlier values than they test on

    @property
    def split(self) -> str:
        """The fold protocol, as the records and tables name it."""
        if self.groups is not None:
            return f"grouped by {self.groups}"
        if self.time is not None:
            return f"time-ordered by {self.time}"
        return KFOLD


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
            found[name] = Dataset(
                name, path, entry["target"], entry["task"], file_sha256(path),
                groups=entry.get("groups"), time=entry.get("time"),
            )  # fmt: skip
    return found


@dataclass
class Frame:
    """A dataset read the plain way: features, target and the columns' roles. A group
    column stays in ``features`` (the advisor is told to drop it) but is in neither list;
    ``groups`` and ``time`` hold the columns that make the folds (None: not named)."""

    features: pd.DataFrame
    y: pd.Series
    task: str
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    dropped: tuple[str, ...] = field(default_factory=tuple)
    groups: pd.Series | None = None
    time: pd.Series | None = None


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
    for column in (dataset.groups, dataset.time):
        if column is not None and column not in table.columns:
            raise ValueError(f"{dataset.name}: column {column!r} not found")
    groups = None if dataset.groups is None else table[dataset.groups]
    time_ = None if dataset.time is None else table[dataset.time]
    numeric, categorical, dropped = [], [], []
    for column in table.columns:
        if column == dataset.groups:
            continue
        values = table[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            numeric.append(column)
        elif _looks_like_dates(values):
            dropped.append(column)
        else:
            categorical.append(column)
    return Frame(
        table, y, dataset.task, tuple(numeric), tuple(categorical), tuple(dropped),
        groups=groups, time=time_,
    )  # fmt: skip


def group_codes(values: pd.Series) -> np.ndarray:
    """One integer per group (a missing value is a group of its own)."""
    codes, _ = pd.factorize(values.astype(object), use_na_sentinel=False)
    return np.asarray(codes)


def time_codes(values: pd.Series) -> np.ndarray:
    """The rows' time values as their ranks among the distinct values (0 = earliest):
    numbers as they are, else dates where every value parses, else text order."""
    if not pd.api.types.is_numeric_dtype(values):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(values, errors="coerce", format="mixed")
        values = parsed if parsed.notna().sum() == values.notna().sum() else values.astype(str)
    if values.isna().any():
        raise ValueError(f"time column {values.name!r} has missing values")
    _, codes = np.unique(values.to_numpy(), return_inverse=True)
    return np.asarray(codes).ravel()


def folds_for(
    y: pd.Series,
    task: str,
    groups: pd.Series | None = None,
    time: pd.Series | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The 5 folds (training rows, held-out rows): grouped where ``groups`` is given,
    time-ordered where only ``time`` is, else shuffled (see the module's docstring)."""
    from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold

    n = len(y)
    if groups is not None:
        codes = group_codes(groups)
        if len(np.unique(codes)) < FOLDS:
            raise ValueError(f"{len(np.unique(codes))} groups: fewer than {FOLDS} folds")
        if task == "classification":
            with warnings.catch_warnings():  # classes in fewer groups than folds: it warns
                warnings.simplefilter("ignore")
                splitter = StratifiedGroupKFold(FOLDS, shuffle=True, random_state=SEED)
                return list(splitter.split(np.zeros(n), y.astype(str), codes))
        grouped = GroupKFold(FOLDS, shuffle=True, random_state=SEED)
        return list(grouped.split(np.zeros(n), groups=codes))
    if time is not None:
        return time_folds(time_codes(time))
    if task == "classification":
        with warnings.catch_warnings():  # classes smaller than the folds: sklearn warns
            warnings.simplefilter("ignore")
            return list(
                StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(
                    np.zeros(n), y.astype(str)
                )
            )
    return list(KFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(n)))


def time_folds(codes: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Expanding-window folds over the distinct time values (``codes``: their ranks): fold
    k trains on the values before its block and is tested on the block (TimeSeriesSplit
    over the distinct values, so no value is on both sides)."""
    from sklearn.model_selection import TimeSeriesSplit

    distinct = np.unique(codes)
    if len(distinct) <= FOLDS:
        raise ValueError(f"{len(distinct)} time values: too few for {FOLDS} time-ordered folds")
    rows = np.arange(len(codes))
    out = []
    for before, block in TimeSeriesSplit(FOLDS).split(distinct):
        out.append((rows[np.isin(codes, distinct[before])], rows[np.isin(codes, distinct[block])]))
    return out


def cap_rows(
    train: np.ndarray,
    y: pd.Series,
    task: str,
    cap: int,
    seed: int,
    groups: pd.Series | None = None,
) -> np.ndarray:
    """At most ``cap`` training rows: a seeded subsample, stratified where it can be; with
    ``groups``, whole groups in a seeded order while they fit (at least one)."""
    if len(train) <= cap:
        return train
    if groups is not None:
        codes = group_codes(groups)[train]
        order = np.random.default_rng(seed).permutation(np.unique(codes))
        sizes = np.array([np.sum(codes == g) for g in order])
        fits = int(np.searchsorted(np.cumsum(sizes), cap, side="right"))
        return np.sort(train[np.isin(codes, order[: max(1, fits)])])
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
    encoding: str = "none"  # "ple" (of the inputs) or "periodic" (in the network)

    @property
    def encoding_key(self) -> str:
        """The encoding and its settings, part of an encoded strategy's record key (the
        reference's own key does not cover them: the other strategies' records, trained
        in packs of their own, do not depend on them)."""
        if self.encoding == "ple":
            return f"ple:bins={PLE_BINS}"
        if self.encoding == "periodic":
            return (f"pbld:frequencies={PERIODIC_FREQUENCIES},outputs={PERIODIC_OUTPUTS},"
                    f"sigma={PERIODIC_SIGMA}")  # fmt: skip
        return ""


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
    Strategy("realmlp+periodic", "realmlp", encoding="periodic"),
    Strategy("quantile+PLE", "quantile", encoding="ple"),
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

    def numeric_pipe(kind: str, columns: list[str]) -> Pipeline:
        steps = [
            ("finite", FunctionTransformer(_finite)),
            ("scale", make_scaler(kind, len(train), seed)),
            (
                "impute",
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            ),
        ]
        if strategy.encoding == "ple":
            steps.append(("ple", PiecewiseLinear(len(columns))))
        return Pipeline(steps)

    if strategy.scaler == "autogluon":
        groups = autogluon_groups(train, frame.numeric)
    else:
        groups = {strategy.scaler: list(frame.numeric)}
    parts: list[tuple[str, Any, list[str]]] = [
        (kind, numeric_pipe(kind, columns), columns) for kind, columns in groups.items() if columns
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


# ----------------------------------------------------------------------------- scoring


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

    def validation_rows(self, settings: Reference) -> tuple[np.ndarray, np.ndarray]:
        """Positions (within the training part) of the rows the reference MLP fits on and
        of its early-stopping validation rows: the same for every strategy of the fold.
        Grouped: whole groups on each side; time-ordered: the latest time values."""
        from sklearn.model_selection import GroupShuffleSplit, train_test_split

        positions = np.arange(len(self.train))
        if self.frame.groups is not None:
            codes = group_codes(self.frame.groups)[self.train]
            shuffle = GroupShuffleSplit(1, test_size=settings.val_fraction, random_state=self.seed)
            fit, val = next(shuffle.split(positions, groups=codes))
            return np.asarray(fit), np.asarray(val)
        times = None if self.frame.time is None else time_codes(self.frame.time)[self.train]
        if times is not None and len(np.unique(times)) > 1:  # else: one value, rows split
            latest = np.unique(times)[::-1]
            counts = np.array([np.sum(times == t) for t in latest])
            wanted = int(np.searchsorted(np.cumsum(counts), settings.val_fraction * len(times)))
            val_mask = np.isin(times, latest[: min(wanted + 1, len(latest) - 1)])
            return positions[~val_mask], positions[val_mask]
        labels = self.frame.y.iloc[self.train].astype(str).to_numpy()
        stratify = None
        if self.frame.task == "classification" and pd.Series(labels).value_counts().min() >= 2:
            stratify = labels
        fit, val = train_test_split(
            positions, test_size=settings.val_fraction, random_state=self.seed, stratify=stratify
        )
        return np.asarray(fit), np.asarray(val)


@dataclass(frozen=True)
class Prepared:
    """One strategy's features for a fold (training part, held-out part), the in-network
    normalization to train with, and the regression target transform (None: standardize)."""

    x_train: np.ndarray
    x_test: np.ndarray
    in_network: str
    target: Any = None
    shuffle_target: bool = False
    #: "periodic": the network embeds the first `embedded` columns; "ple": encoded inputs,
    #: trained in a pack of their own (their width would pad, and so change, the others').
    encoding: str = "none"
    embedded: int = 0


def encode(y: pd.Series, classes: Sequence[str]) -> np.ndarray:
    lookup = {c: i for i, c in enumerate(classes)}
    return np.array([lookup[v] for v in y.astype(str)], dtype=np.int64)


def train_and_score(
    data: FoldData, prepared: Sequence[Prepared], settings: Reference
) -> list[dict[str, float]]:
    """Train the reference MLP for every prepared strategy of one fold (one packed model per
    in-network normalization: the same rows, batches and initial weights for all) and score
    each on the held-out rows."""
    _, y_train, _, y_test = data.parts()
    return [
        _scores(out, transform, y_train, y_test, data.classes, data.frame.task)
        for out, transform in train_and_predict(data, prepared, settings)
    ]


def train_and_predict(
    data: FoldData, prepared: Sequence[Prepared], settings: Reference
) -> list[tuple[np.ndarray, Any]]:
    """The reference MLP's outputs on the held-out rows for every prepared strategy of one
    fold (`train_and_score` scores them), each with its regression target transform (None
    for classification): logits, or the prediction in the transformed target's units."""
    from reference_mlp import PackedReference, Slot

    _, y_train, _, _ = data.parts()
    task = data.frame.task
    fit, val = data.validation_rows(settings)
    batch = int(min(settings.batch_size, max(8, len(fit) // 4)))
    targets = []
    slots = []
    for item in prepared:
        if task == "classification":
            codes = encode(y_train, data.classes)
            transform = None
        else:
            transform = item.target if item.target is not None else StandardTarget().fit(y_train)
            codes = np.asarray(transform.transform(y_train), dtype=np.float64)
        if item.shuffle_target:
            codes = np.random.default_rng(data.seed).permutation(codes)
        targets.append(transform)
        x = np.nan_to_num(np.asarray(item.x_train, dtype=np.float64), nan=0.0, posinf=0.0,
                          neginf=0.0)  # fmt: skip
        x_test = np.nan_to_num(np.asarray(item.x_test, dtype=np.float64), nan=0.0, posinf=0.0,
                               neginf=0.0)  # fmt: skip
        slots.append(Slot(x[fit], x[val], x_test, codes[fit], codes[val], item.embedded))
    outputs: list[np.ndarray | None] = [None] * len(prepared)
    for norm, encoding in dict.fromkeys((item.in_network, item.encoding) for item in prepared):
        members = [
            i
            for i, item in enumerate(prepared)
            if (item.in_network, item.encoding) == (norm, encoding)
        ]
        trainer = PackedReference(
            task=task,
            n_outputs=max(1, len(data.classes)),
            norm=norm,
            width=settings.width,
            depth=settings.depth,
            learning_rate=settings.learning_rate,
            batch_size=batch,
            max_steps=settings.max_steps,
            eval_every=settings.eval_every,
            patience=settings.patience,
            threads=settings.threads,
            encoding="periodic" if encoding == "periodic" else "none",
        )
        for i, out in zip(members, trainer.fit_predict([slots[i] for i in members], data.seed),
                          strict=True):  # fmt: skip
            outputs[i] = out
    assert all(out is not None for out in outputs)
    return list(zip(outputs, targets, strict=True))  # type: ignore[arg-type]


def in_target_units(out: np.ndarray, transform: Any, y_train: pd.Series) -> np.ndarray:
    """A regression output mapped back to the target's units (a non-finite prediction
    reads as the training mean)."""
    with np.errstate(all="ignore"):
        predicted = np.asarray(transform.inverse_transform(out[:, 0]), dtype=float)
    return np.where(np.isfinite(predicted), predicted, float(np.mean(y_train)))


def _scores(
    out: np.ndarray,
    transform: Any,
    y_train: pd.Series,
    y_test: pd.Series,
    classes: Sequence[str],
    task: str,
) -> dict[str, float]:
    if task == "classification":
        from sklearn.metrics import balanced_accuracy_score

        predicted = np.argmax(out, axis=1)
        truth = encode(y_test, classes)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            balanced = float(balanced_accuracy_score(truth, predicted))
        return {"accuracy": float(np.mean(predicted == truth)), "balanced_accuracy": balanced}
    truth = y_test.to_numpy(dtype=float)
    predicted = in_target_units(out, transform, y_train)
    sse = float(np.sum((truth - predicted) ** 2))
    sst = float(np.sum((truth - truth.mean()) ** 2))
    return {"r2": 1.0 - sse / sst if sst > 0 else 0.0, "rmse": math.sqrt(sse / len(truth))}


def dataset_folds(dataset: Dataset, settings: Reference) -> list[FoldData]:
    frame = read_frame(dataset)
    classes = tuple(sorted(frame.y.astype(str).unique())) if frame.task == "classification" else ()
    out = []
    for fold, (train, test) in enumerate(folds_for(frame.y, frame.task, frame.groups, frame.time)):
        seed = derive_seed(SEED, dataset.name, fold, "cap")
        kept = cap_rows(train, frame.y, frame.task, settings.max_train_rows, seed, frame.groups)
        out.append(FoldData(dataset, frame, fold, kept, test, classes))
    return out


def prepare_fixed(strategy: Strategy, data: FoldData) -> Prepared:
    """A fixed strategy's features for one fold (fit on the training part only)."""
    x_train_frame, _, x_test_frame, _ = data.parts()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pre = make_preprocessor(strategy, data.frame, x_train_frame, data.seed)
        x_train = np.asarray(pre.fit_transform(x_train_frame), dtype=np.float64)
        x_test = np.asarray(pre.transform(x_test_frame), dtype=np.float64)
    if strategy.encoding == "periodic":
        # The scaled numbers lead the matrix (make_preprocessor's first block).
        embedded = len(data.frame.numeric)
        return Prepared(x_train, x_test, strategy.in_network, encoding="periodic",
                        embedded=embedded)  # fmt: skip
    return Prepared(x_train, x_test, strategy.in_network, encoding=strategy.encoding)


# ----------------------------------------------------------------------------- results store


#: The libraries whose versions a record names (the first installed of each group).
_LIBRARIES = (
    ("tensorflow-cpu", "tensorflow"), ("keras",), ("keras-tuner",), ("numpy",),
    ("scikit-learn",), ("scipy",),
)  # fmt: skip


def environment() -> dict[str, str]:
    """Where a record was made: the library versions and the CPU (its model, a digest of
    its instruction-set flags and its caches). Not part of any key: the same settings on
    another machine may compute other digits (the advisor's search does: docs/history.md,
    "The advisor's records and the machine"), and a record says where it came from. Read
    once per process."""
    return dict(_environment())


@functools.cache
def _environment() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str] = {}
    for names in _LIBRARIES:
        for name in names:
            try:
                out[name] = version(name)
                break
            except PackageNotFoundError:
                continue
    model, flags = "", ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            field_name, _, value = line.partition(":")
            if field_name.strip() == "model name" and not model:
                model = value.strip()
            elif field_name.strip() == "flags" and not flags:
                flags = " ".join(sorted(value.split()))
    except OSError:
        pass
    out["cpu"] = model or platform.processor() or platform.machine()
    if flags:
        out["cpu_flags"] = hashlib.sha256(flags.encode()).hexdigest()[:12]
    caches = _cpu_caches()
    if caches:
        out["cpu_caches"] = caches
    return out


def _cpu_caches() -> str:
    """The first core's caches as the kernel reports them ("L1d 48K, L1i 64K, L2 2048K,
    ..."): the blocking of a large matrix product can follow them, and with it the last
    bits of a training (docs/history.md, "The encodings' records and the machine")."""
    names = {"Data": "d", "Instruction": "i", "Unified": ""}
    parts = []
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level, kind, size = ((index / f).read_text().strip() for f in ("level", "type", "size"))
        except OSError:
            continue
        parts.append(f"L{level}{names.get(kind, kind)} {size}")
    return ", ".join(parts)


def record_key(record: dict[str, Any]) -> tuple[str, str, int, str, str, str]:
    """What a fixed record depends on; a record without ``split`` was made with kfold, one
    without ``encoding`` encodes nothing."""
    return (
        record["file_sha256"],
        record["strategy"],
        int(record["fold"]),
        record["reference"],
        record.get("split", KFOLD),
        record.get("encoding", ""),
    )


def _wanted_key(dataset: Dataset, strategy: Strategy, fold: int, key: str) -> tuple[Any, ...]:
    return (dataset.sha256, strategy.name, fold, key, dataset.split, strategy.encoding_key)


def split_field(dataset: Dataset) -> dict[str, str]:
    """The ``split`` entry of a record: none for kfold (the records made before splits
    existed keep their keys)."""
    return {} if dataset.split == KFOLD else {"split": dataset.split}


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
) -> list[dict[str, Any]]:
    """Every (strategy, fold) of one dataset, reusing the records already in its file."""
    path = fixed_results_path(results, dataset.name)
    key = settings.key()
    have = {record_key(r): r for r in read_records(path)}
    missing = {
        f: [s for s in strategies if _wanted_key(dataset, s, f, key) not in have]
        for f in range(FOLDS)
    }
    if any(missing.values()):
        folds = dataset_folds(dataset, settings)
        for fold, wanted in missing.items():
            if not wanted:
                continue
            started = time.perf_counter()
            prepared = [prepare_fixed(s, folds[fold]) for s in wanted]
            scores = train_and_score(folds[fold], prepared, settings)
            seconds = round((time.perf_counter() - started) / len(wanted), 3)
            for strategy, outcome in zip(wanted, scores, strict=True):
                record = {
                    "dataset": dataset.name,
                    "file_sha256": dataset.sha256,
                    "strategy": strategy.name,
                    "in_network": strategy.in_network,
                    "fold": fold,
                    "task": dataset.task,
                    "reference": key,
                    **split_field(dataset),
                    **({"encoding": strategy.encoding_key} if strategy.encoding_key else {}),
                    **outcome,
                    "seconds": seconds,
                    "environment": environment(),
                }
                append_record(path, record)
                have[record_key(record)] = record
            log(f"  {dataset.name} fold {fold + 1}: {len(wanted)} strategies "
                f"({seconds * len(wanted):.1f} s)")  # fmt: skip
    return [have[_wanted_key(dataset, s, f, key)] for f in range(FOLDS) for s in strategies]


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
