"""A plain CSV read by Arrow from the file gives the frame pandas' Arrow engine gives."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from advisor.errors import InputError
from advisor.io.read import MARKERS, read_frame
from tests.conftest import SAMPLE, SHARED


def _pandas(path: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.read_csv(path, engine="pyarrow", na_values=MARKERS)


def _files() -> list[Path]:
    return sorted([*SAMPLE.glob("*.csv"), *SHARED.glob("*.csv"), *SHARED.glob("corpus/*.csv")])


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_every_bundled_and_shared_table_reads_as_pandas_reads_it(path):
    try:
        expected = _pandas(path)
    except Exception:  # pandas cannot read it: nothing to compare
        pytest.skip("pandas cannot read it")
    pd.testing.assert_frame_equal(read_frame(path), expected, check_exact=True)


def _fast_path_only(monkeypatch):
    """Make the fallback (pandas from the bytes) fail, so a passing comparison proves that
    Arrow's read from the file produced the frame."""

    def no_fallback(*args, **kwargs):
        raise AssertionError("fell back to parsing the bytes")

    monkeypatch.setattr("advisor.io.read.parse_csv_bytes", no_fallback)


def test_awkward_columns_read_as_pandas_reads_them(tmp_path, monkeypatch):
    path = tmp_path / "awkward.csv"
    path.write_text(
        "empty,flag,codes,text,marked,when\n"
        ",True,1,a,?,2024-01-02\n"
        ",false,0,,3.5,2024-02-03\n"
        ",TRUE,1,NA,-,2024-03-04\n"
    )
    expected = _pandas(path)
    _fast_path_only(monkeypatch)
    pd.testing.assert_frame_equal(read_frame(path), expected, check_exact=True)
    no_zone = tmp_path / "no_zone.csv"
    no_zone.write_text("empty,flag,x\n,True,1.5\n,false,\n")
    pd.testing.assert_frame_equal(read_frame(no_zone), _pandas(no_zone), check_exact=True)


@pytest.mark.parametrize(
    "text",
    [
        # pandas' own conventions: a blank header becomes "Unnamed: 0" (a saved index)...
        ",a,b\n0,1.5,x\n1,2.5,y\n",
        # ... and times with a zone become one zone-aware column.
        "x,zoned\n1,2024-01-02T10:00:00+02:00\n2,2024-01-03T10:00:00+02:00\n",
    ],
    ids=["blank header", "time zone"],
)
def test_what_only_pandas_does_is_left_to_pandas(tmp_path, text):
    path = tmp_path / "data.csv"
    path.write_text(text)
    frame = read_frame(path)
    pd.testing.assert_frame_equal(frame, _pandas(path), check_exact=True)
    assert "" not in frame.columns


def test_a_file_arrow_cannot_parse_still_gets_its_line_named(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5\n")
    with pytest.raises(InputError, match="line 3"):
        read_frame(path)


def test_bytes_python_cannot_split_into_rows_get_a_one_line_error(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(b"\r\x01")
    with pytest.raises(InputError, match="cannot parse as CSV"):
        read_frame(path)


@pytest.mark.parametrize(
    ("header", "repeated"),
    [("wt,wt,x", "wt"), ("a;b;a", "a"), ('"a b",c,"a b"', "a b"), ("wt,x,wt.1", None)],
)
def test_a_name_written_twice_in_the_header_is_refused_by_name(tmp_path, header, repeated):
    """pandas renames the second ``wt`` to ``wt.1``: the header as written decides, so a
    column really named ``wt.1`` beside ``wt`` is no repeat."""
    path = tmp_path / "data.csv"
    sep = ";" if ";" in header else ","
    path.write_text(f"{header}\n1{sep}2{sep}3\n4{sep}5{sep}6\n")
    if repeated is None:
        assert list(read_frame(path).columns) == header.split(sep)
    else:
        with pytest.raises(InputError, match=f"duplicate column name '{repeated}' in header"):
            read_frame(path)


def test_blank_header_cells_are_named_apart_not_called_repeats(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text(",x,\n0,1.5,a\n1,2.5,b\n")
    assert list(read_frame(path).columns) == ["Unnamed: 0", "x", "Unnamed: 2"]
