"""Deprecated: the Keras export moved to `advisor.export`; this module only re-exports it.

``advisor.keras_export.custom_objects()``, ``load_model``, ``ExportError``, ``to_keras``,
``export_serving``, ``input_names`` and ``keras_inputs`` keep working, with a
`DeprecationWarning` on import; use `advisor.export.layers` (the layers, `custom_objects`,
`load_model`), `advisor.export.model` (`to_keras`, `export_serving`, `ExportError`) and
`advisor.export.inputs` (`input_names`, `keras_inputs`). The layers' registered names
(``advisor>NumericPreprocessing``, ...) did not change: a ``.keras`` file saved before the
move loads with either.
"""

from __future__ import annotations

import warnings

from advisor.export.inputs import input_names, keras_inputs
from advisor.export.layers import (
    CategoryEncoding,
    NumericPreprocessing,
    TargetUnits,
    custom_objects,
    keras,
    load_model,
)
from advisor.export.model import ExportError, export_serving, to_keras

__all__ = ["CategoryEncoding", "ExportError", "NumericPreprocessing", "TargetUnits",
           "custom_objects", "export_serving", "input_names", "keras", "keras_inputs",
           "load_model", "to_keras"]  # fmt: skip

warnings.warn(
    "advisor.keras_export is deprecated: import from advisor.export.layers (custom_objects, "
    "load_model), advisor.export.model (to_keras, export_serving, ExportError) or "
    "advisor.export.inputs (input_names, keras_inputs)",
    DeprecationWarning,
    stacklevel=2,
)
