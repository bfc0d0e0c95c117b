"""With ``groups`` or ``time_order`` the search's sample on a real Dask LocalCluster keeps
the units `split_sample` keeps in one process: whole groups, or the most recent times
(with the gap), counted over every partition; the advice says which."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")

from advisor import advise
from advisor.cluster.flow import draw
from advisor.cluster.units import cluster_units, merge_units
from advisor.options import AdviseOptions
from advisor.search.budgets import BUDGETS
from advisor.search.folds import split_sample
from advisor.search.validate import fold_split
from advisor.table.load import load_table
from advisor.table.units import split_request

pytestmark = pytest.mark.slow

UNITS, YEARS = 60, 20


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    """60 units x 20 years, a row id, uneven units (some years missing), a few rows
    without a target; in four CSV partitions cut across units and years."""
    rng = np.random.default_rng(5)
    unit, year = np.meshgrid(np.arange(UNITS), np.arange(2000, 2000 + YEARS), indexing="ij")
    frame = pd.DataFrame({"unit": [f"u{u:02d}" for u in unit.ravel()], "year": year.ravel()})
    frame = frame[~((frame.unit < "u10") & (frame.year < 2005))].reset_index(drop=True)
    frame["row"] = np.arange(len(frame))
    frame["x"] = rng.lognormal(0, 1, len(frame))
    frame["y"] = frame.x * 3 + rng.normal(0, 1, len(frame))
    frame.loc[frame.index % 53 == 7, "y"] = np.nan
    frame = frame.sample(frac=1, random_state=1).reset_index(drop=True)  # rows out of order
    folder = tmp_path_factory.mktemp("panel")
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), 4)):
        frame.iloc[rows].to_csv(folder / f"part-{i}.csv", index=False)
    return folder


def _in_memory_rows(folder, size: int, seed: int, **split: object) -> pd.DataFrame:
    """The rows `split_sample` keeps in one process (its split from `fold_split`)."""
    options = AdviseOptions(**split)
    table = load_table(str(folder), target="y")
    rows = split_sample(table.target, "regression", size, seed, 3, fold_split(table, options))
    return table.features.iloc[rows]


@pytest.mark.parametrize(
    "split", [{"groups": "unit"}, {"time_order": "year", "gap": 1}], ids=["groups", "time"]
)
@pytest.mark.parametrize("size", [300, 5000])
def test_the_cluster_keeps_the_units_split_sample_keeps(client, panel, split, size):
    expected = _in_memory_rows(panel, size, 7, **split)
    request = split_request(AdviseOptions(**split))
    frame, rows = cluster_units(str(panel), client, "y", request, size, 7, minimum=3)
    assert rows == load_table(str(panel), target="y").n_rows
    assert list(frame["row"]) == list(expected["row"])  # the same rows, in the same order
    every = pd.concat([pd.read_csv(p) for p in sorted(panel.glob("*.csv"))]).dropna()
    column = "unit" if "groups" in split else "year"
    kept = every[every[column].isin(set(frame[column]))]
    assert sorted(kept["row"]) == sorted(frame["row"])  # each kept unit whole
    if size == 300:
        assert 300 <= len(frame) < len(every)
        if column == "year":  # the latest years: 300 rows is 6 (at least folds + 1 + gap)
            assert sorted(set(frame.year)) == list(range(2000 + YEARS - 6, 2000 + YEARS))


def test_units_merge_across_partitions_as_one_column_sorts_them():
    numbers = (np.array([2001.0, 2003.0]), np.array([4, 5]))
    more = (np.array([2000.0, 2003.0]), np.array([1, 2]))
    units, counts, as_text = merge_units([numbers, (np.zeros(0), np.zeros(0, int)), more])
    assert list(units) == [2000.0, 2001.0, 2003.0] and list(counts) == [1, 4, 7]
    assert not as_text
    text = (np.array(["a", "b"], dtype=object), np.array([3, 1]))
    units, counts, as_text = merge_units([numbers, text])
    assert as_text and list(units) == ["2001.0", "2003.0", "a", "b"]


def test_the_draw_and_its_note_say_the_sample_keeps_the_latest_times(panel):
    request = split_request(AdviseOptions(time_order="year", gap=1))
    drawn = draw(
        str(panel), "local:1", seed=7, size=300, hint=None, target="y", minimum=3,
        split=request,
    )  # fmt: skip
    assert drawn.stratified_by == "most recent times"
    assert "keeping the most recent values of year" in drawn.note()
    assert drawn.sample(len(drawn.frame))["stratified_by"] == "most recent times"


def test_advise_on_the_cluster_searches_the_whole_groups_one_process_keeps(client, panel):
    expected = _in_memory_rows(panel, 300, 0, groups="unit")
    advice = advise(
        str(panel), target="y", dask=client, groups="unit", sample_rows=300,
        budget="fast", max_trials=1,
    )  # fmt: skip
    assert BUDGETS["fast"].sample_rows > 300
    sample = advice.search["sample"]
    assert sample["stratified_by"] == "whole groups" and sample["on"] == "dask"
    assert sample["rows"] == len(expected)  # no second sample of the cluster's
    assert any("keeping whole groups of unit" in note for note in advice.notes)
    assert advice.search["split"]["kind"] == "group"
