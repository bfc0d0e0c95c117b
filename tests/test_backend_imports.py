"""Keras and keras-tuner are imported without matplotlib and IPython (Keras' image-gallery
plots import pyplot, its saving helpers and keras-tuner import IPython, at import time:
about a second each of a cold start), and what wanted them still works afterwards, as does
the user's own import of them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import sys
from advisor.backend import import_keras_tuner
import_keras_tuner()
for package in ("matplotlib", "IPython"):
    assert package not in sys.modules, package + " was imported with Keras"
import numpy as np
import keras
import matplotlib
matplotlib.use("Agg")
keras.visualization.plot_image_gallery(
    np.random.default_rng(0).random((4, 8, 8, 3)), value_range=(0, 1), rows=2, cols=2
)
import matplotlib.pyplot as plt
from keras.src.visualization import plot_bounding_box_gallery, plot_image_gallery
assert plot_image_gallery.plt.figure is plt.figure
assert plot_bounding_box_gallery.patches.Rectangle.__module__ == "matplotlib.patches"
import importlib.util
if importlib.util.find_spec("IPython") is not None:
    import IPython
    from keras.src.saving import file_editor
    assert file_editor.ipython.get_ipython is IPython.get_ipython
    from keras_tuner.src import utils
    assert utils.IS_NOTEBOOK is False  # no IPython shell runs this script
print("ok")
"""


def test_keras_loads_without_matplotlib_or_ipython_and_what_wanted_them_still_works():
    pytest.importorskip("matplotlib")  # installed with skrub; IPython is checked if present
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-3000:]


def test_tensorflow_runs_one_thread_per_operation_unless_the_user_says_otherwise(monkeypatch):
    from advisor.backend import INTER_OP_THREADS, quiet_environment

    monkeypatch.delenv("TF_NUM_INTRAOP_THREADS", raising=False)
    monkeypatch.delenv("TF_NUM_INTEROP_THREADS", raising=False)
    quiet_environment()
    assert os.environ["TF_NUM_INTRAOP_THREADS"] == "1"
    assert os.environ["TF_NUM_INTEROP_THREADS"] == str(INTER_OP_THREADS) and INTER_OP_THREADS >= 2
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "0")
    quiet_environment()
    assert os.environ["TF_NUM_INTRAOP_THREADS"] == "0"
