"""Export parity on real tables (benchmarks/export_parity.py): the `.keras` file and the
SavedModel (loaded where the advisor cannot be imported) give the in-memory pipeline and
model's outputs within 1e-5 x (1 + |b|); the rest of the datasets run in the benchmark."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

export_parity = pytest.importorskip("export_parity")
needs_shared = pytest.mark.skipif(
    not export_parity.DATASETS.exists(), reason="the shared datasets are not beside the repository"
)


@needs_shared
@pytest.mark.slow
@pytest.mark.parametrize("name", ["penguins", "concrete", "wine"])  # penguins has text columns
def test_exported_models_match_in_memory_on_tensorflow(name, tmp_path):
    from advisor import advise

    (_, frame, target), = export_parity.datasets([name])  # fmt: skip
    advice = advise(frame, target=target, seed=0, max_trials=1, work_dir=tmp_path / "w")
    features = export_parity.stressed(frame.drop(columns=target))
    keras_error, served_error = export_parity.parity(advice, features, tmp_path)
    assert keras_error <= export_parity.TARGET and served_error <= export_parity.TARGET


JAX = """
import json, sys
sys.path.insert(0, sys.argv[1])
import export_parity, keras, numpy as np
from advisor import advise
from advisor.export.layers import custom_objects
(_, frame, target), = export_parity.datasets(["concrete"])
advice = advise(frame, target=target, seed=0, max_trials=1, work_dir=sys.argv[2])
features = export_parity.stressed(frame.drop(columns=target))
model = advice.build_model(seed=0)
want = np.asarray(model(advice.transform(features)), dtype=np.float64)
advice.to_keras(model).save(sys.argv[2] + "/m.keras")
loaded = keras.saving.load_model(sys.argv[2] + "/m.keras", custom_objects=custom_objects())
got = np.asarray(loaded(advice.keras_inputs(features)))
print(json.dumps([keras.backend.backend(), export_parity.relative_error(got, want)]))
"""


@needs_shared
@pytest.mark.slow
def test_the_numeric_export_matches_on_jax(tmp_path):
    pytest.importorskip("jax")
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_ENABLE_X64": "1"}
    done = subprocess.run(
        [sys.executable, "-c", JAX, str(ROOT / "benchmarks"), str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    backend, error = json.loads(done.stdout.strip().splitlines()[-1])
    assert backend == "jax" and error <= export_parity.TARGET


def test_the_generated_table_has_the_shapes_it_promises():
    frame = export_parity.generated_table(rows=5000)
    assert isinstance(frame, pd.DataFrame) and len(frame) == 5000
    assert frame["cauchy"].abs().max() > 100  # heavy tails
    assert (frame["zero_inflated"] == 0).mean() > 0.5
    assert frame["lognormal"].skew() > 2
