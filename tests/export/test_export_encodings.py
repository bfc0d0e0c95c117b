"""The numeric encodings exported: the piecewise-linear bins inside the preprocessing
layer, the periodic embedding inside the model, both on TensorFlow and on JAX within
issue 18's parity (1e-5 x (1 + |b|) for predictions), saved and reloaded, and never
dropped silently."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

export = pytest.importorskip("advisor.export.model")

from advisor.export.inputs import keras_inputs  # noqa: E402
from advisor.network.nets import NetSpec, build_model  # noqa: E402
from advisor.plan.plans import InputPlan  # noqa: E402
from advisor.rules.autoscaler import AutoScaler  # noqa: E402

PARITY = 1e-5


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.lognormal(0.0, 1.5, n),
            "b": rng.standard_t(2.0, n),
            "c": rng.integers(0, 5, n).astype(float),
        }
    )
    frame.loc[::7, "a"] = np.nan
    frame.loc[::11, "b"] = np.inf
    return frame


PLAN = InputPlan("rules", (("a", "robust_clip"), ("b", "standard"), ("c", "minmax")))
BINS = (("a", 16), ("b", 12), ("c", 4))


def _relative(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.max(np.abs(got - want) / (1.0 + np.abs(want))))


def test_the_binned_preprocessing_matches_transform_and_round_trips():
    train, new = _frame(500, 0), _frame(200, 1)
    new.loc[0, "b"] = 1e6  # beyond the training range: the last bin keeps growing
    scaler = AutoScaler(plan=PLAN, bins=BINS).fit(train)
    layer_model = export.to_keras(scaler.transformer_)
    got = np.asarray(layer_model(keras_inputs(scaler.transformer_, new)))
    want = scaler.transform(new)
    bins = sum(len(e) - 1 for e in scaler.transformer_.edges_)
    assert got.shape == want.shape == (200, bins + 2)  # the bins, then two indicators
    assert _relative(got, want) <= 1e-6


def _periodic_model(n_inputs: int, embedded: int) -> object:
    spec = NetSpec("regression", n_inputs, 1, 16, 2, 1e-3, encoding="periodic",
                   embedded=embedded)  # fmt: skip
    model = build_model(spec, seed=2)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, n_inputs)).astype("float32")
    model.fit(x, x[:, :1] ** 2, epochs=2, batch_size=16, verbose=0)  # learned, not initial
    return model


def test_a_periodic_model_exports_whole_saves_and_reloads(tmp_path):
    from advisor.export.layers import load_model

    train, new = _frame(500, 0), _frame(200, 1)
    scaler = AutoScaler(plan=PLAN, bins=BINS).fit(train)  # both encodings at once
    width = scaler.transform(train).shape[1]
    model = _periodic_model(width, width - 2)  # every bin, not the indicators
    full = export.to_keras(scaler.transformer_, model, encoding="periodic")
    got = np.asarray(full.predict(keras_inputs(scaler.transformer_, new), verbose=0))
    want = np.asarray(model.predict(scaler.transform(new).astype("float32"), verbose=0))
    assert _relative(got, want) <= PARITY
    path = tmp_path / "full.keras"
    full.save(path)
    again = load_model(path)
    reloaded = np.asarray(again.predict(keras_inputs(scaler.transformer_, new), verbose=0))
    np.testing.assert_array_equal(reloaded, got)


def test_a_chosen_periodic_encoding_is_never_dropped_silently(penguins):
    from advisor import advise

    advice = advise(penguins, target="species", max_trials=2, use_cache=False)
    periodic = dataclasses.replace(
        advice,
        encoding="periodic",
        net=dataclasses.replace(advice.net, encoding="periodic", embedded=len(advice.plan.numeric)),
    )
    mine = build_model(dataclasses.replace(periodic.net, encoding="none", embedded=0))
    with pytest.raises(export.ExportError, match="encoding_layer"):
        periodic.to_keras(mine)
    built = periodic.build_model()
    assert built.layers[1].name == "periodic_embedding"
    layer = periodic.encoding_layer()
    assert layer.embedded == len(advice.plan.numeric)
    plain = dataclasses.replace(
        advice, encoding="none", net=dataclasses.replace(advice.net, encoding="none", embedded=0)
    )
    assert plain.encoding_layer() is None  # no encoding: nothing to put first
    full = periodic.to_keras(built)
    features = penguins.drop(columns="species")
    got = np.asarray(full.predict(periodic.keras_inputs(features), verbose=0))
    want = np.asarray(built.predict(periodic.transform(features).astype("float32"), verbose=0))
    assert _relative(got, want) <= PARITY
    data = json.loads(periodic.to_json())
    assert data["advice"]["encoding"] == {
        "kind": "periodic",
        "columns": {c: 1 for c in advice.plan.numeric},
    }


JAX_SCRIPT = """
import json
import numpy as np
import keras
from advisor.export.inputs import keras_inputs
from advisor.export.model import to_keras
from advisor.network.nets import NetSpec, build_model
from test_export_encodings import BINS, PLAN, _frame
from advisor.rules.autoscaler import AutoScaler

train, new = _frame(500, 0), _frame(200, 1)
scaler = AutoScaler(plan=PLAN, bins=BINS).fit(train)
width = scaler.transform(train).shape[1]
model = build_model(NetSpec("regression", width, 1, 16, 2, 1e-3, encoding="periodic",
                            embedded=width - 2), seed=2)
pre = np.asarray(to_keras(scaler.transformer_)(keras_inputs(scaler.transformer_, new)))
want_pre = scaler.transform(new)
full = to_keras(scaler.transformer_, model, encoding="periodic")
got = np.asarray(full.predict(keras_inputs(scaler.transformer_, new), verbose=0))
want = np.asarray(model.predict(want_pre.astype("float32"), verbose=0))
rel = lambda g, w: float(np.max(np.abs(g - w) / (1.0 + np.abs(w))))
print(json.dumps([keras.backend.backend(), rel(pre, want_pre), rel(got, want)]))
"""


@pytest.mark.slow
def test_both_encodings_export_on_the_jax_backend_too():
    pytest.importorskip("jax")
    env = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "JAX_ENABLE_X64": "1",
        "PYTHONPATH": os.pathsep.join([os.path.dirname(__file__), *sys.path]),
    }
    done = subprocess.run(
        [sys.executable, "-c", JAX_SCRIPT], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    backend, preprocessing, predictions = json.loads(done.stdout.strip().splitlines()[-1])
    assert backend == "jax"
    assert preprocessing <= 1e-6 and predictions <= PARITY
