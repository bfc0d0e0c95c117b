"""Quiet, lazy access to Keras/TensorFlow: every module imports Keras through here, so the
logging defaults are set first (the packed trainers then import their backend, TensorFlow
or JAX, inside the functions that need it).

TensorFlow's oneDNN kernels stay on (its default): the search's packed models are batched
matrix products, about twice as fast there as with Eigen's (docs/benchmarks.md). The
lines TensorFlow's native code writes to stderr while it loads (that oneDNN is on, which
CPU instructions it could use) are written before its log level applies; they are
filtered out, and anything else written then is passed on (all of it with
``TF_CPP_MIN_LOG_LEVEL=0``).

TensorFlow runs each operation on one thread (``TF_NUM_INTRAOP_THREADS=1``) and up to
`INTER_OP_THREADS` operations at once, unless the user set those variables: the search's
packed models are many small matrix products trained side by side in threads, which run
about a third faster so than with every operation split over all cores (docs/benchmarks.md),
and an operation's rounding then no longer depends on how many cores the machine has. Like
the logging variables, they apply to the process (TensorFlow reads them when it starts):
set them to ``0`` before calling `advisor.advise` for TensorFlow's own defaults.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Iterator
from types import ModuleType

#: Operations TensorFlow runs at once: as many as packed models train side by side
#: (`advisor.search.runner.MAX_WORKERS`), at least two.
INTER_OP_THREADS = max(2, min(os.cpu_count() or 1, 4))
_QUIET_DEFAULTS = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": str(INTER_OP_THREADS),
}
#: Start-up lines of TensorFlow's native code that say nothing about the user's run.
_NATIVE_NOISE = (
    "All log messages before absl::InitializeLog() is called",
    "oneDNN custom operations are on",
    "cpu_feature_guard.cc",
    "To enable the following instructions",
)
#: Optional packages Keras imports at import time for functions the advisor never calls,
#: with the module attributes it keeps them in: its image-gallery plots import
#: ``matplotlib.pyplot`` (matplotlib comes with skrub) and its saving helpers ``IPython``
#: for notebook display, about a second each of a cold start. They are kept out while Keras
#: loads (unless already imported) and those attributes are bound to them lazily
#: afterwards, so the plots and the display still work.
_DEFERRED_IMPORTS: dict[str, dict[str, tuple[str, str]]] = {
    "matplotlib": {
        "keras.src.visualization.plot_image_gallery": ("plt", "matplotlib.pyplot"),
        "keras.src.visualization.plot_bounding_box_gallery": ("patches", "matplotlib.patches"),
    },
    "IPython": {"keras.src.saving.file_editor": ("ipython", "IPython")},
}
#: keras-tuner imports IPython to ask whether it runs in a notebook; when IPython is not
#: imported yet, it does not, and keeping IPython out gives keras-tuner that answer.
_DEFERRED_BY_KERAS_TUNER: dict[str, dict[str, tuple[str, str]]] = {"IPython": {}}


def quiet_environment() -> None:
    """Set TensorFlow's logging and thread variables unless the user already set them."""
    for key, value in _QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)


def import_keras() -> ModuleType:
    """Import Keras (and so TensorFlow) on first use, with quiet logging."""
    quiet_environment()
    import absl.logging  # installed with TensorFlow

    absl.logging.set_verbosity(absl.logging.ERROR)
    if "keras" in sys.modules:
        return sys.modules["keras"]
    with _filtered_native_stderr(), _optional_imports_deferred(_DEFERRED_IMPORTS):
        import keras

    return keras


class _LazyModule(ModuleType):
    """Stands for a module that is imported the first time one of its names is used."""

    def __getattr__(self, name: str) -> object:
        return getattr(importlib.import_module(self.__name__), name)


@contextlib.contextmanager
def _optional_imports_deferred(
    deferred: dict[str, dict[str, tuple[str, str]]],
) -> Iterator[None]:
    """Keep the ``deferred`` packages out of an import (meanwhile importing them fails, in
    any thread), then give the modules that wanted them lazy stand-ins."""
    blocked = [
        package
        for package in deferred
        if package not in sys.modules and importlib.util.find_spec(package) is not None
    ]
    for package in blocked:
        sys.modules[package] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for package in blocked:
            if package in sys.modules and sys.modules[package] is None:
                del sys.modules[package]
    for package in blocked:
        for module_name, (attribute, target) in deferred[package].items():
            module = sys.modules.get(module_name)
            if module is not None and getattr(module, attribute, False) is None:
                setattr(module, attribute, _LazyModule(target))


@contextlib.contextmanager
def _filtered_native_stderr() -> Iterator[None]:
    """Capture what native code writes to file descriptor 2 meanwhile; pass on every line
    but TensorFlow's start-up notes. Nothing is filtered when the user asked TensorFlow for
    all its logs (``TF_CPP_MIN_LOG_LEVEL=0``): a crash while it loads, which would lose the
    captured lines, then shows them as they are written."""
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "0":
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable stderr: nothing to filter
        yield
        return
    try:
        captured = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the `with` below)
    except OSError:  # nowhere to hold the lines: let them through
        os.close(saved)
        yield
        return
    with captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [
                line
                for line in captured.read().decode(errors="replace").splitlines(keepends=True)
                if not any(noise in line for noise in _NATIVE_NOISE)
            ]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


def import_keras_tuner() -> ModuleType:
    """Import keras-tuner on first use (it imports TensorFlow)."""
    import_keras()
    if "keras_tuner" in sys.modules:
        return sys.modules["keras_tuner"]
    with _optional_imports_deferred(_DEFERRED_BY_KERAS_TUNER):
        import keras_tuner

    return keras_tuner
