"""The table's layout (`advisor.profiling.layout`): the shared panels are panels with their
columns, the other shared tables and exchangeable rows are nothing, a date series in order
is a time series, a target is never named, the profile's JSON keeps its bytes without a
layout, and every split of the rows gives the same layout (over the pair cap: nothing)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED

from advisor.profiling import layout_counts
from advisor.profiling.profile import profile_path, profile_stream, profile_table
from advisor.profiling.summary import TableSummary
from advisor.table.load import load_table


def _tables() -> dict[str, dict]:
    """Every shared table by name: its file, its target and, for a panel, its columns."""
    found = {}
    for base in (SHARED, SHARED / "corpus"):
        for name, entry in json.loads((base / "targets.json").read_text()).items():
            found[name] = {**entry, "path": base / entry["file"]}
    return found


TABLES = _tables()
PANELS = sorted(name for name, entry in TABLES.items() if "groups" in entry)


def _panel(units: int = 12, years: int = 15, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        [(f"unit{u:02d}", 1990 + y) for u in range(units) for y in range(years)],
        columns=["unit", "year"],
    )
    frame["x"] = rng.normal(size=len(frame))
    frame["y"] = frame["x"] + rng.normal(size=len(frame))
    return frame


def _series(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2020-01-01", periods=n, freq="D").strftime("%Y-%m-%d")
    return pd.DataFrame({"day": days, "load": rng.gamma(2.0, 3.0, n), "kind": "a"})


def _every_path(path, block: int = 1 << 12):
    """The layout in memory (`advise`'s loader and `advise profile`) and streamed."""
    return {
        "advise": profile_table(load_table(path)).layout,
        "in memory": profile_path(path, streaming=False).layout,
        "streamed": profile_stream(path, block_bytes=block).layout,
    }


@pytest.mark.parametrize("name", PANELS)
def test_the_shared_panels_are_panels_of_their_unit_and_year(name):
    entry = TABLES[name]
    layout = profile_table(load_table(entry["path"], entry["target"])).layout
    assert layout is not None and layout.kind == "panel"
    assert (layout.unit, layout.time) == (entry["groups"], entry["time"])
    assert f"--groups {entry['groups']}" in layout.suggestion
    assert len(set(_every_path(entry["path"]).values())) == 1


def test_the_monthly_panel_is_ordered_by_year_and_month():
    layout = profile_path(TABLES["txhousing"]["path"]).layout
    assert layout is not None and layout.period == "month"
    assert (layout.units, layout.times, layout.distinct_share) == (46, 187, 1.0)


def test_the_other_shared_tables_are_no_panel_and_no_series():
    found = {
        name: profile_path(entry["path"], streaming=False).layout
        for name, entry in TABLES.items()
        if name not in PANELS
    }
    assert len(found) == 55
    assert {name: layout for name, layout in found.items() if layout is not None} == {}


def test_exchangeable_rows_are_nothing_even_beside_a_year(tmp_path):
    rng = np.random.default_rng(1)
    n = 3000
    frame = pd.DataFrame({
        "born": rng.integers(1940, 2005, n),  # a year-like column, not a time
        "region": rng.choice(list("abcdefgh"), n),
        "visits": rng.poisson(3, n),
        "income": rng.lognormal(10, 1, n),
    })  # fmt: skip
    frame.to_csv(tmp_path / "iid.csv", index=False)
    assert set(_every_path(tmp_path / "iid.csv").values()) == {None}


def test_a_date_series_in_order_is_a_time_series_and_shuffled_is_not(tmp_path):
    series = _series()
    series.to_csv(tmp_path / "series.csv", index=False)
    layout = profile_path(tmp_path / "series.csv").layout
    assert layout is not None and layout.kind == "time series"
    assert (layout.time, layout.times, layout.newest_first) == ("day", 400, False)
    assert "--time-order day" in layout.suggestion
    assert len(set(_every_path(tmp_path / "series.csv").values())) == 1
    series.iloc[::-1].to_csv(tmp_path / "newest.csv", index=False)
    assert profile_path(tmp_path / "newest.csv").layout.newest_first
    series.sample(frac=1.0, random_state=0).to_csv(tmp_path / "shuffled.csv", index=False)
    assert set(_every_path(tmp_path / "shuffled.csv").values()) == {None}


def test_years_with_months_in_order_are_a_time_series():
    months = pd.DataFrame({"year": np.repeat(np.arange(2001, 2011), 12)})
    months["month"] = np.tile(np.arange(1, 13), 10)
    months["sales"] = np.random.default_rng(0).gamma(2.0, 1.0, len(months))
    layout = profile_table(load_table(months)).layout
    assert layout is not None and (layout.kind, layout.time, layout.period) == (
        "time series", "year", "month",
    )  # fmt: skip
    assert layout.times == 120


def test_a_panel_is_a_panel_in_any_row_order():
    frame = _panel().sample(frac=1.0, random_state=3)
    layout = profile_table(load_table(frame)).layout
    assert layout is not None and (layout.unit, layout.time, layout.units) == ("unit", "year", 12)


def test_the_suggestion_quotes_a_column_name_for_the_shell():
    frame = _panel().rename(columns={"unit": "the firm", "year": "fiscal year"})
    suggestion = profile_table(load_table(frame)).layout.suggestion
    assert "consider --groups 'the firm' (or --time-order 'fiscal year')" in suggestion


def test_a_target_is_never_the_unit_or_the_time():
    frame = _panel()
    assert profile_table(load_table(frame, target="y")).layout.unit == "unit"
    for target in ("unit", "year"):
        layout = profile_table(load_table(frame, target=target)).layout
        assert layout is None or target not in (layout.unit, layout.time, layout.period)


def test_the_profile_json_keeps_its_keys_without_a_layout(tmp_path):
    _series().sample(frac=1.0, random_state=0).to_csv(tmp_path / "shuffled.csv", index=False)
    data = profile_path(tmp_path / "shuffled.csv").to_dict()
    assert list(data) == [
        "source", "n_rows", "task", "target_name", "n_numeric", "n_categorical",
        "scale_ratio", "share_skewed", "share_outlier_heavy", "n_classes", "min_class_share",
        "excluded", "image_like", "image_top", "mode", "sample_rows", "notes", "target",
        "features",
    ]  # fmt: skip
    _series().to_csv(tmp_path / "series.csv", index=False)
    assert profile_path(tmp_path / "series.csv").to_dict()["layout"]["kind"] == "time series"


def _merged(path, cuts: list[int]) -> TableSummary:
    """The summaries of the rows between ``cuts``, merged in order (as on a cluster)."""
    import pyarrow as pa

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    names = list(frame.columns)
    kinds = dict.fromkeys(names, "text")
    bounds = [0, *cuts, len(frame)]
    parts = []
    for start, stop in itertools.pairwise(bounds):
        summary = TableSummary(names, kinds)
        summary.update(pa.Table.from_pandas(frame.iloc[start:stop], preserve_index=False), start)
        parts.append(summary)
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part)
    return merged


@pytest.mark.parametrize("cuts", [[], [1], [4000], [123, 2500, 2501, 7000]])
def test_every_split_of_the_rows_merges_into_the_same_layout(cuts):
    from advisor.profiling.profile import profile_summary

    path = TABLES["txhousing"]["path"]
    whole = profile_summary(_merged(path, []), str(path)).layout
    assert whole is not None and whole.unit == "city"
    assert profile_summary(_merged(path, cuts), str(path)).layout == whole


def test_over_the_pair_cap_the_layout_says_nothing_on_every_path(monkeypatch):
    path = TABLES["grunfeld"]["path"]
    monkeypatch.setattr(layout_counts, "PAIR_CAP", 219)  # grunfeld: 220 (firm, year) pairs
    assert set(_every_path(path, block=1 << 10).values()) == {None}
    monkeypatch.setattr(layout_counts, "PAIR_CAP", 220)
    assert {layout.unit for layout in _every_path(path, block=1 << 10).values()} == {"firm"}
