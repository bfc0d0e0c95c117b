"""The profile's values: one `FeatureProfile` per column and the `DatasetProfile`.

In: nothing but numbers (these are plain frozen dataclasses).
Out: what the rules read (by field name: `FEATURE_FIELDS`, `DATASET_FIELDS`), what the
advice file keeps (``to_dict``) and what `advise check` compares.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from advisor.profiling.layout import TableLayout
from advisor.vocab import NUMERIC_KINDS, ColumnKind, Task


@dataclass(frozen=True)
class FeatureProfile:
    """Statistics of one column. Numeric statistics are None where they are undefined
    (no finite value, a categorical column, too few values for a test)."""

    name: str
    kind: ColumnKind
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
    code_like: bool | None = None  # integers whose name says code/zip/id: labels, not amounts
    zero_inflated: bool | None = None
    bimodality: float | None = None  # Sarle's coefficient; > 5/9 suggests several modes
    multimodal: bool | None = None  # bimodality > 5/9 and excess kurtosis < 0
    log_skew: float | None = None  # skewness of log1p(x) for non-negative columns
    #: Regression only (`advisor.rules.target_links`): the squared correlation of the
    #: column's values with the target, and of its robust-scaled, smooth-clipped values.
    target_r2: float | None = None
    target_r2_clipped: float | None = None
    sketched: bool = False  # order statistics from a sample (streaming path)
    distinct_capped: bool = False  # more than DISTINCT_CAP distinct values (streaming path)
    top_categories: tuple[tuple[str, int], ...] = ()

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def field_value(self, name: str) -> Any:
        """The value of a profile field by name (what rule conditions read)."""
        if name not in FEATURE_FIELDS:
            raise KeyError(name)
        return getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["top_categories"] = [list(item) for item in self.top_categories]
        return data


FEATURE_FIELDS = frozenset(FeatureProfile.__dataclass_fields__)


@dataclass(frozen=True)
class DatasetProfile:
    """The profile of every feature column plus dataset-level facts the rules read."""

    source: str
    n_rows: int
    task: Task | None
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
    #: What the column classifier noted ("column: message"), on the paths that profile a
    #: file (`advise profile`); `advise` keeps them in the advice's notes instead.
    notes: tuple[str, ...] = ()
    #: A panel or a time series the rows look like (`advisor.profiling.layout`), or None.
    layout: TableLayout | None = None

    def feature(self, name: str) -> FeatureProfile:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)

    def field_value(self, name: str) -> Any:
        if name not in DATASET_FIELDS or name in ("features", "target", "layout"):
            raise KeyError(name)
        return getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        skip = ("features", "target", "layout")
        data = {k: v for k, v in asdict(self).items() if k not in skip}
        data["excluded"] = list(self.excluded)
        if self.notes:
            data["notes"] = list(self.notes)
        else:
            data.pop("notes")
        data["target"] = self.target.to_dict() if self.target is not None else None
        data["features"] = [f.to_dict() for f in self.features]
        if self.layout is not None:  # absent when the rows look exchangeable, as before
            data["layout"] = self.layout.to_dict()
        return data


DATASET_FIELDS = frozenset(DatasetProfile.__dataclass_fields__)
