"""Quiet, lazy access to Keras/TensorFlow: every module imports Keras through here, so the
logging defaults are set first (the packed trainers then import their backend, TensorFlow
or JAX, inside the functions that need it)."""

from __future__ import annotations

import os
from types import ModuleType

_QUIET_DEFAULTS = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "KERAS_BACKEND": "tensorflow",
}


def quiet_environment() -> None:
    """Set TensorFlow's logging variables unless the user already set them."""
    for key, value in _QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)


def import_keras() -> ModuleType:
    """Import Keras (and so TensorFlow) on first use, with quiet logging."""
    quiet_environment()
    import absl.logging  # installed with TensorFlow

    absl.logging.set_verbosity(absl.logging.ERROR)
    import keras

    return keras


def import_keras_tuner() -> ModuleType:
    """Import keras-tuner on first use (it imports TensorFlow)."""
    import_keras()
    import keras_tuner

    return keras_tuner
