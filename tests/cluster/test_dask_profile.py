"""Profiling on a real Dask LocalCluster (worker processes): the same profile as the
single-process streaming path whatever the partitioning, a killed worker survived, and
one-line errors for a bad schema and an unreachable scheduler."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")

from advisor import profile_dataset
from advisor.cli import main
from advisor.cluster.connect import connect
from advisor.cluster.profile import profile_dask
from advisor.errors import InputError
from advisor.profiling.profile import profile_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    rng = np.random.default_rng(4)
    n = 240_000
    frame = pd.DataFrame({f"x{i}": rng.lognormal(0, 1 + i / 4, n) for i in range(6)})
    frame["count"] = rng.poisson(2, n).astype(float)
    frame.loc[::101, "x1"] = np.nan
    frame["colour"] = rng.choice(["red", "green", "blue", "teal"], n)
    root = tmp_path_factory.mktemp("dask")
    layouts = {}
    for parts in (1, 4, 12):
        folder = root / f"p{parts}"
        folder.mkdir()
        for i, rows in enumerate(np.array_split(np.arange(n), parts)):
            frame.iloc[rows].to_parquet(folder / f"part-{i:03d}.parquet", index=False)
        layouts[parts] = folder
    return frame, layouts


def _same(a, b):
    assert a.n_rows == b.n_rows
    for fa, fb in zip(a.features, b.features, strict=True):
        assert (fa.name, fa.kind) == (fb.name, fb.kind)
        for key, va in vars(fa).items():
            vb = getattr(fb, key)
            if isinstance(va, float):
                # Exact statistics to rounding (moments merge in another order); the
                # sketched ones come from the very same row sample.
                assert vb == pytest.approx(va, rel=1e-9, abs=1e-12, nan_ok=True), (fa.name, key)
            else:
                assert va == vb, (fa.name, key)


def test_cluster_profile_equals_the_streaming_profile_for_any_partitioning(client, data):
    _, layouts = data
    base = profile_path(layouts[1], streaming=True, seed=3)
    for folder in layouts.values():
        _same(base, profile_dask(folder, client, seed=3))
    assert profile_dask(layouts[4], client, seed=3).mode == "streaming"


def test_a_worker_killed_mid_profile_is_survived_with_the_same_result(client, data):
    _, layouts = data
    base = profile_path(layouts[12], streaming=True)
    pids = list(client.run(os.getpid).values())
    result: dict = {}

    def run() -> None:
        result["profile"] = profile_dask(layouts[12], client)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(client.processing().values()):
        time.sleep(0.01)
    os.kill(pids[0], signal.SIGKILL)
    thread.join(120)
    assert "profile" in result
    _same(base, result["profile"])


def test_api_and_cli_take_an_address(data, tmp_path):
    _, layouts = data
    profile = profile_dataset(layouts[4], dask="local:1")
    _same(profile_path(layouts[4], streaming=True), profile)
    out = tmp_path / "profile.json"
    result = CliRunner().invoke(
        main, ["profile", str(layouts[4]), "--dask", "local:1", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and "x0" in result.output


def test_a_bad_schema_and_an_unreachable_scheduler_are_one_line_errors(client, data, tmp_path):
    frame, _ = data
    frame.iloc[:1000].to_parquet(tmp_path / "a.parquet", index=False)
    frame.iloc[1000:2000].drop(columns="count").to_parquet(tmp_path / "b.parquet", index=False)
    with pytest.raises(InputError, match=r"b\.parquet: column 'count' is missing"):
        profile_dask(tmp_path, client)
    started = time.monotonic()
    result = CliRunner().invoke(
        main, ["profile", str(tmp_path / "a.parquet"), "--dask", "tcp://127.0.0.1:9"]
    )
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler" in result.output
    assert "Traceback" not in result.output
    assert time.monotonic() - started < 30
    with pytest.raises(InputError, match="local or local:N"):
        connect("local:zero")
