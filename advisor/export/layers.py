"""The advisor's Keras layers: the fitted preprocessing's numbers in a layer's config.

`NumericPreprocessing` scales the numeric columns (the catalog's op descriptions, applied
by `advisor.export.ops`), fills missing values and adds the 0/1 indicators;
`CategoryEncoding` one-hot encodes string columns as the fitted `OneHotEncoder` does;
`TargetUnits` maps a regression model's output back to the target's units. Each keeps
every fitted number in its config, so a model saved with them (``model.save("m.keras")``)
is served with its preprocessing inside; importing this module registers them for
``keras.saving.load_model`` (`custom_objects`, `load_model`).

Importing this module imports Keras (and TensorFlow).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from advisor.backend import import_keras
from advisor.export.ops import apply_op, piecewise_linear

keras = import_keras()
ops = keras.ops
_Layer: Any = keras.layers.Layer


@keras.saving.register_keras_serializable(package="advisor")
class NumericPreprocessing(_Layer):
    """Scale numeric columns group by group, fill missing values, add indicators.

    ``groups``: a list of ``{"indices": [...], "ops": [...]}``; each op is a dict with an
    ``op`` name (affine, signed_log1p, smooth_clip, clip, yeo_johnson, box_cox,
    quantile_normal: `advisor.export.ops`) and its per-column parameters. Output: the
    scaled columns in input order, then the indicators. ``edges``: per column, the bin
    edges of its piecewise-linear encoding (empty: not encoded), which then takes the
    column's place.
    """

    def __init__(
        self,
        groups: list[dict[str, Any]],
        fill_values: list[float],
        indicators: list[int],
        edges: list[list[float]] | None = None,
        **kwargs: Any,
    ) -> None:
        # float64 end to end: a float32 layer would round its inputs (a year of 2000 with
        # a std of 3 would lose the 1e-5 the export promises).
        kwargs.setdefault("dtype", "float64")
        super().__init__(**kwargs)
        self.groups = groups
        self.fill_values = [float(v) for v in fill_values]
        self.indicators = [int(i) for i in indicators]
        self.edges = [[float(e) for e in column] for column in edges or []]
        order = [i for group in groups for i in group["indices"]]
        self._inverse = [int(i) for i in np.argsort(order)] if order else []

    def call(self, inputs: Any) -> Any:
        if isinstance(inputs, (list, tuple)):  # one (batch, 1) input per named column
            x = ops.concatenate([ops.cast(t, "float64") for t in inputs], axis=1)
        else:
            x = ops.cast(inputs, "float64")
        bad = ops.logical_not(ops.isfinite(x))
        clean = ops.where(bad, ops.zeros_like(x), x)
        parts = []
        for group in self.groups:
            block = ops.take(clean, np.asarray(group["indices"], dtype="int32"), axis=1)
            for op in group["ops"]:
                block = apply_op(op, block)
            parts.append(block)
        if not parts:
            return ops.zeros((ops.shape(x)[0], 0), dtype="float32")
        scaled = ops.take(
            ops.concatenate(parts, axis=1), np.asarray(self._inverse, dtype="int32"), axis=1
        )
        fill = ops.convert_to_tensor(np.asarray(self.fill_values, dtype="float64"))[None, :]
        invalid = ops.logical_or(bad, ops.logical_not(ops.isfinite(scaled)))
        out = ops.where(invalid, fill + ops.zeros_like(scaled), scaled)
        if any(self.edges):
            out = ops.concatenate(
                [
                    piecewise_linear(out[:, j : j + 1], edges) if edges else out[:, j : j + 1]
                    for j, edges in enumerate(self.edges)
                ],
                axis=1,
            )
        if self.indicators:
            flags = ops.take(ops.cast(bad, "float64"), np.asarray(self.indicators), axis=1)
            out = ops.concatenate([out, flags], axis=1)
        return ops.cast(out, "float32")

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        rows = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
        encoded = sum(max(len(e) - 1, 1) for e in self.edges) if any(self.edges) else 0
        numbers = encoded or len(self.fill_values)
        return (rows, numbers + len(self.indicators))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "groups": self.groups,
            "fill_values": self.fill_values,
            "indicators": self.indicators,
            "edges": self.edges,
        }


@keras.saving.register_keras_serializable(package="advisor")
class CategoryEncoding(_Layer):
    """One-hot encode string columns exactly as the fitted `OneHotEncoder`: each column's
    vocabulary maps to its output columns through a 0/1 table whose first row is for
    unknown strings (the "infrequent" column when there is one, else all zeros)."""

    def __init__(
        self, vocabularies: list[list[str]], tables: list[list[list[float]]], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.vocabularies = vocabularies
        self.tables = tables
        self._lookups = [
            keras.layers.StringLookup(vocabulary=list(v), num_oov_indices=1, output_mode="int")
            for v in vocabularies
        ]

    def build(self, input_shape: Any) -> None:
        self.built = True  # the lookups are tables, not weights: nothing to build

    def call(self, inputs: Any) -> Any:
        parts = []
        for j, lookup in enumerate(self._lookups):
            column = inputs[j] if isinstance(inputs, (list, tuple)) else inputs[:, j : j + 1]
            codes = lookup(ops.reshape(column, (-1,)))
            table = ops.convert_to_tensor(np.asarray(self.tables[j], dtype="float32"))
            parts.append(ops.take(table, codes, axis=0))
        return ops.concatenate(parts, axis=1)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        rows = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
        return (rows, sum(len(t[0]) for t in self.tables))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "vocabularies": self.vocabularies, "tables": self.tables}


@keras.saving.register_keras_serializable(package="advisor")
class TargetUnits(_Layer):
    """A regression model's output mapped back to the target's units (the inverse of
    `TargetTransformer`: ``z * scale + mean``, then ``sign * expm1(|.|)`` after a log)."""

    def __init__(self, mean: float, scale: float, log: bool, **kwargs: Any) -> None:
        kwargs.setdefault("dtype", "float64")
        super().__init__(**kwargs)
        self.mean, self.scale, self.log = float(mean), float(scale), bool(log)

    def call(self, inputs: Any) -> Any:
        values = ops.cast(inputs, "float64") * self.scale + self.mean
        if self.log:
            values = ops.sign(values) * ops.expm1(ops.abs(values))
        return values

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "scale": self.scale, "log": self.log}


def custom_objects() -> dict[str, Any]:
    """The advisor's layers by their registered names, for
    ``keras.saving.load_model(path, custom_objects=custom_objects())``."""
    from advisor.network.embeddings import PeriodicEmbedding

    layers = (NumericPreprocessing, CategoryEncoding, TargetUnits, PeriodicEmbedding)
    return {keras.saving.get_registered_name(layer): layer for layer in layers}


def load_model(path: str | os.PathLike[str]) -> Any:
    """``keras.saving.load_model`` with the advisor's layers (`custom_objects`)."""
    return keras.saving.load_model(path, custom_objects=custom_objects())
