"""AutoScaler: the rules as a scikit-learn transformer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import check_estimator

from advisor import AutoScaler
from advisor.errors import RuleError
from advisor.plan.plans import InputPlan


@pytest.fixture
def frame(shapes) -> pd.DataFrame:
    data = {k: shapes[k][:400] for k in ("gaussian", "lognormal", "pixels", "cauchy", "constant")}
    out = pd.DataFrame(data)
    out["colour"] = np.where(np.arange(400) % 3 == 0, "red", "blue")
    return out


def test_passes_scikit_learns_estimator_checks():
    check_estimator(AutoScaler())


def test_fit_applies_the_rules_and_explains_each_choice(frame):
    scaler = AutoScaler().fit(frame)
    assert scaler.scalers_ == {
        "gaussian": "robust_clip",
        "lognormal": "robust_clip",
        "pixels": "divide255",
        "cauchy": "robust_clip",
    }
    assert scaler.dropped_ == ["constant"]
    assert scaler.reasons_["lognormal"].startswith("NRM018 robust-clip-default")
    # Without the baseline rule the shape transforms lead.
    shapes = AutoScaler(disable_rules=["NRM018"]).fit(frame)
    assert shapes.scalers_ == {
        "gaussian": "standard",
        "lognormal": "log1p_standard",
        "pixels": "divide255",
        "cauchy": "quantile_normal",
    }
    assert shapes.reasons_["lognormal"].startswith("NRM012 right-skew-log")
    assert "colour" in scaler.plan_.categorical
    out = scaler.transform(frame)
    assert out.shape == (400, 6) and np.isfinite(out).all()


def test_pandas_output_and_feature_names(frame):
    scaler = AutoScaler().set_output(transform="pandas").fit(frame)
    out = scaler.transform(frame)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(scaler.get_feature_names_out())
    assert "colour_red" in out.columns


def test_fixed_plan_survives_clone_and_refit(frame):
    plan = InputPlan("mine", (("gaussian", "robust"), ("lognormal", "standard")), ("colour",))
    scaler = AutoScaler(plan=plan).fit(frame)
    again = clone(scaler).fit(frame.iloc[:100])
    assert again.plan_ == plan and again.scalers_ == {"gaussian": "robust", "lognormal": "standard"}
    first = scaler.transform(frame)
    second = again.transform(frame)
    assert first.shape == second.shape
    assert not np.allclose(first, second)  # scalers refit on other rows


def test_overrides_beat_the_rules(frame):
    scaler = AutoScaler(overrides={"gaussian": "minmax", "constant": "keep", "pixels": "drop"})
    scaler.fit(frame)
    assert scaler.scalers_["gaussian"] == "minmax"
    assert scaler.scalers_["constant"] == "passthrough"
    assert "pixels" in scaler.dropped_
    assert scaler.reasons_["gaussian"].startswith("USER user-override")


def test_override_that_cannot_apply_is_a_clear_error(frame):
    with pytest.raises(RuleError, match=r"override gaussian=box_cox: needs strictly positive"):
        AutoScaler(overrides={"gaussian": "box_cox"}).fit(
            frame.assign(gaussian=frame.gaussian - 100)
        )
    with pytest.raises(RuleError, match="override names unknown column 'nope'"):
        AutoScaler(overrides={"nope": "robust"}).fit(frame)


def test_works_inside_a_scikit_learn_pipeline(frame):
    y = (frame["gaussian"] > 50).astype(int)
    model = make_pipeline(AutoScaler(), LogisticRegression(max_iter=500)).fit(frame, y)
    assert model.score(frame, y) > 0.95


def test_numpy_input_gets_positional_names():
    x = np.random.default_rng(0).lognormal(size=(100, 2))
    scaler = AutoScaler().fit(x)
    assert set(scaler.scalers_) == {"x0", "x1"}
    assert not hasattr(scaler, "feature_names_in_")
