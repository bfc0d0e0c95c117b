"""The scaler catalog: the one registry of scalers, each entry all the stages need.

An entry (`ScalerSpec`) gives a scaler key its label and complexity, its scikit-learn
transformer (a factory) and when it applies, and what the later stages read from it: its
fitted transformer as Keras ops (or none: no Keras export), whether its output is bounded
(`advise check` warns when new values leave the fitted range), whether the ``standard``
search budget tries it on every feature, and the classes an advice file may rebuild it
from. `advisor.advice.serialize`, `advisor.export`, `advisor.check` and `advisor.search`
derive their tables from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    OneHotEncoder,
    PowerTransformer,
    QuantileTransformer,
    RobustScaler,
    StandardScaler,
)

from advisor.plan.dates import DateFeatures
from advisor.plan.foreign import power_standardizer
from advisor.plan.transformers import DivideScaler, SignedLog1p, SmoothClip, Winsorizer
from advisor.profiling.types import FeatureProfile

#: A fitted transformer and the number of columns it scales, to the ops that reproduce it
#: in Keras (`advisor.export.ops` applies them): dicts with an ``op`` name and plain
#: numbers, kept in the exported layer's config.
KerasOps = Callable[[Any, int], list[dict[str, Any]]]

#: scikit-learn's QuantileTransformer bound margin (``BOUNDS`` in sklearn.preprocessing._data).
QUANTILE_BOUNDS = 1e-7
#: Stands in for an infinite clip bound in a layer's JSON config.
HUGE = 1.0e300


@dataclass(frozen=True)
class FitContext:
    """What a factory may use to size its transformer: row count and seed."""

    n_samples: int
    seed: int = 0


class Control(NamedTuple):
    """A global control of the ``standard`` search budget: the scaler on every feature."""

    #: Its place among the controls (the order the candidates are tried in).
    rank: int
    #: The control plan's name (in the search results and the report).
    plan: str


@dataclass(frozen=True)
class ScalerSpec:
    """One catalog entry.

    ``complexity`` orders ties (simpler first); ``requires`` says when the scaler applies:
    it returns a reason when the column cannot take it, else None.
    """

    key: str
    label: str
    complexity: int
    factory: Callable[[FitContext], TransformerMixin | str]
    requires: Callable[[FeatureProfile], str | None]
    #: Its fitted transformer as Keras ops (`Advice.to_keras`); None: it has no Keras
    #: export, and a plan using it cannot be exported.
    keras_ops: KerasOps | None = field(kw_only=True)
    #: The classes its fitted transformer is made of: the allowlist an advice file is
    #: rebuilt from (`advisor.advice.serialize`); without them it cannot be saved.
    classes: tuple[type, ...] = field(kw_only=True)
    #: Its output is bounded by the range it was fit on: the short name `advise check`
    #: gives it when new values leave that range (CHK006). None: it extrapolates.
    bounded: str | None = field(default=None, kw_only=True)
    #: Whether the ``standard`` search budget tries it on every numeric feature.
    control: Control | None = field(default=None, kw_only=True)

    @property
    def keras_export(self) -> bool:
        """Whether the fitted scaler can be exported as Keras layers (`Advice.to_keras`)."""
        return self.keras_ops is not None


def _always(_: FeatureProfile) -> str | None:
    return None


def _text(p: FeatureProfile) -> str | None:
    return None if p.kind == "categorical" else "needs a text column"


def _dates(p: FeatureProfile) -> str | None:
    return None if p.kind == "datetime" else "needs a date column"


def _nonneg(p: FeatureProfile) -> str | None:
    return None if p.min is not None and p.min >= 0 else "needs non-negative values"


def _positive(p: FeatureProfile) -> str | None:
    return None if p.min is not None and p.min > 0 else "needs strictly positive values"


def _byte_range(p: FeatureProfile) -> str | None:
    ok = p.min is not None and p.max is not None and p.min >= 0 and p.max <= 255
    return None if ok else "needs values within [0, 255]"


def _quantile(ctx: FitContext) -> TransformerMixin:
    return QuantileTransformer(
        n_quantiles=max(2, min(1000, ctx.n_samples)),
        output_distribution="normal",
        subsample=100_000,
        random_state=ctx.seed,
    )


# ---------------------------------------------------------------- fitted -> Keras ops


def _no_ops(fitted: Any, width: int) -> list[dict[str, Any]]:
    """Nothing to compute: passthrough (dropped and one-hot columns never reach the numeric
    layer; one-hot has a layer of its own)."""
    return []


def _standard_ops(fitted: Any, width: int) -> list[dict[str, Any]]:
    return [_affine(1.0 / _arr(fitted.scale_, width, 1.0), _arr(fitted.mean_, width, 0.0))]


def _robust_ops(fitted: Any, width: int) -> list[dict[str, Any]]:
    return [_affine(1.0 / _arr(fitted.scale_, width, 1.0), _arr(fitted.center_, width, 0.0))]


def _minmax_ops(fitted: Any, width: int) -> list[dict[str, Any]]:
    return [{"op": "affine", "factor": _list(fitted.scale_), "offset": _list(fitted.min_)}]


def _maxabs_ops(fitted: Any, width: int) -> list[dict[str, Any]]:
    return [_affine(1.0 / _arr(fitted.scale_, width, 1.0), np.zeros(width))]


def _divide_ops(fitted: Any, width: int) -> list[dict[str, Any]]:
    return [_affine(np.full(width, 1.0 / float(fitted.divisor)), np.zeros(width))]


def _signed_log1p_ops(fitted: Any, width: int) -> list[dict[str, Any]]:
    return [{"op": "signed_log1p"}]


def _smooth_clip_ops(fitted: Any, width: int) -> list[dict[str, Any]]:
    return [{"op": "smooth_clip", "c": float(fitted.clip)}]


def _winsorize_ops(fitted: Any, width: int) -> list[dict[str, Any]]:
    low = np.nan_to_num(np.asarray(fitted.low_, dtype=float), nan=-HUGE)
    high = np.nan_to_num(np.asarray(fitted.high_, dtype=float), nan=HUGE)
    return [{"op": "clip", "low": _list(low), "high": _list(high)}]


def _power_ops(fitted: Any, width: int) -> list[dict[str, Any]]:
    op = "yeo_johnson" if fitted.method == "yeo-johnson" else "box_cox"
    out: list[dict[str, Any]] = [{"op": op, "lambdas": _list(fitted.lambdas_)}]
    if fitted.standardize:
        out += _standard_ops(power_standardizer(fitted), width)
    return out


def _quantile_normal_ops(fitted: Any, width: int) -> list[dict[str, Any]]:
    from scipy import stats

    edge = QUANTILE_BOUNDS - np.spacing(1)
    return [
        {
            "op": "quantile_normal",
            "quantiles": [_list(fitted.quantiles_[:, j]) for j in range(width)],
            "references": _list(fitted.references_),
            "clip_min": float(stats.norm.ppf(edge)),
            "clip_max": float(stats.norm.ppf(1 - edge)),
        }
    ]


def _steps(*per_step: KerasOps) -> KerasOps:
    """The ops of a fitted `Pipeline`: each step's, in order."""

    def ops(fitted: Any, width: int) -> list[dict[str, Any]]:
        steps = [step for _, step in fitted.steps]
        return [op for each, step in zip(per_step, steps, strict=True) for op in each(step, width)]

    return ops


def _arr(values: Any, width: int, default: float) -> np.ndarray:
    if values is None:
        return np.full(width, default)
    return np.asarray(values, dtype=float).reshape(width)


def _affine(factor: np.ndarray, center: np.ndarray) -> dict[str, Any]:
    """(x - center) * factor as x * factor + offset."""
    return {"op": "affine", "factor": _list(factor), "offset": _list(-center * factor)}


def _list(values: Any) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=float).ravel()]


# ---------------------------------------------------------------- the entries

#: Each entry on three lines: key, label, complexity; factory, requires; what the other
#: stages read (Keras ops, serialized classes, bounded output, search control).
_SPECS: tuple[ScalerSpec, ...] = (
    ScalerSpec(
        "passthrough", "pass through", 0,
        lambda ctx: "passthrough", _always,
        keras_ops=_no_ops, classes=(), control=Control(0, "none"),
    ),
    ScalerSpec(
        "drop", "drop", 0,
        lambda ctx: "drop", _always,
        keras_ops=_no_ops, classes=(),
    ),
    ScalerSpec(
        "onehot", "one-hot encode", 1,
        lambda ctx: "onehot", _always,
        keras_ops=_no_ops, classes=(OneHotEncoder,),
    ),
    ScalerSpec(
        "string_encoder", "string encoder (character n-grams, tf-idf, 30 SVD components)", 2,
        lambda ctx: "string_encoder", _text,
        # skrub's classes: imported only when an advice file holds one (advisor/plan/foreign.py)
        keras_ops=None, classes=(),
    ),
    ScalerSpec(
        "date_features", "date features (year, elapsed time, cyclic month, day, weekday)", 1,
        lambda ctx: "date_features", _dates,
        keras_ops=None, classes=(DateFeatures,),
    ),
    ScalerSpec(
        "standard", "standardize (z-score)", 1,
        lambda ctx: StandardScaler(), _always,
        keras_ops=_standard_ops, classes=(StandardScaler,), control=Control(1, "standard"),
    ),
    ScalerSpec(
        "minmax", "min-max to [0, 1]", 1,
        lambda ctx: MinMaxScaler(), _always,
        keras_ops=_minmax_ops, classes=(MinMaxScaler,), bounded="min-max",
        control=Control(2, "minmax"),
    ),
    ScalerSpec(
        "maxabs", "max-abs to [-1, 1]", 1,
        lambda ctx: MaxAbsScaler(), _always,
        keras_ops=_maxabs_ops, classes=(MaxAbsScaler,), bounded="max-abs",
    ),
    ScalerSpec(
        "divide255", "divide by 255", 1,
        lambda ctx: DivideScaler(255.0), _byte_range,
        keras_ops=_divide_ops, classes=(DivideScaler,), bounded="/255",
    ),
    ScalerSpec(
        "robust", "robust (median, IQR)", 2,
        # quantile_range is in percent: (25.0, 75.0), not (0.25, 0.75).
        lambda ctx: RobustScaler(quantile_range=(25.0, 75.0)), _always,
        keras_ops=_robust_ops, classes=(RobustScaler,), control=Control(3, "robust"),
    ),
    ScalerSpec(
        "log1p_standard", "log1p then standardize", 3,
        lambda ctx: Pipeline([("log1p", SignedLog1p()), ("standard", StandardScaler())]), _nonneg,
        keras_ops=_steps(_signed_log1p_ops, _standard_ops),
        classes=(Pipeline, SignedLog1p, StandardScaler),
    ),
    ScalerSpec(
        "yeo_johnson", "Yeo-Johnson power transform", 4,
        lambda ctx: PowerTransformer(method="yeo-johnson", standardize=True), _always,
        # A fitted PowerTransformer keeps the StandardScaler it applies after its map.
        keras_ops=_power_ops, classes=(PowerTransformer, StandardScaler),
        control=Control(5, "yeo-johnson"),
    ),
    ScalerSpec(
        "box_cox", "Box-Cox power transform", 4,
        lambda ctx: PowerTransformer(method="box-cox", standardize=True), _positive,
        keras_ops=_power_ops, classes=(PowerTransformer, StandardScaler),
    ),
    ScalerSpec(
        "robust_clip", "robust scaling then smooth clip", 4,
        lambda ctx: Pipeline(
            [("robust", RobustScaler(quantile_range=(25.0, 75.0))), ("clip", SmoothClip(3.0))]
        ), _always,
        keras_ops=_steps(_robust_ops, _smooth_clip_ops),
        classes=(Pipeline, RobustScaler, SmoothClip), control=Control(6, "realmlp"),
    ),
    ScalerSpec(
        "winsorize", "winsorize at 1%/99% then standardize", 3,
        lambda ctx: Pipeline([("clip", Winsorizer(0.01, 0.99)), ("standard", StandardScaler())]),
        _always,
        keras_ops=_steps(_winsorize_ops, _standard_ops),
        classes=(Pipeline, Winsorizer, StandardScaler),
    ),
    ScalerSpec(
        "quantile_normal", "quantile to normal", 5,
        _quantile, _always,
        keras_ops=_quantile_normal_ops, classes=(QuantileTransformer,),
        control=Control(4, "quantile"),
    ),
)  # fmt: skip

CATALOG: dict[str, ScalerSpec] = {spec.key: spec for spec in _SPECS}


def get_spec(key: str) -> ScalerSpec:
    """The catalog entry for ``key``; a KeyError lists the known keys."""
    try:
        return CATALOG[key]
    except KeyError:
        known = ", ".join(CATALOG)
        raise KeyError(f"unknown scaler {key!r}; known scalers: {known}") from None


def make_scaler(key: str, ctx: FitContext) -> TransformerMixin | str:
    """A fresh, unfitted transformer for ``key`` ("passthrough" and "drop" stay strings)."""
    return get_spec(key).factory(ctx)


def controls() -> tuple[tuple[str, str], ...]:
    """The ``standard`` budget's global controls as (plan name, scaler key), in rank order."""
    ranked = sorted((spec.control, key) for key, spec in CATALOG.items() if spec.control)
    return tuple((control.plan, key) for control, key in ranked)


def serialized_classes() -> tuple[type, ...]:
    """Every class a fitted catalog scaler is made of, once each (in catalog order)."""
    return tuple(dict.fromkeys(cls for spec in CATALOG.values() for cls in spec.classes))
