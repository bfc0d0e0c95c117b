"""Profiling: per-column distribution statistics and tests, as plain numbers and flags."""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from advisor.load import Table

#: Shapiro-Wilk's p-value is accurate up to this many values (scipy's documented limit).
SHAPIRO_MAX_N = 5000
#: Normality tests need at least this many values (D'Agostino's kurtosis test needs 8).
NORMALITY_MIN_N = 8

#: (q99 - q01) / IQR of a normal distribution: 2 * 2.3263 / 1.3490.
NORMAL_TAIL_RATIO = 2.0 * 2.326347874 / 1.348979500

# Natural bounds, tightest first: (name, low, high). A column gets a bound when its values
# lie inside it and reach at least halfway to its top, so 0..16 is not called a percentage.
NATURAL_BOUNDS: tuple[tuple[str, float, float], ...] = (
    ("unit", 0.0, 1.0),
    ("signed_unit", -1.0, 1.0),
    ("percent", 0.0, 100.0),
    ("byte", 0.0, 255.0),
)


@dataclass(frozen=True)
class FeatureProfile:
    """Statistics of one column. Numeric statistics are None where they are undefined
    (no finite value, a categorical column, too few values for a test)."""

    name: str
    kind: str  # continuous | integer | binary | constant | empty | id-like | categorical
    n_rows: int
    count: int  # finite, non-missing values
    missing: int
    non_finite: int
    missing_share: float
    n_distinct: int
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
    normality_test: str | None = None
    normality_stat: float | None = None
    normality_p: float | None = None
    bounds: str | None = None  # unit | signed_unit | percent | byte
    log_skew: float | None = None  # skewness of log1p(x) for non-negative columns
    quantile_skew: float | None = None  # Bowley: (q75 + q25 - 2 q50) / IQR, in [-1, 1]
    tail_ratio: float | None = None  # (q99 - q01) / IQR relative to a normal's (1.0 = normal)
    top_categories: tuple[tuple[str, int], ...] = ()

    @property
    def numeric(self) -> bool:
        return self.kind not in ("categorical",)

    def field_value(self, name: str) -> Any:
        """The value of a profile field by name (what rule conditions read)."""
        if name not in _FEATURE_FIELDS:
            raise KeyError(name)
        return getattr(self, name)

    def highlights(self) -> str:
        """A one-line summary for the report."""
        if self.kind == "categorical":
            return f"{self.n_distinct} categories" + (
                f", {self.missing_share:.0%} missing" if self.missing else ""
            )
        if self.count == 0:
            return "no finite values"
        parts = [f"range [{_g(self.min)}, {_g(self.max)}]"]
        if self.skew is not None:
            parts.append(f"skew {self.skew:+.2f}")
        if self.kurtosis is not None:
            parts.append(f"kurt {self.kurtosis:+.1f}")
        if self.outlier_share_3:
            parts.append(f"{self.outlier_share_3:.1%} far outliers")
        if self.zero_share and self.zero_share >= 0.2:
            parts.append(f"{self.zero_share:.0%} zeros")
        if self.bounds:
            parts.append(f"bounded {self.bounds}")
        if self.missing:
            parts.append(f"{self.missing_share:.0%} missing")
        if self.non_finite:
            parts.append(f"{self.non_finite} non-finite")
        return ", ".join(parts)

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
        return {
            "source": self.source,
            "n_rows": self.n_rows,
            "task": self.task,
            "target_name": self.target_name,
            "n_numeric": self.n_numeric,
            "n_categorical": self.n_categorical,
            "scale_ratio": self.scale_ratio,
            "share_skewed": self.share_skewed,
            "share_outlier_heavy": self.share_outlier_heavy,
            "n_classes": self.n_classes,
            "min_class_share": self.min_class_share,
            "excluded": list(self.excluded),
            "target": self.target.to_dict() if self.target is not None else None,
            "features": [f.to_dict() for f in self.features],
        }


_DATASET_FIELDS = frozenset(DatasetProfile.__dataclass_fields__)


def profile_table(table: Table) -> DatasetProfile:
    """Profile every feature column of ``table`` (and a regression target)."""
    features: list[FeatureProfile] = []
    for column in table.numeric:
        features.append(profile_numeric(table.features[column].to_numpy(dtype=float), column))
    for column in table.categorical:
        features.append(profile_categorical(table.features[column], column))
    numeric = [f for f in features if f.kind not in ("categorical", "constant", "empty")]
    stds = [f.std for f in numeric if f.std is not None and f.std > 0]
    scale_ratio = (max(stds) / min(stds)) if stds else None
    skewed = [f for f in numeric if f.abs_skew is not None and f.abs_skew > 1.0]
    heavy = [f for f in numeric if (f.outlier_share_3 or 0.0) > 0.01]
    n_classes = min_share = None
    target_profile = None
    if table.target is not None and table.task == "classification":
        counts = table.target.value_counts()
        n_classes = len(counts)
        min_share = float(counts.min() / counts.sum())
    elif table.target is not None:
        target_profile = profile_numeric(table.target.to_numpy(dtype=float), str(table.target_name))
    return DatasetProfile(
        source=table.source,
        n_rows=table.n_rows,
        task=table.task,
        target_name=table.target_name,
        features=tuple(features),
        n_numeric=len(table.numeric),
        n_categorical=len(table.categorical),
        scale_ratio=_clean(scale_ratio),
        share_skewed=len(skewed) / len(numeric) if numeric else 0.0,
        share_outlier_heavy=len(heavy) / len(numeric) if numeric else 0.0,
        n_classes=n_classes,
        min_class_share=min_share,
        target=target_profile,
        excluded=table.excluded,
    )


def profile_numeric(values: np.ndarray, name: str) -> FeatureProfile:
    """Profile one numeric column given as a float array (NaN = missing)."""
    values = np.asarray(values, dtype=float)
    n_rows = int(values.size)
    missing_mask = np.isnan(values)
    finite_mask = np.isfinite(values)
    missing = int(missing_mask.sum())
    non_finite = int((~finite_mask & ~missing_mask).sum())
    x = values[finite_mask]
    count = int(x.size)
    base: dict[str, Any] = {
        "name": name,
        "n_rows": n_rows,
        "count": count,
        "missing": missing,
        "non_finite": non_finite,
        "missing_share": (missing + non_finite) / n_rows if n_rows else 0.0,
    }
    if count == 0:
        return FeatureProfile(kind="empty", n_distinct=0, **base)
    distinct = np.unique(x)
    n_distinct = int(distinct.size)
    xmin, xmax = float(distinct[0]), float(distinct[-1])
    integer_valued = bool(np.all(np.mod(distinct, 1.0) == 0.0))
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(np.mean(x))
        std = float(np.std(x, ddof=1)) if count > 1 else 0.0
    q01, q25, q50, q75, q99 = (float(q) for q in np.quantile(x, [0.01, 0.25, 0.5, 0.75, 0.99]))
    iqr = q75 - q25
    mad = float(np.median(np.abs(x - q50)))
    kind = _numeric_kind(x, n_distinct, integer_valued, xmin, xmax)
    out: dict[str, Any] = {
        "kind": kind,
        "n_distinct": n_distinct,
        "min": xmin,
        "max": xmax,
        "mean": _clean(mean),
        "std": _clean(std),
        "q01": q01,
        "q25": q25,
        "q50": q50,
        "q75": q75,
        "q99": q99,
        "iqr": _clean(iqr),
        "mad": _clean(mad),
        "zero_share": float(np.mean(x == 0.0)),
        "negative": xmin < 0.0,
        "positive": xmin > 0.0,
        "nonneg": xmin >= 0.0,
        "integer_valued": integer_valued,
        "bounds": _natural_bounds(xmin, xmax, integer_valued, n_distinct),
    }
    if iqr > 0 and np.isfinite(iqr):
        out["quantile_skew"] = _clean((q75 + q25 - 2.0 * q50) / iqr)
        out["tail_ratio"] = _clean((q99 - q01) / iqr / NORMAL_TAIL_RATIO)
    if np.isfinite(iqr):
        lo15, hi15 = q25 - 1.5 * iqr, q75 + 1.5 * iqr
        lo3, hi3 = q25 - 3.0 * iqr, q75 + 3.0 * iqr
        out["outlier_share_15"] = float(np.mean((x < lo15) | (x > hi15)))
        out["outlier_share_3"] = float(np.mean((x < lo3) | (x > hi3)))
    if n_distinct > 1 and count > 3:
        scaled = _rescale(x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            skew = _clean(float(stats.skew(scaled, bias=False)))
            kurt = _clean(float(stats.kurtosis(scaled, fisher=True, bias=False)))
        out["skew"] = skew
        out["abs_skew"] = abs(skew) if skew is not None else None
        out["kurtosis"] = kurt
        if xmin >= 0.0:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out["log_skew"] = _clean(float(stats.skew(np.log1p(x), bias=False)))
        out.update(_normality(scaled))
    return FeatureProfile(**base, **out)


def profile_categorical(values: pd.Series, name: str) -> FeatureProfile:
    """Profile one text column (missing = NaN/None)."""
    n_rows = len(values)
    present = values.dropna()
    counts = present.astype(str).value_counts()
    top = tuple((str(k), int(v)) for k, v in counts.head(10).items())
    n_distinct = int(counts.size)
    kind = "categorical" if n_distinct > 1 else ("constant" if n_distinct == 1 else "empty")
    missing = n_rows - len(present)
    return FeatureProfile(
        name=name,
        kind=kind,
        n_rows=n_rows,
        count=len(present),
        missing=missing,
        non_finite=0,
        missing_share=missing / n_rows if n_rows else 0.0,
        n_distinct=n_distinct,
        top_categories=top,
    )


def _numeric_kind(
    x: np.ndarray, n_distinct: int, integer_valued: bool, xmin: float, xmax: float
) -> str:
    if n_distinct == 1:
        return "constant"
    if n_distinct == 2:
        return "binary"
    if integer_valued:
        # A row index: every value distinct, consecutive and in file order.
        if (
            n_distinct == x.size
            and x.size > 20
            and xmax - xmin == x.size - 1
            and bool(np.all(np.diff(x) > 0))
        ):
            return "id-like"
        return "integer"
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


def _rescale(x: np.ndarray) -> np.ndarray:
    """Centre and scale before moments so 1e308-sized values do not overflow."""
    centre = np.median(x)
    spread = np.max(np.abs(x - centre))
    if not np.isfinite(spread) or spread == 0.0:
        spread = 1.0
    return (x - centre) / spread


def _normality(x: np.ndarray) -> dict[str, Any]:
    """A normality test valid for the sample size, with its statistic and p-value."""
    n = x.size
    if n < NORMALITY_MIN_N:
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if n <= SHAPIRO_MAX_N:
            result = stats.shapiro(x)
            name = "shapiro-wilk"
        else:
            result = stats.normaltest(x)
            name = "dagostino-pearson"
    return {
        "normality_test": name,
        "normality_stat": _clean(float(result.statistic)),
        "normality_p": _clean(float(result.pvalue)),
    }


def _clean(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _g(value: float | None) -> str:
    return "NA" if value is None else f"{value:.4g}"
