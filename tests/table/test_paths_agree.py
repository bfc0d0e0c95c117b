"""One truth per column: the same file gets the same kinds, notes, rules' plan and table
layout in memory (`advise`'s loader, the reference), in `advise profile --in-memory`,
streamed in small blocks, and on a Dask cluster of two worker processes.

Every file of ``../shared/datasets`` and its corpus, the generated tricky columns
(`tricky_columns`) and messy files the readers accept; the large tables in a slow test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tricky_columns, conftest

from conftest import SAMPLE, SHARED
from tricky_columns import write_tricky

from advisor.profiling.profile import profile_path, profile_stream, profile_table
from advisor.rules.engine import apply_rules, load_rules
from advisor.table.load import load_table

#: Files above this size are compared in the slow test only.
LARGE = 2 << 20
#: Blocks small enough that a stream reads even a small file in several (and meets a
#: column's first junk cell after its first block has typed the column as numbers).
BLOCK = 1 << 12

MESSY = {
    "semicolons_decimal_commas.csv": "a;b;c\n1,5;x;01.02.2020\n2,5;y;02.02.2020\n3,0;x;?\n"
    "4,25;y;03.02.2020\n5,0;z;04.02.2020\n",
    "markers_and_spaces.csv": "n,t,f\n1, ? ,TRUE\n2,-,false\n 3 ,a,True\n4,--,\n.,b,FALSE\n"
    "6,a,true\n",
    "bom_utf8.csv": "\ufeffid,v\n0001,1.5\n0002,2.5\n0003,n/a\n0004,4.5\n0005,5.5\n0006,6.5\n",
    "quoted_numbers.csv": 'x,y\n"1,000",a\n"2,500",b\n"3,250",a\n"4,000",c\n"5,125",a\n',
}


MALFORMED = {
    "ragged.csv": "a,b\n1,2\n3,4,5\n",
    "header_only.csv": "a,b\n",
    "empty.csv": "",
    "name_twice.csv": "a,b,a\n1,2,3\n4,5,6\n",
}


def _files() -> list[Path]:
    found = sorted(SHARED.glob("*.csv")) + sorted((SHARED / "corpus").glob("*.csv"))
    return [*sorted(SAMPLE.glob("*.csv")), *found]


def _small(path: Path) -> bool:
    return path.stat().st_size <= LARGE


RULES = load_rules()


def _facts(profile, notes) -> tuple[dict[str, str], list[str], dict[str, str], object]:
    kinds = {f.name: f.kind for f in profile.features}
    plan = dict(apply_rules(profile, RULES).rule_plan().scalers)
    return kinds, sorted(str(n) for n in notes), plan, profile.layout


def _every_path(path: Path, client) -> dict[str, tuple]:
    from advisor.cluster.profile import profile_dask

    table = load_table(path)
    found = {"advise": _facts(profile_table(table), table.notes)}
    memory = profile_path(path, streaming=False)
    found["profile --in-memory"] = _facts(memory, memory.notes)
    streamed = profile_stream(path, block_bytes=BLOCK if _small(path) else 4 << 20)
    found["profile --streaming"] = _facts(streamed, streamed.notes)
    if client is not None:
        spread = profile_dask(path, client)
        found["profile --dask local:2"] = _facts(spread, spread.notes)
    return found


def _assert_agree(found: dict[str, tuple], where: str) -> None:
    reference = found["advise"]
    for path, facts in found.items():
        named = ("kinds", "notes", "plan", "layout")
        for what, mine, theirs in zip(named, facts, reference, strict=True):
            assert mine == theirs, f"{where}: {path} gives other {what} than advise"


@pytest.fixture(scope="module")
def tricky(tmp_path_factory) -> dict[str, Path]:
    files = write_tricky(tmp_path_factory.mktemp("tricky"))
    messy = tmp_path_factory.mktemp("messy")
    for name, text in MESSY.items():
        (messy / name).write_text(text, encoding="utf-8")
        files[name] = messy / name
    return files


@pytest.mark.slow
def test_tricky_and_messy_files_get_the_same_kinds_on_every_path(tricky, client):
    for name, path in tricky.items():
        _assert_agree(_every_path(path, client), name)


def test_tricky_columns_get_the_loaders_kinds(tricky):
    """The kinds themselves: junk cells under the share are numbers (also when they come
    after a stream's first block), dates in four formats are dates, ids are id-like."""
    found = _every_path(tricky["tricky"], None)
    _assert_agree(found, "tricky.csv")
    kinds = found["profile --streaming"][0]
    assert kinds["junk_three"] == kinds["junk_late"] == "continuous"
    assert {kinds[c] for c in ("iso_date", "iso_time", "us_date", "iso_zone")} == {"datetime"}
    assert kinds["user_id"] == kinds["junk_over"] == "id-like"
    assert kinds["zip_code"] == "categorical" and kinds["flag"] == "binary"
    notes = found["profile --streaming"][1]
    assert "junk_late: 3 non-numeric values ('n.a.') read as missing" in notes


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_files_are_one_line_errors_on_every_path(tmp_path, name):
    """A file no path can read is a one-line error naming it on every path (the same
    line where the paths can tell the same; a ragged line's number only where the file is
    read whole by the loader)."""
    from advisor.errors import InputError

    path = tmp_path / name
    path.write_text(MALFORMED[name], encoding="utf-8")
    reads = {
        "advise": lambda: load_table(path),
        "profile --in-memory": lambda: profile_path(path, streaming=False),
        "profile --streaming": lambda: profile_stream(path, block_bytes=BLOCK),
    }
    messages = {}
    for where, read in reads.items():
        with pytest.raises(InputError) as error:
            read()
        message = str(error.value)
        assert message.startswith(str(path)) and "\n" not in message, (where, message)
        messages[where] = message
    if name != "ragged.csv":
        assert len(set(messages.values())) == 1, messages


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in _files() if _small(p)], ids=lambda p: p.name)
def test_shared_tables_get_the_same_kinds_on_every_path(path, client):
    _assert_agree(_every_path(path, client), path.name)


@pytest.mark.slow
def test_large_shared_tables_get_the_same_kinds_on_every_path(client):
    large = [p for p in _files() if not _small(p)]
    for path in large:
        _assert_agree(_every_path(path, client), path.name)


def _write_parts(frame, folder: Path, parts: int) -> Path:
    folder.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), parts)):
        frame.iloc[rows].to_csv(folder / f"part-{i:02d}.csv", index=False)
    return folder


@pytest.mark.slow
def test_panels_and_a_series_get_the_same_layout_on_every_path(client, tmp_path):
    """The three shared panels and a daily series, whole and in partitions (the Dask
    workers' summaries merged): the same layout, exactly, on every path."""
    import pandas as pd

    from advisor.cluster.profile import profile_dask

    days = pd.date_range("2019-01-01", periods=900, freq="D").strftime("%Y-%m-%d")
    series = pd.DataFrame({"day": days, "load": np.random.default_rng(0).gamma(2.0, 3.0, 900)})
    series.to_csv(tmp_path / "series.csv", index=False)
    files = [SHARED / "corpus" / f"{name}.csv" for name in ("gapminder", "grunfeld", "txhousing")]
    for path in [*files, tmp_path / "series.csv"]:
        found = _every_path(path, client)
        _assert_agree(found, path.name)
        assert found["advise"][3] is not None, path.name
        parts = _write_parts(pd.read_csv(path, dtype=str), tmp_path / path.stem, 5)
        assert profile_dask(parts, client).layout == found["advise"][3], path.name
        assert profile_stream(parts, block_bytes=BLOCK).layout == found["advise"][3], path.name
        named = found["advise"][3].unit or found["advise"][3].time  # as a target: never named
        spread = profile_dask(parts, client, exclude=(named,)).layout
        assert spread is None or named not in (spread.unit, spread.time, spread.period)
