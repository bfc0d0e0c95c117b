"""The catalog, our transformers and the plan transformer: finite output, no surprises on
new data, and an exact JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import RobustScaler, StandardScaler

from advisor.advice import serialize
from advisor.plan.catalog import CATALOG, FitContext, make_scaler
from advisor.plan.pipeline import PlanTransformer
from advisor.plan.plans import InputPlan, make_candidates
from advisor.plan.transformers import DivideScaler, SignedLog1p, SmoothClip


def _frame(shapes: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = pd.DataFrame({k: v for k, v in shapes.items() if k != "constant"})
    frame.loc[::50, "gaussian"] = np.nan
    frame.loc[3, "lognormal"] = np.inf
    frame["colour"] = np.where(np.arange(len(frame)) % 3 == 0, "red", "blue")
    frame.loc[7, "colour"] = None
    return frame


def _plan(frame: pd.DataFrame, key: str | None = None) -> InputPlan:
    numeric = [c for c in frame.columns if c != "colour"]
    keys = {
        "gaussian": "standard",
        "lognormal": "log1p_standard",
        "uniform01": "minmax",
        "pixels": "divide255",
        "cauchy": "quantile_normal",
        "zero_inflated": "maxabs",
        "binary": "passthrough",
        "left_skew_negative": "yeo_johnson",
    }
    return InputPlan("test", tuple((c, key or keys[c]) for c in numeric), ("colour",), ())


@pytest.mark.parametrize("key", sorted(set(CATALOG) - {"drop", "box_cox"}))
def test_every_scaler_gives_finite_output_on_every_shape(shapes, key):
    frame = _frame(shapes)
    transformer = PlanTransformer(_plan(frame, key)).fit(frame)
    out = transformer.transform(frame)
    assert np.isfinite(out).all()
    assert out.shape[1] == len(transformer.get_feature_names_out())


def test_box_cox_needs_positive_values_and_the_catalog_says_so(shapes):
    from advisor.profiling.column import profile_numeric

    assert CATALOG["box_cox"].requires(profile_numeric(shapes["lognormal"], "x")) is None
    assert CATALOG["box_cox"].requires(profile_numeric(shapes["gaussian"] - 100, "x"))


def test_plan_transformer_imputes_indicates_and_encodes(shapes):
    frame = _frame(shapes)
    t = PlanTransformer(_plan(frame)).fit(frame)
    names = list(t.get_feature_names_out())
    assert "gaussian__missing" in names and "lognormal__missing" in names
    assert "colour_red" in names and "colour_(missing)" in names
    out = pd.DataFrame(t.transform(frame), columns=names)
    assert out["gaussian"].abs().max() < 6
    assert set(out["gaussian__missing"].unique()) == {0.0, 1.0}
    assert out["pixels"].between(0, 1).all()


def test_unseen_categories_and_missing_values_at_transform_time_are_not_errors(shapes):
    frame = _frame(shapes)
    t = PlanTransformer(_plan(frame)).fit(frame.iloc[:100].fillna({"gaussian": 0.0}))
    new = frame.iloc[100:110].copy()
    new["colour"] = "green"
    new.loc[new.index[0], "uniform01"] = np.nan
    out = t.transform(new)
    assert np.isfinite(out).all()
    colour = [i for i, n in enumerate(t.get_feature_names_out()) if n.startswith("colour")]
    assert np.all(out[:, colour] == 0)


def test_scalers_learn_from_the_fitting_rows_only(shapes):
    frame = _frame(shapes)
    plan = InputPlan("s", (("gaussian", "standard"),), (), ())
    train = frame.iloc[:500]
    t = PlanTransformer(plan).fit(train)
    expected = StandardScaler().fit(train[["gaussian"]].dropna())
    z = t.transform(frame.iloc[500:510])[:, 0]
    raw = frame["gaussian"].iloc[500:510].to_numpy()
    ok = ~np.isnan(raw)
    assert np.allclose(z[ok], (raw[ok] - expected.mean_[0]) / expected.scale_[0])


def test_robust_scaler_uses_percent_quantile_range():
    scaler = make_scaler("robust", FitContext(100))
    assert isinstance(scaler, RobustScaler)
    assert scaler.quantile_range == (25.0, 75.0)


def test_smooth_clip_is_identity_near_zero_and_bounded():
    clip = SmoothClip(3.0).fit(np.zeros((1, 1)))
    out = clip.transform(np.array([[0.01], [1e6], [-1e300], [np.nan]]))
    assert out[0, 0] == pytest.approx(0.01, rel=1e-4)
    assert out[1, 0] == pytest.approx(3.0, rel=1e-6) and out[2, 0] == -3.0
    assert np.isnan(out[3, 0])


def test_signed_log_and_divide_pass_nan_through():
    x = np.array([[0.0], [np.e - 1], [np.nan], [-(np.e - 1)]])
    assert np.allclose(
        SignedLog1p().fit(x).transform(x), [[0], [1], [np.nan], [-1]], equal_nan=True
    )
    assert DivideScaler(255).fit(x).transform(np.array([[255.0]]))[0, 0] == 1.0


def test_fitted_pipeline_survives_a_json_round_trip_exactly(shapes):
    frame = _frame(shapes)
    t = PlanTransformer(_plan(frame)).fit(frame)
    text = json.dumps(serialize.dump(t), allow_nan=False)
    back = serialize.load(json.loads(text))
    assert isinstance(back, PlanTransformer)
    np.testing.assert_array_equal(back.transform(frame), t.transform(frame))
    assert list(back.get_feature_names_out()) == list(t.get_feature_names_out())


def test_candidates_put_the_rule_plan_without_normalization_first(shapes):
    frame = _frame(shapes)
    candidates = make_candidates(_plan(frame))
    assert candidates[0].key == "test+none"
    assert {c.key for c in candidates} >= {"standard+batch", "none+layer", "test+layer"}
    assert len(candidates) == 9


def test_numeric_codes_can_be_one_hot_encoded_on_request_whatever_their_dtype():
    from advisor import advise

    rng = np.random.default_rng(0)
    codes = rng.choice([98052, 98101, 10001, 60601], 300)
    frame = pd.DataFrame({"zipcode": codes, "x": rng.normal(size=300)})
    advice = advise(frame, overrides={"zipcode": "onehot"})
    assert advice.plan.categorical == ("zipcode",)
    names = list(advice.pipeline.get_feature_names_out())
    assert "zipcode_98052" in names and "zipcode_98052.0" not in names
    as_floats = frame.astype({"zipcode": float})
    np.testing.assert_array_equal(advice.transform(frame), advice.transform(as_floats))


def test_categorical_block_turns_each_distinct_value_into_text_once_as_cell_by_cell():
    """The block is what `category_text` gives cell by cell, missing values as their own
    category, whatever mix of numbers, text and missing markers a column holds."""
    from advisor.plan.pipeline import MISSING_CATEGORY, categorical_block, category_text

    frame = pd.DataFrame(
        {
            "mixed": [1, 1.0, "a", None, np.nan, 2.5, 98052.0, "1"],
            "codes": [3.0, 3.0, 4.0, np.nan, 5.0, 3.0, 4.0, 4.0],
            "text": list("abcabcab"),
        }
    )
    block = categorical_block(frame, ("mixed", "codes", "text"))
    for j, column in enumerate(frame.columns):
        expected = [MISSING_CATEGORY if pd.isna(v) else category_text(v) for v in frame[column]]
        assert block[:, j].tolist() == expected
    assert block[:, 0].tolist()[:4] == ["1", "1", "a", MISSING_CATEGORY]
