"""The fitted preprocessing as Keras layers (`Advice.to_keras`).

A fitted `PlanTransformer` becomes a Keras model that reproduces its ``transform``: each
numeric column through its scaler (computed in float64), missing and non-finite values
filled with the fitted median, the 0/1 missing indicators, and the one-hot encoding of
categorical columns (string inputs, TensorFlow backend). The layers keep every fitted
number in their config, so a model saved with them (``model.save("m.keras")``) is served
with its preprocessing inside; importing this module registers them for
``keras.models.load_model``.

Every numeric scaler of the catalog exports, the quantile transform included (the fitted
quantiles as a piecewise-linear map, then the normal quantile function, in float64). Date
features and skrub's string encoder do not; a plan using them raises `ExportError` naming
the columns.

Importing this module imports Keras (and TensorFlow).
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from advisor.backend import import_keras
from advisor.keras_inputs import input_names, keras_inputs
from advisor.keras_ops import apply_op
from advisor.plan.catalog import CATALOG
from advisor.plan.pipeline import PlanTransformer

__all__ = ["ExportError", "custom_objects", "export_serving", "input_names", "keras_inputs",
           "load_model", "to_keras"]  # fmt: skip

keras = import_keras()
ops = keras.ops
_Layer: Any = keras.layers.Layer

_UNKNOWN = "\x00advisor-unknown-category"


class ExportError(ValueError):
    """The fitted preprocessing has a part with no Keras equivalent."""


@keras.saving.register_keras_serializable(package="advisor")
class NumericPreprocessing(_Layer):
    """Scale numeric columns group by group, fill missing values, add indicators.

    ``groups``: a list of ``{"indices": [...], "ops": [...]}``; each op is a dict with an
    ``op`` name (affine, signed_log1p, smooth_clip, clip, yeo_johnson, box_cox) and its
    per-column parameters. Output: the scaled columns in input order, then the indicators.
    """

    def __init__(
        self,
        groups: list[dict[str, Any]],
        fill_values: list[float],
        indicators: list[int],
        **kwargs: Any,
    ) -> None:
        # float64 end to end: a float32 layer would round its inputs (a year of 2000 with
        # a std of 3 would lose the 1e-5 the export promises).
        kwargs.setdefault("dtype", "float64")
        super().__init__(**kwargs)
        self.groups = groups
        self.fill_values = [float(v) for v in fill_values]
        self.indicators = [int(i) for i in indicators]
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
        if self.indicators:
            flags = ops.take(ops.cast(bad, "float64"), np.asarray(self.indicators), axis=1)
            out = ops.concatenate([out, flags], axis=1)
        return ops.cast(out, "float32")

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        rows = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
        return (rows, len(self.fill_values) + len(self.indicators))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "groups": self.groups,
            "fill_values": self.fill_values,
            "indicators": self.indicators,
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


# ---------------------------------------------------------------- fitted -> ops


def _ops_for(key: str, scaler: Any, width: int) -> list[dict[str, Any]]:
    """The ops reproducing one fitted catalog scaler on its ``width`` columns (the
    catalog entry's `keras_ops`)."""
    spec = CATALOG.get(key)
    if spec is None or spec.keras_ops is None:
        label = spec.label if spec is not None else key
        raise ExportError(f"scaler {key!r} ({label}) has no Keras export")
    return spec.keras_ops(scaler, width)


def numeric_layer(transformer: PlanTransformer) -> NumericPreprocessing:
    """The numeric half of a fitted `PlanTransformer` as one layer."""
    plan = transformer.plan
    unexportable = [(column, key) for column, key in plan.scalers if not CATALOG[key].keras_export]
    unexportable += [(column, "date_features") for column in plan.dates]
    unexportable += [(column, "string_encoder") for column in plan.text_encoded]
    if unexportable:
        column, key = unexportable[0]
        more = (
            f" (and {', '.join(repr(c) for c, _ in unexportable[1:4])}"
            f"{', ...' if len(unexportable) > 4 else ''})"
            if len(unexportable) > 1
            else ""
        )
        raise ExportError(
            f"column {column!r} uses {key!r} ({CATALOG[key].label}){more}, which has no Keras "
            "export; rerun advise with --exportable (API: exportable_only=True) for advice "
            "that exports, or override the column"
        )
    groups = []
    for key, indices, scaler in transformer.scalers_:
        groups.append({"indices": list(indices), "ops": _ops_for(key, scaler, len(indices))})
    indicators = [plan.numeric.index(c) for c in transformer.indicator_columns_]
    return NumericPreprocessing(
        groups=groups,
        fill_values=[float(v) for v in np.ravel(transformer.fill_values_)],
        indicators=indicators,
        name="advised_numeric",
    )


def category_layer(transformer: PlanTransformer) -> CategoryEncoding:
    """The one-hot half of a fitted `PlanTransformer` as one layer."""
    encoder = transformer.encoder_
    assert encoder is not None
    vocabularies: list[list[str]] = []
    tables: list[list[list[float]]] = []
    start = 0
    firsts = [str(c[0]) for c in encoder.categories_]
    for j, categories in enumerate(encoder.categories_):
        infrequent = encoder.infrequent_categories_[j]
        width = len(categories) - (len(infrequent) - 1 if infrequent is not None else 0)
        vocab = [str(c) for c in categories]
        probe = np.array([firsts] * (len(vocab) + 1), dtype=object)
        probe[:, j] = [_UNKNOWN, *vocab]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "unknown categories ... encoded as all zeros"
            coded = np.asarray(encoder.transform(probe), dtype=float)
        tables.append(coded[:, start : start + width].tolist())
        vocabularies.append(vocab)
        start += width
    return CategoryEncoding(vocabularies=vocabularies, tables=tables, name="advised_onehot")


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
    layers = (NumericPreprocessing, CategoryEncoding, TargetUnits)
    return {keras.saving.get_registered_name(layer): layer for layer in layers}


def to_keras(transformer: PlanTransformer, model: Any = None, target: Any = None) -> Any:
    """A Keras model computing ``transformer.transform``; with ``model``, that model on
    top of it (one model from raw features to predictions); with a fitted regression
    ``target`` transformer too, predictions in the target's units.

    Inputs: a dict with one entry per input column (`input_names`), each a (rows, 1)
    array: float64 for numeric columns (NaN for missing), strings for categorical ones.
    `keras_inputs` builds it from a DataFrame.
    """
    plan = transformer.plan
    names = input_names(plan)
    numeric = [keras.Input(shape=(1,), dtype="float64", name=names[c]) for c in plan.numeric]
    text = [keras.Input(shape=(1,), dtype="string", name=names[c]) for c in plan.categorical]
    if text and keras.backend.backend() != "tensorflow":
        raise ExportError(
            "categorical columns export only with the TensorFlow backend (Keras' StringLookup "
            f"needs string tensors; this is {keras.backend.backend()})"
        )
    outputs = []
    if numeric:
        outputs.append(numeric_layer(transformer)(numeric))
    if text:
        outputs.append(category_layer(transformer)(text))
    features = outputs[0] if len(outputs) == 1 else keras.layers.Concatenate(axis=1)(outputs)
    columns = (*plan.numeric, *plan.categorical)
    inputs = {names[c]: i for c, i in zip(columns, numeric + text, strict=True)}
    if model is None:
        return keras.Model(inputs=inputs, outputs=features, name="advised_preprocessing")
    output = model(features)
    if target is not None:
        log = target.method == "log1p_standard"
        output = TargetUnits(target.mean_, target.scale_, log, name="target_units")(output)
    full = keras.Model(inputs=inputs, outputs=output, name=f"advised_{model.name}")
    config = model.get_compile_config() if getattr(model, "compiled", False) else None
    if config and target is None:
        full.compile_from_config(config)  # same optimizer, loss and metrics as ``model``
        # Built now, the optimizers save the variables a reload builds: no "skipping
        # variable loading" warning when the .keras file is loaded.
        for compiled in (full, model):
            if not compiled.optimizer.built:
                compiled.optimizer.build(compiled.trainable_variables)
    return full


def export_serving(
    transformer: PlanTransformer, model: Any, path: str | os.PathLike[str], target: Any = None
) -> None:
    """A TensorFlow SavedModel of the preprocessing + ``model`` (+ the target's units):
    its ``serve`` signature takes the named raw columns and returns the model's outputs.
    It loads with ``tf.saved_model.load`` alone: no advisor, no Keras classes needed."""
    if keras.backend.backend() != "tensorflow":
        raise ExportError(
            f"a SavedModel needs the TensorFlow backend (this is {keras.backend.backend()})"
        )
    full = to_keras(transformer, model, target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full.export(str(path), format="tf_saved_model", verbose=False)


def load_model(path: str | os.PathLike[str]) -> Any:
    """``keras.saving.load_model`` with the advisor's layers (`custom_objects`)."""
    return keras.saving.load_model(path, custom_objects=custom_objects())
