"""One column's `FeatureProfile`: a numeric column's statistics from its summary
(`advisor/profiling/column_summary.py`: kind, moments, order statistics, normality tests,
bounds, outliers), a text column's from its value counts.

In: a column's values (a float64 array, or a pandas Series of categories), or a streaming
accumulator plus a row sample.
Out: a `FeatureProfile`. Which statistic comes from where is listed in docs/profiler.md.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from advisor.profiling import colstats
from advisor.profiling.colstats import power_of_two_scale
from advisor.profiling.column_summary import ColumnSummary, summarize_values
from advisor.profiling.sketch import DISTINCT_CAP
from advisor.profiling.types import FeatureProfile
from advisor.vocab import ColumnKind

if TYPE_CHECKING:  # pandas is imported where needed: profiling numbers never needs it
    import pandas as pd

#: Shapiro-Wilk's p-value is accurate up to this many values (scipy's documented limit).
SHAPIRO_MAX_N = 5000
#: Anderson-Darling runs on at most this many values (a seeded sample beyond).
ANDERSON_MAX_N = 5000
NORMAL_TAIL_RATIO = colstats.NORMAL_TAIL_RATIO
#: Integer columns with at most this many levels are ordinal.
ORDINAL_MAX_LEVELS = 10

# Natural bounds, tightest first: (name, low, high). A column gets a bound when its values
# lie inside it and reach at least halfway to its top, so 0..16 is not called a percentage.
NATURAL_BOUNDS: tuple[tuple[str, float, float], ...] = (
    ("unit", 0.0, 1.0),
    ("signed_unit", -1.0, 1.0),
    ("percent", 0.0, 100.0),
    ("byte", 0.0, 255.0),
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
    out: dict[str, Any] = {
        "kind": _numeric_kind(s, n_distinct),
        "n_distinct": s.n_distinct if s.n_distinct is not None else DISTINCT_CAP,
        "distinct_capped": s.n_distinct is None,
        **_moment_facts(s, count, n_distinct),
        **_range_facts(s, count, n_distinct),
        **_order_statistics(s.ordered),
        **_normality(s, count, n_distinct),
    }
    return FeatureProfile(**base, **out)


def _moment_facts(s: ColumnSummary, count: int, n_distinct: int) -> dict[str, Any]:
    """The column's moments and what they say of its shape: skewness, kurtosis, modes,
    how close to a Gaussian it is, and the skewness of its logarithm."""
    m = s.moments
    skew, kurt = m.skew, m.kurtosis
    out: dict[str, Any] = {
        "mean": finite_or_none(m.mean_value),
        "std": m.std,
        "skew": skew,
        "abs_skew": abs(skew) if skew is not None else None,
        "kurtosis": kurt,
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
    return out


def _range_facts(s: ColumnSummary, count: int, n_distinct: int) -> dict[str, Any]:
    """The column's range and where its values sit in it: signs, zeros, integers, its
    natural bound and what piles up at its ends, and whether its numbers are codes."""
    bounds = _natural_bounds(s.min, s.max, s.integer_valued, n_distinct)
    return {
        "min": s.min,
        "max": s.max,
        "zero_share": s.zeros / count,
        "negative": s.negatives > 0,
        "positive": s.min > 0.0,
        "nonneg": s.min >= 0.0,
        "integer_valued": s.integer_valued,
        "bounds": bounds,
        "share_at_min": s.count_at_min / count,
        "share_at_max": s.count_at_max / count,
        "zero_inflated": bool(s.min >= 0.0 and s.zeros / count >= 0.3 and n_distinct > 2),
        "piles_at_bound": _piles_at_bound(bounds, s, count),
        "code_like": (
            bool(s.integer_valued and s.min >= 0 and n_distinct > 2) and name_says_code(s.name)
        ),
    }


def _order_statistics(ordered: np.ndarray) -> dict[str, Any]:
    """Quantiles, robust spreads (IQR, MAD), quantile skewness, tail weight and outlier
    shares from the sorted values (none without values)."""
    if not ordered.size:
        return {}
    q01, q25, q50, q75, q99 = colstats.quantiles(ordered, (0.01, 0.25, 0.5, 0.75, 0.99))
    iqr = q75 - q25
    mad = colstats.median_absolute_deviation(ordered, q50)
    out: dict[str, Any] = dict(
        q01=q01,
        q25=q25,
        q50=q50,
        q75=q75,
        q99=q99,
        iqr=finite_or_none(iqr),
        mad=finite_or_none(mad),
    )
    if math.isfinite(iqr):
        out["outlier_share_15"] = colstats.share_outside(ordered, q25 - 1.5 * iqr, q75 + 1.5 * iqr)
        out["outlier_share_3"] = colstats.share_outside(ordered, q25 - 3.0 * iqr, q75 + 3.0 * iqr)
    if iqr > 0 and math.isfinite(iqr):
        out["quantile_skew"] = finite_or_none((q75 + q25 - 2.0 * q50) / iqr)
        out["tail_ratio"] = finite_or_none((q99 - q01) / iqr / NORMAL_TAIL_RATIO)
    if mad > 0 and math.isfinite(mad):
        limit = colstats.ROBUST_Z_LIMIT * colstats.MAD_TO_SD * mad
        out["robust_z_share"] = colstats.share_outside(ordered, q50 - limit, q50 + limit)
    return out


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
    out = {k: finite_or_none(v) for k, v in out.items()}
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


def _numeric_kind(s: ColumnSummary, n_distinct: int) -> ColumnKind:
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


def profile_categorical(
    values: pd.Series, name: str, kind: ColumnKind = "categorical"
) -> FeatureProfile:
    """Profile one text column (missing = NaN/None)."""
    n_rows = len(values)
    present = values.dropna()
    counts = present.astype(str).value_counts()
    return categorical_from_counts(name, n_rows, n_rows - len(present), counts, kind)


def categorical_from_counts(
    name: str, n_rows: int, missing: int, counts: pd.Series, kind: ColumnKind = "categorical"
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


def finite_or_none(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


#: Name words that mark a column of integers as labels (codes, identifiers), not amounts.
CODE_WORDS = frozenset(
    {"zip", "zipcode", "postcode", "postal", "plz", "fips", "iso", "code", "id", "nr"}
)


def name_says_code(name: str) -> bool:
    """Whether a column's name says its numbers are labels: one of its words (split at
    non-letters and lower-to-upper case changes) is a code word, or ends in "code"
    ("zip_code", "ZipCode", "plot_id", "occ_code", "occrecode"; not "zipper", "idle")."""
    words = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", name).lower())
    return any(w in CODE_WORDS or (w.endswith("code") and len(w) > 4) for w in words)
