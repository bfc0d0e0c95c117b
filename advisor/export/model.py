"""A fitted plan as a Keras model (`Advice.to_keras`), and as a TensorFlow SavedModel.

A fitted `PlanTransformer` becomes a Keras model that reproduces its ``transform``: each
numeric column through its scaler (computed in float64), missing and non-finite values
filled with the fitted median, the 0/1 missing indicators, and the one-hot encoding of
categorical columns (string inputs, TensorFlow backend), in the layers of
`advisor.export.layers`; with a network on top, one model from raw columns to
predictions.

Every numeric scaler of the catalog exports (its entry's `keras_ops`), the quantile
transform included (the fitted quantiles as a piecewise-linear map, then the normal
quantile function, in float64). Date features and skrub's string encoder do not; a plan
using them raises `ExportError` naming the columns.

Importing this module imports Keras (and TensorFlow).
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from advisor.backend import import_keras
from advisor.export.inputs import input_names
from advisor.export.layers import CategoryEncoding, NumericPreprocessing, TargetUnits
from advisor.plan.catalog import CATALOG
from advisor.plan.pipeline import PlanTransformer

keras = import_keras()

_UNKNOWN = "\x00advisor-unknown-category"


class ExportError(ValueError):
    """The fitted preprocessing has a part with no Keras equivalent."""


# ---------------------------------------------------------------- fitted -> layers


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
    encoded = transformer.column_edges()
    edges = [[float(e) for e in encoded[c]] if c in encoded else [] for c in plan.numeric]
    return NumericPreprocessing(
        groups=groups,
        fill_values=[float(v) for v in np.ravel(transformer.fill_values_)],
        indicators=indicators,
        edges=edges if encoded else None,
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


# ---------------------------------------------------------------- layers -> model


def to_keras(
    transformer: PlanTransformer, model: Any = None, target: Any = None, encoding: str = "none"
) -> Any:
    """A Keras model computing ``transformer.transform``; with ``model``, that model on
    top of it (one model from raw features to predictions); with a fitted regression
    ``target`` transformer too, predictions in the target's units. With the advice's
    ``encoding`` "periodic", ``model`` must embed its inputs (`ExportError` otherwise: a
    chosen encoding is never dropped silently).

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
    if encoding == "periodic" and not _embeds(model):
        raise ExportError(
            "the advice's numeric encoding is periodic embeddings, and this model has no "
            "PeriodicEmbedding layer: build it with advice.build_model(), or put "
            "advice.encoding_layer() first in your model"
        )
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


def _embeds(model: Any) -> bool:
    """Whether ``model`` (or a model inside it) has a periodic embedding layer."""
    from advisor.network.embeddings import PeriodicEmbedding

    for layer in getattr(model, "layers", ()):
        if isinstance(layer, PeriodicEmbedding) or (hasattr(layer, "layers") and _embeds(layer)):
            return True
    return False


def export_serving(
    transformer: PlanTransformer,
    model: Any,
    path: str | os.PathLike[str],
    target: Any = None,
    encoding: str = "none",
) -> None:
    """A TensorFlow SavedModel of the preprocessing + ``model`` (+ the target's units):
    its ``serve`` signature takes the named raw columns and returns the model's outputs.
    It loads with ``tf.saved_model.load`` alone: no advisor, no Keras classes needed."""
    if keras.backend.backend() != "tensorflow":
        raise ExportError(
            f"a SavedModel needs the TensorFlow backend (this is {keras.backend.backend()})"
        )
    full = to_keras(transformer, model, target, encoding)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full.export(str(path), format="tf_saved_model", verbose=False)
