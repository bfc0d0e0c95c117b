"""The scaler catalog: one registry from a scaler key to its scikit-learn transformer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sklearn.base import TransformerMixin
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    PowerTransformer,
    QuantileTransformer,
    RobustScaler,
    StandardScaler,
)

from advisor.plan.transformers import DivideScaler, SignedLog1p, SmoothClip, Winsorizer
from advisor.profiling.types import FeatureProfile


@dataclass(frozen=True)
class FitContext:
    """What a factory may use to size its transformer: row count and seed."""

    n_samples: int
    seed: int = 0


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
    #: Whether the fitted scaler can be exported as Keras layers (`Advice.to_keras`).
    keras_export: bool = True


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


_SPECS: tuple[ScalerSpec, ...] = (
    ScalerSpec("passthrough", "pass through", 0, lambda ctx: "passthrough", _always),
    ScalerSpec("drop", "drop", 0, lambda ctx: "drop", _always),
    ScalerSpec("onehot", "one-hot encode", 1, lambda ctx: "onehot", _always),
    ScalerSpec(
        "string_encoder",
        "string encoder (character n-grams, tf-idf, 30 SVD components)",
        2,
        lambda ctx: "string_encoder",
        _text,
        keras_export=False,
    ),
    ScalerSpec(
        "date_features",
        "date features (year, elapsed time, cyclic month, day, weekday)",
        1,
        lambda ctx: "date_features",
        _dates,
        keras_export=False,
    ),
    ScalerSpec("standard", "standardize (z-score)", 1, lambda ctx: StandardScaler(), _always),
    ScalerSpec("minmax", "min-max to [0, 1]", 1, lambda ctx: MinMaxScaler(), _always),
    ScalerSpec("maxabs", "max-abs to [-1, 1]", 1, lambda ctx: MaxAbsScaler(), _always),
    ScalerSpec("divide255", "divide by 255", 1, lambda ctx: DivideScaler(255.0), _byte_range),
    ScalerSpec(
        "robust",
        "robust (median, IQR)",
        2,
        # quantile_range is in percent: (25.0, 75.0), not (0.25, 0.75).
        lambda ctx: RobustScaler(quantile_range=(25.0, 75.0)),
        _always,
    ),
    ScalerSpec(
        "log1p_standard",
        "log1p then standardize",
        3,
        lambda ctx: Pipeline([("log1p", SignedLog1p()), ("standard", StandardScaler())]),
        _nonneg,
    ),
    ScalerSpec(
        "yeo_johnson",
        "Yeo-Johnson power transform",
        4,
        lambda ctx: PowerTransformer(method="yeo-johnson", standardize=True),
        _always,
    ),
    ScalerSpec(
        "box_cox",
        "Box-Cox power transform",
        4,
        lambda ctx: PowerTransformer(method="box-cox", standardize=True),
        _positive,
    ),
    ScalerSpec(
        "robust_clip",
        "robust scaling then smooth clip",
        4,
        lambda ctx: Pipeline(
            [("robust", RobustScaler(quantile_range=(25.0, 75.0))), ("clip", SmoothClip(3.0))]
        ),
        _always,
    ),
    ScalerSpec(
        "winsorize",
        "winsorize at 1%/99% then standardize",
        3,
        lambda ctx: Pipeline([("clip", Winsorizer(0.01, 0.99)), ("standard", StandardScaler())]),
        _always,
    ),
    ScalerSpec("quantile_normal", "quantile to normal", 5, _quantile, _always),
)

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
