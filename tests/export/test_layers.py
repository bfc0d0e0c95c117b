"""`advisor.export.layers`: a model with the advisor's layers inside saves to a ``.keras``
file and loads back (with `load_model`, or Keras' own loader given `custom_objects`)
giving the same outputs, without a warning; the layers' registered names stay fixed."""

from __future__ import annotations

import numpy as np
import pytest

from advisor import advise

layers = pytest.importorskip("advisor.export.layers")

TOLERANCE = 1e-6


def _relative_error(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.max(np.abs(got - want) / (1.0 + np.abs(want))))


def test_the_registered_names_files_refer_to_stay_the_same():
    """A .keras file names each layer by its registered name: moving the module (from
    advisor/keras_export.py) must not change them, or older files would not load."""
    assert set(layers.custom_objects()) == {
        "advisor>NumericPreprocessing", "advisor>CategoryEncoding", "advisor>TargetUnits",
        "advisor>PeriodicEmbedding",
    }  # fmt: skip


@pytest.mark.slow
def test_model_with_preprocessing_inside_saves_and_reloads(penguins, tmp_path):
    advice = advise(penguins, target="species", seed=0, max_trials=1)
    features = penguins.drop(columns="species")
    full = advice.to_keras(advice.build_model())
    inputs = advice.keras_inputs(features)
    full.fit(inputs, advice.encode_target(penguins["species"]), epochs=3, verbose=0)
    before = full.predict(inputs, verbose=0)
    path = tmp_path / "model.keras"
    full.save(path)
    reloaded = layers.load_model(str(path))
    after = reloaded.predict(inputs, verbose=0)
    np.testing.assert_allclose(after, before, rtol=1e-6, atol=1e-7)
    # The preprocessing half alone reproduces the pipeline.
    prep = advice.to_keras()
    got = np.asarray(prep(inputs))
    assert _relative_error(got, advice.transform(features)) <= TOLERANCE


def test_a_keras_file_loads_with_custom_objects_and_no_warning(penguins, tmp_path):
    import warnings

    keras = layers.keras
    advice = advise(penguins, target="species", seed=0, max_trials=1, work_dir=tmp_path / "w")
    inputs = advice.keras_inputs(penguins)
    labels = advice.encode_target(penguins["species"])
    for trained in (False, True):
        full = advice.to_keras(advice.build_model(seed=0))
        if trained:
            full.fit(inputs, labels, epochs=1, verbose=0)
        path = tmp_path / f"full-{trained}.keras"
        full.save(path)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loaded = keras.saving.load_model(path, custom_objects=layers.custom_objects())
        np.testing.assert_allclose(np.asarray(loaded(inputs)), np.asarray(full(inputs)))
