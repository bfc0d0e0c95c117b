"""`advisor.export.model`: the fitted preprocessing as a Keras model reproduces
``pipeline.transform`` within 1e-6 x (1 + |value|) for every exportable scaler of the
catalog (TensorFlow, and JAX in float64), a SavedModel serves named columns without the
advisor, and what cannot be exported is refused clearly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advisor import advise
from advisor.export.inputs import keras_inputs
from advisor.plan.catalog import CATALOG
from advisor.plan.plans import InputPlan
from advisor.rules.autoscaler import AutoScaler

export = pytest.importorskip("advisor.export.model")

TOLERANCE = 1e-6


def _mixed_frame(n: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "lognormal": rng.lognormal(0.0, 2.0, n),
            "cauchy": rng.standard_cauchy(n),
            "year": rng.normal(2000.0, 3.0, n),
            "pixels": rng.integers(0, 256, n).astype(float),
            "positive": rng.exponential(3.0, n) + 0.1,
            "signed": rng.normal(0.0, 1.0, n) ** 3,
        }
    )
    frame.loc[::7, "lognormal"] = np.nan
    frame.loc[::11, "year"] = np.inf
    frame.loc[::13, "signed"] = -np.inf
    return frame


def _relative_error(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.max(np.abs(got - want) / (1.0 + np.abs(want))))


EXPORTABLE = [key for key, spec in CATALOG.items() if spec.keras_export]
NUMERIC_KEYS = [k for k in EXPORTABLE if k not in ("drop", "onehot")]


@pytest.mark.parametrize("key", NUMERIC_KEYS)
def test_every_exportable_scaler_matches_transform(key):
    frame = _mixed_frame()
    columns = list(frame.columns)
    if key == "box_cox":
        columns = ["lognormal", "positive"]  # Box-Cox applies to positive columns only
    if key == "divide255":
        columns = ["pixels"]
    plan = InputPlan("t", tuple((c, key) for c in columns))
    scaler = AutoScaler(plan=plan).fit(frame)
    model = export.to_keras(scaler.transformer_)
    new = _mixed_frame(seed=1)  # unseen rows, incl. values outside the fitted range
    new["cauchy"] *= 10
    got = np.asarray(model(keras_inputs(scaler.transformer_, new)))
    want = scaler.transform(new)
    assert got.shape == want.shape
    assert _relative_error(got, want) <= TOLERANCE


def test_categoricals_unknown_infrequent_and_missing_match_transform():
    rng = np.random.default_rng(0)
    n = 800
    many = np.array([f"c{i}" for i in range(60)])  # more than the encoder keeps: infrequent
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "colour": rng.choice(["red", "green", "blue"], n),
            "code": many[np.minimum(rng.geometric(0.08, n), 59)],
        }
    )
    frame.loc[::9, "colour"] = None
    plan = InputPlan("t", (("x", "standard"),), categorical=("colour", "code"))
    scaler = AutoScaler(plan=plan).fit(frame)
    model = export.to_keras(scaler.transformer_)
    new = frame.copy()
    new.loc[::5, "colour"] = "purple"  # unseen: all zeros (no infrequent column)
    new.loc[::6, "code"] = "never-seen"  # unseen: the infrequent column
    got = np.asarray(model(keras_inputs(scaler.transformer_, new)))
    want = scaler.transform(new)
    assert got.shape == want.shape
    assert _relative_error(got, want) <= TOLERANCE


def test_every_numeric_scaler_of_the_catalog_exports():
    numeric = {k for k in CATALOG if k not in ("drop", "onehot", "date_features", "string_encoder")}
    assert numeric <= set(NUMERIC_KEYS) and "quantile_normal" in NUMERIC_KEYS


def test_a_string_encoded_plan_fails_naming_the_column():
    frame = _mixed_frame().assign(city=[f"town {i % 40}" for i in range(600)])
    plan = InputPlan("t", (("year", "standard"),), text_encoded=("city",))
    scaler = AutoScaler(plan=plan).fit(frame)
    with pytest.raises(export.ExportError, match=r"'city'.*string_encoder"):
        export.to_keras(scaler.transformer_)


JAX_SCRIPT = """
import json
import numpy as np
import pandas as pd
import keras
from advisor.export.inputs import keras_inputs
from advisor.export.model import to_keras
from advisor.plan.catalog import CATALOG
from advisor.plan.plans import InputPlan
from advisor.rules.autoscaler import AutoScaler

rng = np.random.default_rng(0)
def frame(n):
    f = pd.DataFrame({"a": rng.uniform(0.5, 250.0, n), "b": np.minimum(rng.exponential(20.0, n)
                      + 0.1, 250.0), "c": rng.integers(1, 255, n).astype(float)})
    f.loc[::7, "a"] = np.nan
    f.loc[::11, "b"] = np.inf
    return f
train, new = frame(500), frame(200)
errors = {}
for key, spec in CATALOG.items():
    if not spec.keras_export or key in ("drop", "onehot"):
        continue
    scaler = AutoScaler(plan=InputPlan("t", tuple((c, key) for c in train.columns))).fit(train)
    got = np.asarray(to_keras(scaler.transformer_)(keras_inputs(scaler.transformer_, new)))
    want = scaler.transform(new)
    errors[key] = float(np.max(np.abs(got - want) / (1.0 + np.abs(want))))
print(json.dumps([keras.backend.backend(), errors]))
"""


@pytest.mark.slow
def test_the_numeric_layers_match_transform_on_the_jax_backend_too():
    """float64 with JAX_ENABLE_X64=1: the same 1e-6 as TensorFlow. Without it JAX computes
    in float32 (docs/recipes.md says so): 1e-5, the quantile map's tails about 1e-2."""
    pytest.importorskip("jax")
    import json
    import os
    import subprocess
    import sys

    for x64 in ("1", "0"):
        env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_ENABLE_X64": x64}
        done = subprocess.run(
            [sys.executable, "-c", JAX_SCRIPT], capture_output=True, text=True, env=env, timeout=600
        )
        assert done.returncode == 0, done.stderr[-2000:]
        backend, errors = json.loads(done.stdout.strip().splitlines()[-1])
        assert backend == "jax" and set(errors) == set(NUMERIC_KEYS)
        if x64 == "1":
            assert max(errors.values()) <= TOLERANCE, errors
        else:
            assert max(v for k, v in errors.items() if k != "quantile_normal") <= 1e-5, errors
            assert errors["quantile_normal"] <= 0.05, errors


SERVE_SCRIPT = """
import json, sys
sys.modules["advisor"] = None  # the advisor cannot be imported here
import numpy as np
import tensorflow as tf
served = tf.saved_model.load(sys.argv[1])
request = json.load(open(sys.argv[2]))
inputs = {
    k: tf.constant(np.asarray(v, dtype=object if isinstance(v[0][0], str) else np.float64))
    for k, v in request.items()
}
print(json.dumps(np.asarray(served.serve(inputs)).tolist()))
"""


def _serve_in_fresh_process(tmp_path, advice, model, features):
    import json
    import subprocess
    import sys

    path = tmp_path / "served"
    advice.export_serving(path, model)
    request = {
        k: (np.asarray(v).astype(str) if np.asarray(v).dtype.kind in "OSU" else np.asarray(v))
        for k, v in advice.keras_inputs(features).items()
    }
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps({k: v.tolist() for k, v in request.items()}))
    done = subprocess.run(
        [sys.executable, "-c", SERVE_SCRIPT, str(path), str(request_file)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return np.asarray(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.slow
def test_a_saved_model_serves_named_columns_without_the_advisor(penguins, tmp_path):
    advice = advise(penguins, target="species", seed=0, max_trials=1)
    features = penguins.drop(columns="species").iloc[:40]
    model = advice.build_model()
    probabilities = _serve_in_fresh_process(tmp_path, advice, model, features)
    expected = np.asarray(model(advice.transform(features)))
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_a_regression_saved_model_predicts_in_target_units(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=300), "z": rng.lognormal(size=300)})
    frame["price"] = np.exp(1.0 + 0.5 * frame["x"]) * 1000.0
    advice = advise(frame, target="price", seed=0, max_trials=1)
    features = frame.drop(columns="price").iloc[:50]
    model = advice.build_model()
    served = _serve_in_fresh_process(tmp_path, advice, model, features)
    expected = advice.decode_predictions(np.asarray(model(advice.transform(features))))
    np.testing.assert_allclose(served.reshape(-1), expected, rtol=1e-5)


@pytest.mark.slow
def test_a_log_target_advice_serves_predictions_in_target_units(tmp_path):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.normal(size=300), "z": rng.normal(size=300)})
    frame["price"] = np.exp(2.0 + 1.2 * frame["x"] + 0.2 * rng.normal(size=300))
    # Without the z-score rule the log target is the default the search keeps.
    advice = advise(frame, target="price", seed=0, max_trials=1, disable_rules=["NRM200"])
    assert advice.target_transformer.method == "log1p_standard"
    features = frame.drop(columns="price").iloc[:50]
    model = advice.build_model()
    served = _serve_in_fresh_process(tmp_path, advice, model, features)
    expected = advice.decode_predictions(np.asarray(model(advice.transform(features))))
    np.testing.assert_allclose(served.reshape(-1), expected, rtol=1e-5)
    # to_keras's model predicts the transformed target (what it trains on);
    # decode_predictions maps it back through the same log.
    keras_model = advice.to_keras(model)
    got = advice.decode_predictions(np.asarray(keras_model(advice.keras_inputs(features))))
    np.testing.assert_allclose(got, expected, rtol=1e-4)


def test_exportable_only_advice_always_exports_and_says_why_it_left_choices_out():
    days = pd.date_range("2021-01-01", periods=200, freq="D").strftime("%Y-%m-%d")
    frame = pd.DataFrame(
        {"day": days, "city": [f"town {i % 40}" for i in range(200)], "x": np.arange(200) % 9}
    )
    with pytest.raises(export.ExportError, match=r"'day'.*--exportable"):
        advise(frame).to_keras()
    advice = advise(frame, exportable_only=True)
    assert advice.plan.dates == () and "day" in advice.plan.dropped
    assert advice.plan.categorical == ("city",)
    model = advice.to_keras()
    got = np.asarray(model(advice.keras_inputs(frame)))
    assert _relative_error(got, advice.transform(frame)) <= TOLERANCE
    day = next(f for f in advice.proposals["features"] if f["subject"] == "day")
    assert any("no Keras export (--exportable)" in r["reason"] for r in day["rejected"])
    from advisor.errors import RuleError

    with pytest.raises(RuleError, match="--exportable"):
        advise(frame, exportable_only=True, overrides={"city": "string_encoder"})
