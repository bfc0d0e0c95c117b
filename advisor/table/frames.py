"""In-memory inputs: arrays, ``(X, y)`` pairs and target values become named DataFrames.

In: what `advise()` and `profile_dataset()` accept besides a path (a DataFrame, a 2-D
array, an ``(X, y)`` pair, target values). Out: a DataFrame with named columns and the
target column's name, or one `InputError` line saying what shape was expected.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from advisor.errors import InputError


def features_frame(X: Any) -> pd.DataFrame:
    """A DataFrame as it is; a 2-D array as columns x0, x1, ..."""
    if isinstance(X, pd.DataFrame):
        return X
    values = np.asarray(X)
    if values.ndim != 2:
        raise InputError(f"expected a 2-D array of features, got {values.ndim} dimensions")
    return pd.DataFrame(values, columns=[f"x{i}" for i in range(values.shape[1])])


def with_target_column(data: Any, target: Any) -> tuple[Any, str | None]:
    """``(X, y)`` pairs, arrays and target values become one DataFrame with a named
    target column; paths and DataFrames with a target name pass through unchanged."""
    if isinstance(data, tuple):
        if len(data) != 2:
            raise InputError(f"expected data as an (X, y) pair, got a tuple of {len(data)}")
        if target is not None:
            raise InputError("give the target either inside (X, y) or as target=, not both")
        data, target = data
    if isinstance(data, np.ndarray) or (
        not isinstance(data, (str, os.PathLike, pd.DataFrame)) and hasattr(data, "__array__")
    ):
        data = features_frame(data)
    if target is None or isinstance(target, str):
        return data, target
    if not isinstance(data, pd.DataFrame):
        raise InputError("target values (not a column name) need data as a DataFrame or array")
    values = target.to_numpy() if isinstance(target, pd.Series) else np.asarray(target)
    if values.ndim != 1 or len(values) != len(data):
        raise InputError(
            f"target must be one value per row: {len(data)} rows of features, "
            f"target of shape {values.shape}"
        )
    name = str(target.name) if isinstance(target, pd.Series) and target.name is not None else "y"
    while name in data.columns:
        name = f"{name}_"
    frame = data.copy(deep=False)
    frame[name] = values
    return frame, name
