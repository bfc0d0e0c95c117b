"""The search's sample drawn on a real Dask LocalCluster: the very rows the single-process
path picks, so `advise --dask` gives the same search and advice; `advise check --dask`."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")

from advisor import advise
from advisor.check.check import check
from advisor.cli import main
from advisor.cluster.connect import connect
from advisor.cluster.sample import cluster_sample
from advisor.table.sample import regression_edges, stratified_sample

pytestmark = pytest.mark.slow


def test_a_local_cluster_leaves_this_processs_environment_alone():
    """Dask's nanny sets OMP_NUM_THREADS=1 (and PYTHONHASHSEED) here to spawn its workers;
    TensorFlow would then train on one thread in this process."""
    before = dict(os.environ)
    _, close = connect("local:1")
    assert dict(os.environ) == before
    close()
    assert dict(os.environ) == before


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    rng = np.random.default_rng(9)
    n = 12_000
    frame = pd.DataFrame({f"x{i}": rng.lognormal(0, 1, n) for i in range(4)})
    frame["colour"] = rng.choice(["red", "green", "blue"], n)
    frame["y"] = np.where(frame.x0 + rng.normal(0, 0.5, n) > 1.5, "hi", "lo")
    frame.loc[frame.index % 21 == 0, "y"] = "rare"  # a third class, about 5%
    frame["amount"] = frame.x1 * 100 + rng.normal(0, 5, n)
    root = tmp_path_factory.mktemp("cluster")
    whole = root / "whole.parquet"
    frame.to_parquet(whole, index=False)
    folder = root / "parts"
    folder.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(n), 5)):
        part = frame.iloc[rows]
        if i % 2:
            part.to_csv(folder / f"part-{i}.csv", index=False)
        else:
            part.to_parquet(folder / f"part-{i}.parquet", index=False)
    return frame, whole, folder


def test_the_cluster_draws_the_rows_the_single_process_path_draws(client, data):
    frame, _, folder = data
    sample, rows = cluster_sample(str(folder), client, "y", "classification", 1500, seed=4)
    assert rows == len(frame) and len(sample) == 1500
    expected = frame.iloc[stratified_sample(frame["y"], "classification", 1500, 4)]
    assert sample["x0"].to_numpy() == pytest.approx(expected["x0"].to_numpy(), rel=1e-12)
    assert list(sample["y"]) == list(expected["y"])
    # Regression, with the decile edges given (the cluster takes them from the profile).
    edges = regression_edges(frame["amount"].to_numpy())
    sample, _ = cluster_sample(str(folder), client, "amount", "regression", 900, 2, edges=edges)
    expected = frame.iloc[stratified_sample(frame["amount"], "regression", 900, 2)]
    assert sample["amount"].to_numpy() == pytest.approx(expected["amount"].to_numpy(), rel=1e-12)


def test_missing_targets_and_rare_classes_are_counted_as_in_one_process(client, tmp_path):
    rng = np.random.default_rng(3)
    n = 3000
    frame = pd.DataFrame({"x": rng.normal(0, 1, n), "y": rng.choice(["1", "2"], n)})
    frame.loc[::97, "y"] = "None"  # pandas' readers take these as missing
    frame.loc[5::101, "y"] = "?"
    frame.loc[7:13, "y"] = "3"  # a rare class: 7 rows
    for i, rows in enumerate(np.array_split(np.arange(n), 3)):
        frame.iloc[rows].to_csv(tmp_path / f"p{i}.csv", index=False)
    sample, rows = cluster_sample(str(tmp_path), client, "y", "classification", 300, 1, minimum=5)
    from advisor.table.load import load_table

    table = load_table(pd.concat([pd.read_csv(p) for p in sorted(tmp_path.glob("*.csv"))]), "y")
    assert rows == table.n_rows
    expected = stratified_sample(table.target, "classification", 300, 1, minimum=5)
    assert sample["x"].to_numpy() == pytest.approx(
        table.features["x"].to_numpy()[expected], rel=1e-12
    )
    assert (pd.to_numeric(sample["y"]) == 3).sum() == 5  # the folds' worth, not 1


def test_advise_on_the_cluster_gives_the_single_process_advice(client, data):
    _, whole, folder = data
    one = advise(whole, target="y", sample_rows=3000, max_trials=2)
    many = advise(folder, target="y", sample_rows=3000, max_trials=2, dask=client)
    assert many.plan == one.plan and many.in_network == one.in_network
    assert many.search["candidates"] == one.search["candidates"]
    assert many.search["sample"] == {**one.search["sample"], "on": "dask"}
    assert many.profile["n_rows"] == 12_000
    assert any(note.startswith("Dask: profiled all 12000 rows") for note in many.notes)


def test_without_a_target_the_fit_uses_the_same_sample_on_the_cluster(client, data):
    frame, whole, folder = data
    one = advise(whole, sample_rows=2500)
    many = advise(folder, sample_rows=2500, dask=client)
    assert many.plan == one.plan
    assert many.to_dict()["distributions"] == one.to_dict()["distributions"]
    assert many.profile["n_rows"] == len(frame)


def test_check_on_the_cluster_profiles_every_row_and_says_so(client, data):
    _, whole, folder = data
    advice = advise(whole, target="y", sample_rows=3000, max_trials=1)
    result = check(folder, advice, dask=client)
    assert result.n_rows == 12_000
    assert "CHK015" in {f.code for f in result.findings}
    assert not result.fails("warning")


def test_the_cli_takes_dask_for_advise_and_check(data, tmp_path):
    folder = data[2]
    out = tmp_path / "advice.json"
    runner = CliRunner()
    ran = runner.invoke(
        main,
        [str(folder), "--target", "y", "--max-trials", "1", "--sample-rows", "2000",
         "--dask", "local:1", "--json", str(out)],
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output
    checked = runner.invoke(
        main, ["check", str(folder), "--baseline", str(out), "--dask", "local:1"]
    )
    assert checked.exit_code == 0, checked.output
    assert "CHK015" in checked.output
