"""Keras is imported without matplotlib (its image-gallery plots import pyplot at import
time: about a second of a cold start), and those plots still work afterwards, as does the
user's own `import matplotlib.pyplot`."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import sys
from advisor.backend import import_keras
import_keras()
assert "matplotlib" not in sys.modules, "matplotlib was imported with Keras"
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
print("ok")
"""


def test_keras_loads_without_matplotlib_and_its_plots_still_work():
    pytest.importorskip("matplotlib")
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-3000:]
