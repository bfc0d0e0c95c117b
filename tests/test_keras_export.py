"""`advisor.keras_export`, deprecated: importing it warns and gives the same objects as
`advisor.export` (the README and docs/recipes.md used it)."""

from __future__ import annotations

import importlib
import sys

import pytest


def test_the_old_module_warns_and_re_exports_the_new_one():
    pytest.importorskip("keras")
    from advisor.export import inputs, layers, model

    sys.modules.pop("advisor.keras_export", None)
    with pytest.warns(DeprecationWarning, match=r"advisor\.keras_export is deprecated"):
        old = importlib.import_module("advisor.keras_export")
    assert old.custom_objects is layers.custom_objects
    assert old.load_model is layers.load_model
    assert old.ExportError is model.ExportError
    assert old.to_keras is model.to_keras and old.export_serving is model.export_serving
    assert old.keras_inputs is inputs.keras_inputs and old.input_names is inputs.input_names
    assert set(old.custom_objects()) == set(layers.custom_objects())
    assert all(hasattr(old, name) for name in old.__all__)
