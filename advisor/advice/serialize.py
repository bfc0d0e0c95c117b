"""Fitted transformers to and from plain JSON values, without pickle.

Only classes on an explicit allowlist can be rebuilt, and rebuilding only calls their
constructors with plain parameters and sets plain attributes (arrays, numbers, strings),
so loading a file someone else wrote never runs code from it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from advisor.errors import AdviceFileError
from advisor.plan.catalog import serialized_classes
from advisor.plan.foreign import TEXT_ENCODER_CLASSES, text_encoder_classes
from advisor.plan.pipeline import PlanTransformer
from advisor.plan.plans import InputPlan
from advisor.plan.target import TargetTransformer
from advisor.rules.autoscaler import AutoScaler

#: The classes an advice file may hold: those the catalog's scalers are made of, and the
#: containers around them. skrub's text encoder classes (`TEXT_ENCODER_CLASSES`) are
#: allowed too, and imported only when a file holds one (``import advisor`` stays free
#: of skrub).
ALLOWED: dict[str, type] = {
    cls.__name__: cls
    for cls in (*serialized_classes(), PlanTransformer, AutoScaler, TargetTransformer)
}


def allowed_class(name: str) -> type | None:
    """The allowlisted class of this name, or None."""
    if name in ALLOWED:
        return ALLOWED[name]
    if name not in TEXT_ENCODER_CLASSES:
        return None
    return text_encoder_classes()[name]


def dump(value: Any) -> Any:
    """A JSON-ready value: estimators become {"__estimator__": class, params, state}."""
    if isinstance(value, InputPlan):
        return {"__plan__": value.to_dict()}
    cls = allowed_class(type(value).__name__) if hasattr(value, "get_params") else None
    if cls is not None and isinstance(value, cls):
        params = value.get_params(deep=False)  # type: ignore[attr-defined]
        state = {k: v for k, v in vars(value).items() if k not in params}
        return {
            "__estimator__": type(value).__name__,
            "params": {k: dump(v) for k, v in sorted(params.items())},
            "state": {k: dump(v) for k, v in sorted(state.items())},
        }
    if isinstance(value, type) and issubclass(value, np.generic):
        return {"__dtype__": np.dtype(value).name}
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {
                "__ndarray__": [dump(v) for v in value.tolist()],
                "dtype": "object",
                "shape": list(value.shape),
            }
        return {
            "__ndarray__": [dump(v) for v in value.reshape(-1).tolist()],
            "dtype": value.dtype.str,
            "shape": list(value.shape),
        }
    if isinstance(value, np.generic):
        return dump(value.item())
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"__float__": repr(value)}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, tuple):
        return {"__tuple__": [dump(v) for v in value]}
    if isinstance(value, list):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("only string-keyed dicts can be serialized")
        return {"__dict__": {k: dump(v) for k, v in value.items()}}
    raise TypeError(f"cannot serialize a {type(value).__name__}")


def load(value: Any) -> Any:
    """Rebuild what `dump` wrote; unknown classes or tags raise AdviceFileError."""
    if isinstance(value, list):
        return [load(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__estimator__" in value:
        name = value["__estimator__"]
        cls = allowed_class(name) if isinstance(name, str) else None
        if cls is None:
            raise AdviceFileError(f"class {name!r} is not allowed in an advice file")
        params = {k: load(v) for k, v in value.get("params", {}).items()}
        obj = cls(**params)
        for key, item in value.get("state", {}).items():
            if not isinstance(key, str) or key.startswith("__"):
                raise AdviceFileError(f"attribute {key!r} is not allowed in an advice file")
            setattr(obj, key, load(item))
        return obj
    if "__plan__" in value:
        return InputPlan.from_dict(value["__plan__"])
    if "__ndarray__" in value:
        items = [load(v) for v in value["__ndarray__"]]
        if value["dtype"] == "object":
            out = np.empty(len(items), dtype=object)
            out[:] = items
            return (
                out.reshape(value["shape"])
                if len(value["shape"]) == 1
                else np.array(items, dtype=object)
            )
        return np.asarray(items, dtype=np.dtype(value["dtype"])).reshape(value["shape"])
    if "__dtype__" in value:
        return np.dtype(str(value["__dtype__"])).type
    if "__float__" in value:
        return float(value["__float__"])
    if "__tuple__" in value:
        return tuple(load(v) for v in value["__tuple__"])
    if "__dict__" in value:
        return {k: load(v) for k, v in value["__dict__"].items()}
    raise AdviceFileError(f"unknown value tag in advice file: {sorted(value)[:3]}")
