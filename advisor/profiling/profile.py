"""Profiling: per-column distribution statistics and tests, as plain numbers and flags.

Two paths give the same `DatasetProfile`:

* in memory (`profile_table`, `profile_arrow`): every statistic exact, columns profiled in
  parallel threads (numpy and Arrow release the GIL);
* streaming (`profile_stream`, for files larger than memory): counts, min/max, moments,
  zeros, integer-valuedness and distinct values (up to 10,000) exact and merged chunk by
  chunk; quantiles, IQR, MAD, outlier shares, tail ratio, quartile skew, Shapiro-Wilk and
  Anderson-Darling from a seeded uniform sample of 100,000 rows (`sketched=True`).

Which statistic comes from where is listed in docs/profiler.md.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from advisor.profiling import colstats
from advisor.profiling.colstats import Moments, power_of_two_scale
from advisor.profiling.sketch import DISTINCT_CAP, NumericAccumulator, RowReservoir

if TYPE_CHECKING:  # pandas is imported where needed: profiling numbers never needs it
    import pandas as pd

    from advisor.io.load import Table

#: Shapiro-Wilk's p-value is accurate up to this many values (scipy's documented limit).
SHAPIRO_MAX_N = 5000
#: Anderson-Darling runs on at most this many values (a seeded sample beyond).
ANDERSON_MAX_N = 5000
NORMAL_TAIL_RATIO = colstats.NORMAL_TAIL_RATIO
#: Integer columns with at most this many levels are ordinal.
ORDINAL_MAX_LEVELS = 10
#: In-memory profiling is used while the data's float64 size stays below this share of
#: the memory available; larger files stream.
IN_MEMORY_SHARE = 0.25

# Natural bounds, tightest first: (name, low, high). A column gets a bound when its values
# lie inside it and reach at least halfway to its top, so 0..16 is not called a percentage.
NATURAL_BOUNDS: tuple[tuple[str, float, float], ...] = (
    ("unit", 0.0, 1.0),
    ("signed_unit", -1.0, 1.0),
    ("percent", 0.0, 100.0),
    ("byte", 0.0, 255.0),
)

ProgressFn = Callable[[float], None]


@dataclass(frozen=True)
class FeatureProfile:
    """Statistics of one column. Numeric statistics are None where they are undefined
    (no finite value, a categorical column, too few values for a test)."""

    name: str
    kind: str  # continuous|count|integer|ordinal|binary|constant|empty|id-like|categorical|datetime
    n_rows: int
    count: int  # finite, non-missing values
    missing: int
    non_finite: int
    missing_share: float
    n_distinct: int  # exact, except on the streaming path when distinct_capped
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    std: float | None = None
    skew: float | None = None
    abs_skew: float | None = None
    kurtosis: float | None = None  # excess, bias-corrected
    q01: float | None = None
    q25: float | None = None
    q50: float | None = None
    q75: float | None = None
    q99: float | None = None
    iqr: float | None = None
    mad: float | None = None
    zero_share: float | None = None
    negative: bool | None = None
    positive: bool | None = None  # strictly > 0
    nonneg: bool | None = None
    integer_valued: bool | None = None
    outlier_share_15: float | None = None  # beyond 1.5 IQR Tukey fences
    outlier_share_3: float | None = None  # beyond 3 IQR
    robust_z_share: float | None = None  # |x - median| / (1.4826 MAD) > 3.5
    tail_ratio: float | None = None  # (q99 - q01) / IQR relative to a normal's (1.0 = normal)
    quantile_skew: float | None = None  # Bowley: (q75 + q25 - 2 q50) / IQR, in [-1, 1]
    normality_test: str | None = None  # the headline test: Shapiro-Wilk, else D'Agostino
    normality_stat: float | None = None
    normality_p: float | None = None
    shapiro_w: float | None = None
    shapiro_p: float | None = None
    dagostino_k2: float | None = None
    dagostino_p: float | None = None
    anderson_a2: float | None = None
    anderson_p: float | None = None
    gaussian_like: bool | None = None  # |skew| < 0.5 and |excess kurtosis| < 1
    bounds: str | None = None  # unit | signed_unit | percent | byte
    share_at_min: float | None = None
    share_at_max: float | None = None
    piles_at_bound: bool | None = None  # > 5% of values sit exactly on a natural bound
    zero_inflated: bool | None = None
    bimodality: float | None = None  # Sarle's coefficient; > 5/9 suggests several modes
    multimodal: bool | None = None  # bimodality > 5/9 and excess kurtosis < 0
    log_skew: float | None = None  # skewness of log1p(x) for non-negative columns
    sketched: bool = False  # order statistics from a sample (streaming path)
    distinct_capped: bool = False  # more than DISTINCT_CAP distinct values (streaming path)
    top_categories: tuple[tuple[str, int], ...] = ()

    @property
    def numeric(self) -> bool:
        return self.kind not in ("categorical", "datetime")

    def field_value(self, name: str) -> Any:
        """The value of a profile field by name (what rule conditions read)."""
        if name not in _FEATURE_FIELDS:
            raise KeyError(name)
        return getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["top_categories"] = [list(item) for item in self.top_categories]
        return data


_FEATURE_FIELDS = frozenset(FeatureProfile.__dataclass_fields__)


@dataclass(frozen=True)
class DatasetProfile:
    """The profile of every feature column plus dataset-level facts the rules read."""

    source: str
    n_rows: int
    task: str | None
    target_name: str | None
    features: tuple[FeatureProfile, ...]
    n_numeric: int
    n_categorical: int
    scale_ratio: float | None  # largest std / smallest std among non-constant numerics
    share_skewed: float  # numeric columns with |skew| > 1
    share_outlier_heavy: float  # numeric columns with > 1% beyond 3 IQR
    n_classes: int | None = None
    min_class_share: float | None = None
    target: FeatureProfile | None = None
    excluded: tuple[str, ...] = field(default_factory=tuple)
    image_like: bool = False  # rows look like flattened images (many same-range pixels)
    image_top: float | None = None  # their common top intensity (15, 16, 255, ...)
    mode: str = "in-memory"  # or "streaming"
    sample_rows: int | None = None  # rows in the order-statistics sample when streaming

    def feature(self, name: str) -> FeatureProfile:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)

    def field_value(self, name: str) -> Any:
        if name not in _DATASET_FIELDS or name in ("features", "target"):
            raise KeyError(name)
        return getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k not in ("features", "target")}
        data["excluded"] = list(self.excluded)
        data["target"] = self.target.to_dict() if self.target is not None else None
        data["features"] = [f.to_dict() for f in self.features]
        return data


_DATASET_FIELDS = frozenset(DatasetProfile.__dataclass_fields__)


# ----------------------------------------------------------------------------- summaries


@dataclass
class ColumnSummary:
    """What the statistics are computed from: exact facts plus sorted values (the whole
    column, or a sample of it when ``sketched``)."""

    name: str
    n_rows: int
    missing: int
    non_finite: int
    moments: Moments
    log_moments: Moments | None
    min: float
    max: float
    count_at_min: int
    count_at_max: int
    zeros: int
    negatives: int
    integer_valued: bool
    n_distinct: int | None  # None: more than the streaming cap
    increasing: bool
    ordered: np.ndarray  # sorted finite values
    sketched: bool = False
    seed: int = 0

    @property
    def count(self) -> int:
        return self.n_rows - self.missing - self.non_finite


def summarize_values(values: np.ndarray, name: str, seed: int = 0) -> ColumnSummary:
    """Exact summary of a whole column (float array, NaN = missing)."""
    values = np.asarray(values, dtype=np.float64)
    nan = np.isnan(values)
    finite = ~nan & np.isfinite(values)
    x = values[finite] if not finite.all() else values
    ordered = np.sort(x)
    n = ordered.size
    if n == 0:
        return ColumnSummary(
            name,
            values.size,
            int(nan.sum()),
            int((~finite & ~nan).sum()),
            Moments(0, 0.0, 0.0, 0.0, 0.0),
            None,
            math.nan,
            math.nan,
            0,
            0,
            0,
            0,
            True,
            0,
            False,
            ordered,
            seed=seed,
        )
    lo, hi = float(ordered[0]), float(ordered[-1])
    scale = power_of_two_scale(max(abs(lo), abs(hi)))
    negatives = int(np.searchsorted(ordered, 0.0, side="left"))
    zeros = int(np.searchsorted(ordered, 0.0, side="right")) - negatives
    distinct = int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1
    integer = bool(np.array_equal(np.floor(ordered, out=colstats.scratch("floor", n)), ordered))
    with np.errstate(over="ignore", invalid="ignore"):
        increasing = bool(finite.all() and n > 1 and np.all(values[1:] > values[:-1]))
    return ColumnSummary(
        name=name,
        n_rows=values.size,
        missing=int(nan.sum()),
        non_finite=int((~finite & ~nan).sum()),
        moments=Moments.of(x, scale),
        log_moments=(
            Moments.of(colstats.fast_log1p(x, out=colstats.scratch("log", n)))
            if negatives == 0
            else None
        ),
        min=lo,
        max=hi,
        count_at_min=int(np.searchsorted(ordered, lo, side="right")),
        count_at_max=n - int(np.searchsorted(ordered, hi, side="left")),
        zeros=zeros,
        negatives=negatives,
        integer_valued=integer,
        n_distinct=distinct,
        increasing=increasing,
        ordered=ordered,
        seed=seed,
    )


def summarize_accumulator(
    acc: NumericAccumulator, sample: np.ndarray, name: str, seed: int = 0
) -> ColumnSummary:
    """Summary from a streamed column: exact facts, order statistics from ``sample``."""
    values = sample[np.isfinite(sample)]
    return ColumnSummary(
        name=name,
        n_rows=acc.n_rows,
        missing=acc.missing,
        non_finite=acc.non_finite,
        moments=acc.moments,
        log_moments=acc.log_moments,
        min=acc.min if acc.count else math.nan,
        max=acc.max if acc.count else math.nan,
        count_at_min=acc.count_at_min,
        count_at_max=acc.count_at_max,
        zeros=acc.zeros,
        negatives=acc.negatives,
        integer_valued=acc.integer_valued,
        n_distinct=acc.n_distinct,
        increasing=acc.increasing and acc.count > 1,
        ordered=np.sort(values),
        sketched=acc.count > values.size,
        seed=seed,
    )


def feature_from_summary(s: ColumnSummary) -> FeatureProfile:
    """Every numeric statistic of one column, from its summary."""
    count = s.count
    base: dict[str, Any] = {
        "name": s.name,
        "n_rows": s.n_rows,
        "count": count,
        "missing": s.missing,
        "non_finite": s.non_finite,
        "missing_share": (s.missing + s.non_finite) / s.n_rows if s.n_rows else 0.0,
        "sketched": s.sketched,
    }
    if count == 0:
        return FeatureProfile(kind="empty", n_distinct=0, **base)
    n_distinct = s.n_distinct if s.n_distinct is not None else 10**9
    kind = _numeric_kind(s, n_distinct)
    m = s.moments
    skew, kurt = m.skew, m.kurtosis
    out: dict[str, Any] = {
        "kind": kind,
        "n_distinct": s.n_distinct if s.n_distinct is not None else DISTINCT_CAP,
        "distinct_capped": s.n_distinct is None,
        "min": s.min,
        "max": s.max,
        "mean": _clean(m.mean_value),
        "std": m.std,
        "skew": skew,
        "abs_skew": abs(skew) if skew is not None else None,
        "kurtosis": kurt,
        "zero_share": s.zeros / count,
        "negative": s.negatives > 0,
        "positive": s.min > 0.0,
        "nonneg": s.min >= 0.0,
        "integer_valued": s.integer_valued,
        "bounds": _natural_bounds(s.min, s.max, s.integer_valued, n_distinct),
        "share_at_min": s.count_at_min / count,
        "share_at_max": s.count_at_max / count,
        "zero_inflated": bool(s.min >= 0.0 and s.zeros / count >= 0.3 and n_distinct > 2),
        "bimodality": colstats.bimodality_coefficient(skew, kurt, count),
        "multimodal": _multimodal(skew, kurt, count),
        "gaussian_like": (
            bool(abs(skew) < 0.5 and abs(kurt) < 1.0)
            if skew is not None and kurt is not None
            else None
        ),
    }
    if s.log_moments is not None and n_distinct > 1:
        out["log_skew"] = s.log_moments.skew
    out["piles_at_bound"] = _piles_at_bound(out["bounds"], s, count)
    ordered = s.ordered
    if ordered.size:
        q01, q25, q50, q75, q99 = colstats.quantiles(ordered, (0.01, 0.25, 0.5, 0.75, 0.99))
        iqr = q75 - q25
        mad = colstats.median_absolute_deviation(ordered, q50)
        out.update(q01=q01, q25=q25, q50=q50, q75=q75, q99=q99, iqr=_clean(iqr), mad=_clean(mad))
        if math.isfinite(iqr):
            out["outlier_share_15"] = colstats.share_outside(
                ordered, q25 - 1.5 * iqr, q75 + 1.5 * iqr
            )
            out["outlier_share_3"] = colstats.share_outside(
                ordered, q25 - 3.0 * iqr, q75 + 3.0 * iqr
            )
        if iqr > 0 and math.isfinite(iqr):
            out["quantile_skew"] = _clean((q75 + q25 - 2.0 * q50) / iqr)
            out["tail_ratio"] = _clean((q99 - q01) / iqr / NORMAL_TAIL_RATIO)
        if mad > 0 and math.isfinite(mad):
            limit = colstats.ROBUST_Z_LIMIT * colstats.MAD_TO_SD * mad
            out["robust_z_share"] = colstats.share_outside(ordered, q50 - limit, q50 + limit)
    out.update(_normality(s, count, n_distinct))
    return FeatureProfile(**base, **out)


def _normality(s: ColumnSummary, count: int, n_distinct: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if n_distinct < 3 or count < 8:
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dag = colstats.dagostino_pearson(s.moments)
        if dag is not None:
            out["dagostino_k2"], out["dagostino_p"] = dag
        # Both tests are affine-invariant: an exact power-of-two rescale keeps values near
        # 1e308 from overflowing inside them.
        scale = power_of_two_scale(max(abs(s.min), abs(s.max)))
        sample = _test_sample(s.ordered, ANDERSON_MAX_N, s.seed) / scale
        ad = colstats.anderson_darling(sample)
        if ad is not None:
            out["anderson_a2"], out["anderson_p"] = ad
        if count <= SHAPIRO_MAX_N and s.ordered.size == count:
            sw = colstats.shapiro_wilk(s.ordered / scale)
            if sw is not None:
                out["shapiro_w"], out["shapiro_p"] = sw
    out = {k: _clean(v) for k, v in out.items()}
    out = {k: v for k, v in out.items() if v is not None}
    if "shapiro_w" in out and "shapiro_p" in out:
        out["normality_test"] = "shapiro-wilk"
        out["normality_stat"], out["normality_p"] = out["shapiro_w"], out["shapiro_p"]
    elif "dagostino_k2" in out and "dagostino_p" in out:
        out["normality_test"] = "dagostino-pearson"
        out["normality_stat"], out["normality_p"] = out["dagostino_k2"], out["dagostino_p"]
    return out


def _test_sample(ordered: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """At most ``limit`` values drawn uniformly (seeded, with replacement: on columns this
    much larger than the sample the difference is nil, and it costs no permutation)."""
    if ordered.size <= limit:
        return ordered
    rng = np.random.default_rng(seed)
    return np.sort(ordered[rng.integers(0, ordered.size, limit)])


def _numeric_kind(s: ColumnSummary, n_distinct: int) -> str:
    if n_distinct == 1:
        return "constant"
    if n_distinct == 2:
        return "binary"
    if s.integer_valued:
        if s.increasing and s.count > 20 and n_distinct == s.count and s.max - s.min == s.count - 1:
            return "id-like"  # a row index: consecutive integers in file order
        if n_distinct <= ORDINAL_MAX_LEVELS:
            return "ordinal"
        return "count" if s.min >= 0 else "integer"
    return "continuous"


def _natural_bounds(xmin: float, xmax: float, integer_valued: bool, n_distinct: int) -> str | None:
    if n_distinct <= 2:
        return "unit" if xmin >= 0.0 and xmax <= 1.0 else None
    for bound, low, high in NATURAL_BOUNDS:
        if xmin < low or xmax > high:
            continue
        if bound == "byte" and not integer_valued:
            continue
        if bound in ("percent", "byte") and xmin > 0.1 * high:
            # Percentages and 8-bit intensities reach down near zero; 172..231 or
            # 32.1..59.6 are measurements that happen to fit inside the range.
            continue
        # The values must reach beyond the next tighter bound's top (else it would fit).
        if xmax > high / 2.0 or (bound == "signed_unit" and xmin < -0.5):
            return bound
        if bound == "unit":
            return bound
    return None


def _multimodal(skew: float | None, kurt: float | None, count: int) -> bool | None:
    """Sarle's coefficient above 5/9 alone also fires on strongly skewed unimodal data
    (an exponential sits at 5/9); two or more modes also flatten the peak, so negative
    excess kurtosis is required too."""
    bc = colstats.bimodality_coefficient(skew, kurt, count)
    if bc is None or kurt is None:
        return None
    return bool(bc > 5.0 / 9.0 and kurt < 0.0)


def _piles_at_bound(bounds: str | None, s: ColumnSummary, count: int) -> bool | None:
    if bounds is None:
        return None
    low, high = next((lo, hi) for name, lo, hi in NATURAL_BOUNDS if name == bounds)
    at_low = s.count_at_min / count if s.min == low else 0.0
    at_high = s.count_at_max / count if s.max == high else 0.0
    return bool(max(at_low, at_high) > 0.05)


def profile_numeric(values: np.ndarray, name: str, seed: int = 0) -> FeatureProfile:
    """Profile one numeric column given as a float array (NaN = missing)."""
    return feature_from_summary(summarize_values(np.asarray(values, dtype=float), name, seed))


def profile_categorical(values: pd.Series, name: str, kind: str = "categorical") -> FeatureProfile:
    """Profile one text column (missing = NaN/None)."""
    n_rows = len(values)
    present = values.dropna()
    counts = present.astype(str).value_counts()
    return _categorical_from_counts(name, n_rows, n_rows - len(present), counts, kind)


def _categorical_from_counts(
    name: str, n_rows: int, missing: int, counts: pd.Series, kind: str = "categorical"
) -> FeatureProfile:
    counts = counts.sort_values(ascending=False, kind="stable")
    top = tuple((str(k), int(v)) for k, v in counts.head(10).items())
    n_distinct = int(counts.size)
    if kind == "categorical":
        kind = "categorical" if n_distinct > 1 else ("constant" if n_distinct == 1 else "empty")
    return FeatureProfile(
        name=name,
        kind=kind,
        n_rows=n_rows,
        count=n_rows - missing,
        missing=missing,
        non_finite=0,
        missing_share=missing / n_rows if n_rows else 0.0,
        n_distinct=n_distinct,
        top_categories=top,
    )


# ----------------------------------------------------------------------------- datasets


def profile_table(table: Table, seed: int = 0, threads: int | None = None) -> DatasetProfile:
    """Profile every column of a loaded `Table` in memory (all statistics exact)."""
    numeric_values = [table.features[c].to_numpy(dtype=float) for c in table.numeric]
    features = list(_parallel_numeric(numeric_values, list(table.numeric), seed, threads))
    for column in table.categorical:
        features.append(profile_categorical(table.features[column], column))
    for column, kind in table.excluded_kinds:
        features.append(FeatureProfile(column, kind, table.n_rows, 0, 0, 0, 0.0, 0))
    n_classes = min_share = None
    target_profile = None
    if table.target is not None and table.task == "classification":
        counts = table.target.value_counts()
        n_classes = len(counts)
        min_share = float(counts.min() / counts.sum())
    elif table.target is not None:
        target_profile = profile_numeric(table.target.to_numpy(dtype=float), str(table.target_name))
    return _dataset(
        table.source,
        table.n_rows,
        features,
        task=table.task,
        target_name=table.target_name,
        n_classes=n_classes,
        min_class_share=min_share,
        target=target_profile,
        excluded=table.excluded,
    )


def _parallel_numeric(
    columns: list[np.ndarray], names: list[str], seed: int, threads: int | None
) -> list[FeatureProfile]:
    return _map_columns(
        lambda i: profile_numeric(columns[i], names[i], seed=seed + i), len(columns), threads
    )


def _map_columns(
    one: Callable[[int], FeatureProfile], count: int, threads: int | None
) -> list[FeatureProfile]:
    """``one(i)`` for every column index, in parallel threads (numpy and Arrow release
    the GIL); in order, and sequentially for a handful of columns."""
    workers = threads or min(count, os.cpu_count() or 1)
    if workers <= 1 or count < 4:
        return [one(i) for i in range(count)]
    # One BLAS thread per worker: the moments' dot products would otherwise each start
    # their own BLAS threads and the workers would fight over the cores.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, range(count)))


def _dataset(
    source: str,
    n_rows: int,
    features: list[FeatureProfile],
    **extra: Any,
) -> DatasetProfile:
    numeric = [f for f in features if f.numeric and f.kind not in ("constant", "empty", "id-like")]
    stds = [f.std for f in numeric if f.std is not None and f.std > 0]
    scale_ratio = (max(stds) / min(stds)) if stds else None
    skewed = [f for f in numeric if f.abs_skew is not None and f.abs_skew > 1.0]
    heavy = [f for f in numeric if (f.outlier_share_3 or 0.0) > 0.01]
    n_numeric = sum(1 for f in features if f.numeric and f.kind != "id-like")
    n_categorical = sum(1 for f in features if f.kind == "categorical")
    top = _image_top(features)
    return DatasetProfile(
        source=source,
        n_rows=n_rows,
        features=tuple(features),
        n_numeric=n_numeric,
        n_categorical=n_categorical,
        scale_ratio=_clean(scale_ratio),
        share_skewed=len(skewed) / len(numeric) if numeric else 0.0,
        share_outlier_heavy=len(heavy) / len(numeric) if numeric else 0.0,
        image_like=top is not None,
        image_top=top,
        **extra,
    )


def _image_top(features: list[FeatureProfile]) -> float | None:
    """The common top intensity when rows look like flattened images (else None): at least
    16 numeric columns, and 90% of them integer intensities starting at 0 (or constant 0
    at the borders) with one common top."""
    numeric = [f for f in features if f.numeric and f.count > 0]
    if len(numeric) < 16:
        return None
    pixels = [
        f
        for f in numeric
        if f.integer_valued and f.min is not None and f.min >= 0 and (f.max or 0) <= 255
    ]
    if len(pixels) < 0.9 * len(numeric):
        return None
    tops = [f.max for f in pixels if f.max]
    top = max(tops) if tops else None
    return top if top in (1.0, 15.0, 16.0, 255.0) else None


def profile_arrow(
    table: Any, source: str, seed: int = 0, threads: int | None = None
) -> DatasetProfile:
    """Profile an Arrow table in memory without building a DataFrame (the fast path).

    Each worker thread converts one column to float64, profiles it and lets it go, so at
    most one converted copy per thread is alive beside the Arrow table."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def is_numeric(kind: Any) -> bool:
        return bool(
            pa.types.is_integer(kind) or pa.types.is_floating(kind)
            or pa.types.is_boolean(kind) or pa.types.is_null(kind)
        )  # fmt: skip

    names = list(table.column_names)

    def one(index: int) -> FeatureProfile:
        column = table.column(index)
        name = names[index]
        if is_numeric(column.type):
            if pa.types.is_floating(column.type) and column.type.bit_width == 64:
                values = column.to_numpy()  # nulls become NaN
            else:
                values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
            return profile_numeric(np.asarray(values, dtype=np.float64), name, seed + index)
        import pandas as pd

        series = column.to_pandas()
        numbers = pd.to_numeric(series, errors="coerce")
        if series.notna().any() and numbers.notna().sum() >= 0.95 * series.notna().sum():
            return profile_numeric(numbers.to_numpy(dtype=float), name, seed + index)
        return profile_categorical(series.astype(object), name)

    features = _map_columns(one, len(names), threads)
    return _dataset(source, table.num_rows, features, task=None, target_name=None)


def profile_stream(
    path: str | os.PathLike[str],
    seed: int = 0,
    block_bytes: int = 4 << 20,
    sample_rows: int | None = None,
    progress: ProgressFn | None = None,
) -> DatasetProfile:
    """Profile a file in one streaming pass with bounded memory (see the module docs)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from advisor.io.read import iter_batches
    from advisor.profiling.sketch import RESERVOIR_ROWS

    names: list[str] | None = None
    numeric: list[str] = []
    accumulators: dict[str, NumericAccumulator] = {}
    categories: dict[str, pd.Series] = {}
    cat_missing: dict[str, int] = {}
    reservoir: RowReservoir | None = None
    n_rows = 0
    for batch in iter_batches(path, block_bytes):
        table = batch.table
        if names is None:
            names = list(table.column_names)
            for name, column in zip(names, table.columns, strict=True):
                kind = column.type
                if (
                    pa.types.is_floating(kind)
                    or pa.types.is_integer(kind)
                    or pa.types.is_boolean(kind)
                    or pa.types.is_null(kind)
                ):
                    numeric.append(name)
                    accumulators[name] = NumericAccumulator()
                else:
                    categories[name] = pd.Series(dtype="int64")
                    cat_missing[name] = 0
            reservoir = RowReservoir(len(numeric), sample_rows or RESERVOIR_ROWS, seed)
        n_rows += table.num_rows
        block = np.empty((table.num_rows, len(numeric)), dtype=np.float64)
        for index, name in enumerate(numeric):
            column = table.column(name)
            values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
            block[:, index] = values
            accumulators[name].update(block[:, index])
        assert reservoir is not None
        reservoir.update(block)
        for name in categories:
            column = table.column(name)
            cat_missing[name] += column.null_count
            counts = column.value_counts()
            part = pd.Series(
                counts.field("counts").to_numpy(),
                index=[str(v) for v in counts.field("values").to_pylist()],
                dtype="int64",
            )
            categories[name] = categories[name].add(part, fill_value=0).astype("int64")
        if progress is not None:
            progress(batch.bytes_done / max(batch.bytes_total, 1))
    if names is None:
        from advisor.errors import InputError

        raise InputError(f"{path}: file is empty, expected a header line and data rows")
    assert reservoir is not None
    sample = reservoir.sample
    features = []
    for index, name in enumerate(numeric):
        summary = summarize_accumulator(accumulators[name], sample[:, index], name, seed + index)
        features.append(feature_from_summary(summary))
    for name, counts in categories.items():
        features.append(_categorical_from_counts(name, n_rows, cat_missing[name], counts))
    order = {name: i for i, name in enumerate(names)}
    features.sort(key=lambda f: order[f.name])
    return _dataset(
        str(path),
        n_rows,
        features,
        task=None,
        target_name=None,
        mode="streaming",
        sample_rows=int(sample.shape[0]),
    )


def profile_path(
    path: str | os.PathLike[str],
    seed: int = 0,
    streaming: bool | None = None,
    progress: ProgressFn | None = None,
) -> DatasetProfile:
    """Profile a CSV (plain or gzip) or Parquet file: in memory when its data fits
    comfortably (every statistic exact), else streaming (bounded memory)."""
    from advisor.io.read import check_file, read_arrow

    p = check_file(path)
    if streaming is None:
        streaming = _too_big_for_memory(p)
    if streaming:
        return profile_stream(p, seed=seed, progress=progress)
    started = time.perf_counter()
    table = read_arrow(p)
    profile = profile_arrow(table, str(path), seed=seed)
    if progress is not None and time.perf_counter() - started > 0:
        progress(1.0)
    return profile


def _too_big_for_memory(path: Any) -> bool:
    size = os.path.getsize(path)
    if str(path).lower().endswith((".gz", ".parquet", ".pq")):
        size *= 5  # compressed: guess the text size
    # A CSV value takes about 6-8 bytes of text; as float64 it takes 8, plus a sorted copy.
    need = size * 2
    return need > IN_MEMORY_SHARE * _available_memory()


def _available_memory() -> int:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 4 << 30


def _clean(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)
