"""Files as users really have them: delimiters, decimal commas, encodings, workbooks and
binary files named .csv."""

from __future__ import annotations

import codecs
import io
import re
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from advisor.cli import main
from advisor.errors import InputError
from advisor.io.sniff import sniff_dialect
from advisor.profiling.profile import profile_path, profile_stream
from advisor.table.load import load_table

ROWS = "".join(f"{i},5;{i % 7};{'xy'[i % 2]}\n" for i in range(30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b\n1.5,2\n", (",", ".")),
        ("a;b\n1,5;2\n3,25;4\n", (";", ",")),
        ("a;b\n1.5;2\n", (";", ".")),
        ("a\tb\n1,5\t2\n", ("\t", ",")),
        ("a|b|c\n1|2|3\n", ("|", ".")),
        ('a,b\n"1,5",2\n', (",", ".")),
    ],
    ids=["comma", "semicolon-decimal-comma", "semicolon", "tab-decimal-comma", "pipe", "quoted"],
)
def test_the_delimiter_and_decimal_mark_are_sniffed(text, expected):
    assert sniff_dialect(text) == expected


def test_a_european_csv_reads_as_numbers_in_both_readers(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("price;rooms;kind\n" + ROWS)
    table = load_table(path)
    assert table.numeric == ("price", "rooms") and table.categorical == ("kind",)
    assert table.features["price"].iloc[:2].tolist() == [0.5, 1.5]
    for profile in (profile_path(path), profile_stream(path)):
        assert profile.features[0].kind == "continuous"
        assert profile.features[0].mean == pytest.approx(15.0)


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-16"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: t.encode("utf-16-be").join([codecs.BOM_UTF16_BE, b""]),
    ],
    ids=["utf-16-le", "utf-8-bom", "utf-16-be"],
)
def test_utf16_and_utf8_with_bom_are_read(tmp_path, encode):
    path = tmp_path / "data.csv"
    path.write_bytes(encode("a,b\n" + "".join(f"{i},{2 * i}\n" for i in range(20))))
    assert list(load_table(path).features.columns) == ["a", "b"]
    assert [f.name for f in profile_path(path).features] == ["a", "b"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "this is an old Excel workbook"),
        (b"%PDF-1.7\n" + bytes(50), "this is a PDF document"),
        (b"PAR1" + bytes(50), "this is a Parquet file (name it .parquet)"),
        (b"PK\x03\x04" + bytes(50), "this is a zip archive"),
        (b"a,b\n\x00\x01\x02\x03\n", "this is a binary file"),
        ("a,b\ncaf\xe9,1\n".encode("latin-1"), "line 2: byte 0xe9 is not valid UTF-8"),
    ],
    ids=["xls", "pdf", "parquet", "zip", "binary", "latin-1"],
)
def test_binary_files_named_csv_get_one_line_naming_the_format(tmp_path, data, message):
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=re.escape(message)) as info:
        load_table(path)
    assert "\\x" not in str(info.value) and "\n" not in str(info.value)
    result = CliRunner().invoke(main, ["profile", str(path)])
    assert result.exit_code == 2 and message.split(" (")[0] in result.output
    assert "Traceback" not in result.output


def _workbook() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "x"]}).to_excel(buffer, index=False)
    return buffer.getvalue()


def test_an_excel_workbook_is_read_whatever_its_name(tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "data.csv"
    path.write_bytes(_workbook())
    assert load_table(path).features["a"].tolist() == [1.0, 2.0, 3.0]
    assert [f.name for f in profile_path(path).features] == ["a", "b"]


def test_without_openpyxl_a_workbook_says_how_to_read_it(tmp_path, monkeypatch):
    pytest.importorskip("openpyxl")  # to write the workbook
    path = tmp_path / "data.csv"
    path.write_bytes(_workbook())
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(InputError, match=r"Excel workbook: install normalization-advisor\[excel\]"):
        load_table(path)


def test_sep_decimal_and_encoding_override_the_sniffer_from_the_api_and_the_cli(tmp_path):
    from advisor import advise, profile_dataset

    path = tmp_path / "odd.csv"
    rows = "".join(f"{i}:{i},5:{'é' if i % 2 else 'e'}\n" for i in range(30))
    path.write_bytes(("n:x:t\n" + rows).encode("latin-1"))
    with pytest.raises(InputError, match="give --encoding"):
        load_table(path)
    profile = profile_dataset(path, sep=":", decimal=",", encoding="latin-1")
    assert [f.kind for f in profile.features][1] == "continuous"
    advice = advise(path, sep=":", decimal=",", encoding="latin-1")
    assert dict(advice.plan.scalers)["x"] in ("robust_clip", "standard", "minmax", "robust")
    result = CliRunner().invoke(
        main, ["profile", str(path), "--sep", ":", "--decimal", ",", "--encoding", "latin-1"]
    )
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(main, ["profile", str(path), "--encoding", "klingon"])
    assert bad.exit_code == 2 and "unknown text encoding 'klingon'" in bad.output


MARKED = "age,colour,price\n" + "".join(
    f"{'?' if i % 4 == 0 else ('-' if i % 9 == 0 else i)},"
    f"{'?' if i % 5 == 0 else 'rb'[i % 2]},"
    f"{'.' if i % 6 == 0 else ('--' if i % 7 == 0 else 2.5 * i)}\n"
    for i in range(40)
)


def test_missing_markers_are_missing_whatever_their_share(tmp_path):
    """`?` in a quarter of a numeric column leaves it numeric, with those cells missing;
    in a text column it is not a category. Every reader agrees."""
    path = tmp_path / "marked.csv"
    path.write_text(MARKED)
    frame = pd.read_csv(io.StringIO(MARKED), dtype=str, keep_default_na=False)
    expected = {
        name: int(frame[name].str.strip().isin(["?", "-", "--", "."]).sum())
        for name in frame.columns
    }
    for source in (path, frame):
        table = load_table(source)
        assert table.numeric == ("age", "price") and table.categorical == ("colour",)
        assert not any(n.kind == "coerced" for n in table.notes)
        assert {c: int(table.features[c].isna().sum()) for c in frame.columns} == expected
        assert set(table.features["colour"].dropna()) == {"r", "b"}
    padded = load_table(pd.DataFrame({"a": [" ? ", "1", " - ", "2.5"] * 5}))
    assert padded.numeric == ("a",) and int(padded.features["a"].isna().sum()) == 10
    for profile in (profile_path(path), profile_stream(path)):
        assert {f.name: f.missing for f in profile.features} == expected
        assert [f.kind for f in profile.features][2] == "continuous"
        assert profile.features[1].n_distinct == 2


def test_rows_whose_target_is_a_marker_are_left_out_with_a_note(tmp_path):
    path = tmp_path / "marked.csv"
    path.write_text(MARKED)
    table = load_table(path, target="price")
    assert len(table.target) == 40 - expected_marked(MARKED, 2)
    assert any("rows without a target value were left out" in n.message for n in table.notes)


def expected_marked(text: str, column: int) -> int:
    rows = [line.split(",")[column].strip() for line in text.splitlines()[1:]]
    return sum(v in ("?", "-", "--", ".") for v in rows)


def test_zero_padded_codes_keep_their_zeros_and_are_categories(tmp_path):
    zips = ["02134", "10001", "02139", "94105", "00501", "60601"] * 6
    path = tmp_path / "homes.csv"
    path.write_text("zip,price\n" + "".join(f"{z},{100 + i}\n" for i, z in enumerate(zips)))
    table = load_table(path)
    assert table.categorical == ("zip",) and table.numeric == ("price",)
    assert table.features["zip"].iloc[0] == "02134"
    assert any("zero-padded" in n.message for n in table.notes)
    for profile in (profile_path(path), profile_stream(path)):
        assert profile.features[0].kind == "categorical"
        assert profile.features[0].n_distinct == 6
    # numbers of one width without a leading zero stay numbers
    plain = tmp_path / "plain.csv"
    plain.write_text("n,price\n" + "".join(f"{1000 + i},{i}\n" for i in range(30)))
    assert load_table(plain).numeric == ("n", "price")


def test_integers_beyond_float_precision_profile_as_floats(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "".join(f"{2**53 + i},{i}\n" for i in range(30)))
    for profile in (profile_path(path), profile_stream(path)):
        assert profile.features[0].max == pytest.approx(2.0**53 + 29, rel=1e-12)


def test_zero_padded_takes_any_values_a_series_included():
    import pandas as pd

    from advisor.io.codes import zero_padded

    codes = ["02134", "10001", "00501", "94105", "60601"]
    assert zero_padded(codes) and zero_padded(pd.Series(codes))
    assert not zero_padded(codes[:4])  # too few to be evidence
    assert not zero_padded(["0213", *codes[1:]])  # two widths
    assert not zero_padded(["12134", "10001", "20501", "94105", "60601"])  # no leading zero
    assert not zero_padded(["02134", "1000a", "00501", "94105", "60601"])
