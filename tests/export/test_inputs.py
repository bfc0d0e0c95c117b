"""`advisor.export.inputs`: the exported model takes a dict of named ``(rows, 1)`` columns,
their names made valid Keras input names; only text columns need TensorFlow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from advisor import advise
from advisor.export.inputs import input_names

NUMERIC_ONLY = """
import sys
import numpy as np, pandas as pd
from advisor.export.inputs import keras_inputs
from advisor.plan.pipeline import PlanTransformer
from advisor.plan.plans import InputPlan
frame = pd.DataFrame({"x": np.arange(20.0), "y": np.arange(20.0) ** 2})
fitted = PlanTransformer(InputPlan("t", (("x", "standard"), ("y", "robust")))).fit(frame)
inputs = keras_inputs(fitted, frame)
assert sorted(inputs) == ["x", "y"] and inputs["x"].shape == (20, 1), inputs
print(",".join(m for m in ("tensorflow", "keras") if m in sys.modules))
"""


def test_numeric_inputs_are_built_without_importing_tensorflow():
    done = subprocess.run(
        [sys.executable, "-c", NUMERIC_ONLY],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "", f"imported {done.stdout.strip()}"


def test_the_model_takes_a_dict_of_named_columns(penguins):
    pytest.importorskip("tensorflow")  # the text columns are string tensors
    advice = advise(penguins.drop(columns="species"), seed=0)
    inputs = advice.keras_inputs(penguins)
    assert set(inputs) == {
        "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "island", "sex"
    }  # fmt: skip
    assert all(tuple(v.shape) == (len(penguins), 1) for v in inputs.values())
    odd = pd.DataFrame({"price ($)": [1.0, 2.0, 3.0] * 10, "2nd": [0.5, 1.5, 2.5] * 10})
    names = input_names(advise(odd).plan)
    assert names == {"price ($)": "price____", "2nd": "c_2nd"}
