"""Shared fixtures: generated columns of known shape, the bundled and shared datasets."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The tests run TensorFlow's default kernels (oneDNN), whatever the shell says; one test
# checks the packing on its own Eigen kernels, in a process it starts for that.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = (
    "0" if os.environ.get("ADVISOR_TEST_KERNELS") == "eigen" else "1"
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
SHARED = ROOT.parent / "shared" / "datasets"


def shape_columns(n: int = 2000, seed: int = 0) -> dict[str, np.ndarray]:
    """Columns of known shape, the vocabulary of the profiler and rule tests."""
    rng = np.random.default_rng(seed)
    zero_inflated = np.where(rng.random(n) < 0.8, 0.0, rng.poisson(3.0, n) + 1.0)
    return {
        "gaussian": rng.normal(50.0, 10.0, n),
        "lognormal": rng.lognormal(0.0, 1.0, n),
        "uniform01": rng.uniform(0.0, 1.0, n),
        "pixels": rng.integers(0, 256, n).astype(float),
        "cauchy": rng.standard_cauchy(n),
        "zero_inflated": zero_inflated,
        "binary": rng.integers(0, 2, n).astype(float),
        "constant": np.full(n, 7.0),
        "left_skew_negative": -rng.lognormal(0.0, 1.0, n),
    }


@pytest.fixture(scope="session")
def shapes() -> dict[str, np.ndarray]:
    return shape_columns()


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write text to a CSV file in a temporary directory and return its path."""

    def write(text: str | bytes, name: str = "data.csv") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def penguins_path() -> Path:
    return SAMPLE / "penguins.csv"


@pytest.fixture(scope="session")
def penguins() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "penguins.csv")


def shared_dataset(name: str) -> Path:
    path = SHARED / f"{name}.csv"
    if not path.exists():
        pytest.skip(f"shared dataset {name} not available beside the repository")
    return path


@pytest.fixture(scope="module")
def client():
    """A Dask LocalCluster of two worker processes, one per test module that asks."""
    pytest.importorskip("distributed")
    from advisor.cluster.connect import connect

    client, close = connect("local:2")
    yield client
    close()


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Searches keep their trials in a cache directory: keep the tests' out of ~/.cache."""
    os.environ["ADVISOR_CACHE_DIR"] = str(tmp_path_factory.mktemp("advisor-cache"))


def chromium() -> str | None:
    """A Chromium executable on the PATH (Debian's ``chromium``, which .ci/run installs)."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def write_toy_benchmark_table(folder: Path) -> None:
    """A 300-row regression table ("toy": y follows a log-normal x, beside noise) with its
    targets.json, for the benchmark scripts' ``--data`` folders."""
    rng = np.random.default_rng(0)
    x = rng.lognormal(0, 1, 300)
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=300), "y": 3 * x + rng.normal(size=300)})
    frame.to_csv(folder / "toy.csv", index=False)
    (folder / "targets.json").write_text(
        json.dumps({"toy": {"file": "toy.csv", "target": "y", "task": "regression"}})
    )
