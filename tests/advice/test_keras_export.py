"""`Advice.to_keras()`: the fitted preprocessing as Keras layers reproduces
``pipeline.transform`` within 1e-6 x (1 + |value|), survives save/load, and refuses
clearly what it cannot export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advisor import advise
from advisor.plan.catalog import CATALOG
from advisor.plan.plans import InputPlan
from advisor.rules.autoscaler import AutoScaler

keras_export = pytest.importorskip("advisor.keras_export")

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
    model = keras_export.to_keras(scaler.transformer_)
    new = _mixed_frame(seed=1)  # unseen rows, incl. values outside the fitted range
    new["cauchy"] *= 10
    got = np.asarray(model(keras_export.keras_inputs(scaler.transformer_, new)))
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
    model = keras_export.to_keras(scaler.transformer_)
    new = frame.copy()
    new.loc[::5, "colour"] = "purple"  # unseen: all zeros (no infrequent column)
    new.loc[::6, "code"] = "never-seen"  # unseen: the infrequent column
    got = np.asarray(model(keras_export.keras_inputs(scaler.transformer_, new)))
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
    with pytest.raises(keras_export.ExportError, match=r"'city'.*string_encoder"):
        keras_export.to_keras(scaler.transformer_)


@pytest.mark.slow
def test_model_with_preprocessing_inside_saves_and_reloads(penguins, tmp_path):
    advice = advise(penguins, target="species", seed=0, max_trials=1)
    features = penguins.drop(columns="species")
    full = advice.to_keras(advice.build_model())
    inputs = advice.keras_inputs(features)
    full.fit(inputs, advice.encode_target(penguins["species"]), epochs=3, verbose=0)
    before = full.predict(inputs, verbose=0)
    path = tmp_path / "model.keras"
    full.save(path)
    reloaded = keras_export.load_model(str(path))
    after = reloaded.predict(inputs, verbose=0)
    np.testing.assert_allclose(after, before, rtol=1e-6, atol=1e-7)
    # The preprocessing half alone reproduces the pipeline.
    prep = advice.to_keras()
    got = np.asarray(prep(inputs))
    assert _relative_error(got, advice.transform(features)) <= TOLERANCE


JAX_SCRIPT = """
import json
import numpy as np
import pandas as pd
import keras
from advisor.keras_export import keras_inputs, to_keras
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
