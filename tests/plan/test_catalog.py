"""The catalog is the one registry of scalers: the serializer's allowlist, the Keras
export's ops, `advise check`'s bounded scalers and the search's controls all come from
its entries, and every transformer it builds passes scikit-learn's estimator checks."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import PowerTransformer
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks

from advisor.plan.catalog import CATALOG, FitContext, controls, make_scaler
from advisor.plan.transformers import DivideScaler, SignedLog1p, SmoothClip, Winsorizer


def _catalog_transformers() -> list[Any]:
    """A fresh transformer of every catalog entry that has one (passthrough, drop and the
    encoders the pipeline builds itself are names, not transformers)."""
    built = [make_scaler(key, FitContext(n_samples=100, seed=0)) for key in CATALOG]
    return [scaler for scaler in built if not isinstance(scaler, str)]


TRANSFORMERS = [*_catalog_transformers(), DivideScaler(), SignedLog1p(), SmoothClip(), Winsorizer()]

_STEPS = "Pipeline fits its `steps` in place (scikit-learn's own checks xfail it)"
#: What scikit-learn's own Pipeline fails: not a property of the catalog's steps.
PIPELINE = {
    "check_dont_overwrite_parameters": _STEPS,
    "check_estimators_overwrite_params": _STEPS,
    "check_estimators_nan_inf": (
        "Pipeline does not take its steps' allow_nan tag: every step passes NaN through "
        "(imputation comes after scaling), so none raises on NaN"
    ),
}
#: Only when the last step keeps float32 (the Pipeline takes its dtype tags).
PIPELINE_FLOAT32 = (
    "Pipeline claims its last step's float32 (StandardScaler keeps it); its first step "
    "computes in float64, as scikit-learn's own scalers do for the advisor's float64 columns"
)
_POSITIVE = (
    "the checks feed values <= 0, and Box-Cox takes strictly positive values only (the "
    "catalog's requires); scikit-learn does not tag its box-cox method positive_only"
)
BOX_COX = dict.fromkeys(
    (
        "check_estimators_dtypes", "check_estimators_fit_returns_self",
        "check_estimators_overwrite_params", "check_estimators_pickle",
        "check_n_features_in_after_fitting", "check_pipeline_consistency",
        "check_positive_only_tag_during_fit", "check_readonly_memmap_input",
        "check_transformer_data_not_an_array", "check_transformer_general",
        "check_transformer_preserve_dtypes",
    ),
    _POSITIVE,
) | {"check_fit2d_1sample": "scipy's Box-Cox: 'Data must not be constant' for one row"}  # fmt: skip


def _expected_failures(estimator: Any) -> dict[str, str]:
    if isinstance(estimator, Pipeline):
        float32 = "float32" in get_tags(estimator).transformer_tags.preserves_dtype
        return PIPELINE | (
            {"check_transformer_preserve_dtypes": PIPELINE_FLOAT32} if float32 else {}
        )
    if isinstance(estimator, PowerTransformer) and estimator.method == "box-cox":
        return BOX_COX
    return {}


@parametrize_with_checks(TRANSFORMERS, expected_failed_checks=_expected_failures, xfail_strict=True)
def test_every_transformer_of_the_catalog_passes_scikit_learns_checks(estimator, check):
    check(estimator)


# ---------------------------------------------------------------- the derived tables


def _estimator_names(value: Any) -> set[str]:
    """The class names in a serialized value (`advisor.advice.serialize.dump`)."""
    if isinstance(value, list):
        return set().union(*map(_estimator_names, value)) if value else set()
    if not isinstance(value, dict):
        return set()
    own = {value["__estimator__"]} if "__estimator__" in value else set()
    return own.union(*map(_estimator_names, value.values()))


@pytest.mark.parametrize("key", [k for k in CATALOG if k not in ("drop", "string_encoder")])
def test_each_entry_lists_the_classes_its_fitted_transformer_is_saved_as(key):
    from advisor.advice import serialize
    from advisor.plan.pipeline import PlanTransformer
    from advisor.plan.plans import InputPlan

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.lognormal(size=200),
            "day": pd.date_range("2020-01-01", periods=200).strftime("%Y-%m-%d"),
            "colour": rng.choice(["red", "blue"], 200),
        }
    )
    if key == "date_features":
        plan = InputPlan("t", (), dates=("day",))
    elif key == "onehot":
        plan = InputPlan("t", (), categorical=("colour",))
    else:
        plan = InputPlan("t", (("x", key),))
    fitted = PlanTransformer(plan).fit(frame)
    names = _estimator_names(serialize.dump(fitted)) - {"PlanTransformer"}
    assert names == {cls.__name__ for cls in CATALOG[key].classes}
    back = serialize.load(json.loads(json.dumps(serialize.dump(fitted), allow_nan=False)))
    np.testing.assert_array_equal(back.transform(frame), fitted.transform(frame))


def test_an_entry_exports_to_keras_when_it_has_keras_ops():
    exportable = {key for key, spec in CATALOG.items() if spec.keras_export}
    assert exportable == {key for key, spec in CATALOG.items() if spec.keras_ops is not None}
    assert set(CATALOG) - exportable == {"string_encoder", "date_features"}


def test_the_search_controls_and_the_bounded_scalers_come_from_the_catalog():
    from advisor.search.space import CONTROLS

    assert CONTROLS == controls() == (
        ("none", "passthrough"), ("standard", "standard"), ("minmax", "minmax"),
        ("robust", "robust"), ("quantile", "quantile_normal"), ("yeo-johnson", "yeo_johnson"),
        ("realmlp", "robust_clip"),
    )  # fmt: skip
    bounded = {key: spec.bounded for key, spec in CATALOG.items() if spec.bounded}
    assert bounded == {"minmax": "min-max", "maxabs": "max-abs", "divide255": "/255"}
