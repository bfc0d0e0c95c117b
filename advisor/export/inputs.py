"""What an exported model takes: one named ``(rows, 1)`` input per column.

In: a fitted `PlanTransformer` (its plan) and a DataFrame of feature columns. Out: each
column's Keras input name, and the dict of arrays the exported model is called with.
Imports TensorFlow only when there are text columns (Keras takes strings as tensors).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from advisor.plan.pipeline import PlanTransformer, categorical_block, numeric_block


def input_names(plan: Any) -> dict[str, str]:
    """Each input column's name as a Keras input (and serving signature) name: letters,
    digits and underscores, unique, not starting with a digit."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for column in (*plan.numeric, *plan.categorical):
        base = re.sub(r"[^0-9A-Za-z_]", "_", column) or "column"
        base = f"c_{base}" if base[0].isdigit() else base
        name, k = base, 2
        while name in used:
            name, k = f"{base}_{k}", k + 1
        used.add(name)
        names[column] = name
    return names


def keras_inputs(transformer: PlanTransformer, frame: pd.DataFrame) -> dict[str, Any]:
    """The inputs `to_keras`'s model takes, from a DataFrame of feature columns: one
    (rows, 1) array per input column, by its input name."""
    plan = transformer.plan
    names = input_names(plan)
    numeric = numeric_block(frame, plan.numeric)
    out: dict[str, Any] = {
        names[c]: numeric[:, [j]].astype(np.float64) for j, c in enumerate(plan.numeric)
    }
    if not plan.categorical:
        return out
    import tensorflow as tf  # string columns need the TensorFlow backend (checked in to_keras)

    strings = categorical_block(frame, plan.categorical).astype(str)
    for j, column in enumerate(plan.categorical):
        out[names[column]] = strings[:, [j]]
    # Keras takes strings only as tensors, and a call's inputs all tensors or none.
    return {name: tf.constant(values) for name, values in out.items()}
