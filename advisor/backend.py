"""Quiet, lazy access to Keras/TensorFlow: every module imports Keras through here, so the
logging defaults are set first (the packed trainers then import their backend, TensorFlow
or JAX, inside the functions that need it)."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
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


def preload_in_background() -> None:
    """Start importing keras-tuner (and so Keras and TensorFlow, 5-9 s cold) in a daemon
    thread, so that the import overlaps loading and profiling the table; whoever imports
    them next waits on Python's import lock for this import to finish. Does nothing once
    they are imported or while a preload runs."""
    global _preload
    if "keras_tuner" in sys.modules or (_preload is not None and _preload.is_alive()):
        return
    quiet_environment()

    def run() -> None:
        with contextlib.suppress(Exception):  # the foreground import reports it properly
            import_keras_tuner()

    _preload = threading.Thread(target=run, name="advisor-preload", daemon=True)
    _preload.start()


_preload: threading.Thread | None = None
