"""The bad-input corpus: every malformed file or option gets exit code 2, one line naming
the file, column or row and what was expected, no traceback, and nothing written."""

from __future__ import annotations

import gzip
import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from advisor.cli import main

GOOD = "".join(f"{i},{i % 3},{'ab'[i % 2]}\n" for i in range(30))


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


def _nested_parquet() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 12  # enough rows that the nested column, not the row count, is what is met
    table = pa.table(
        {"a": list(range(n)), "b": [[i, 2] for i in range(n)], "y": [i % 2 for i in range(n)]}
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _workbook_bytes() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1, 2]}).to_excel(buffer, index=False)
    return buffer.getvalue()


# (name, file name, content (bytes or text), extra CLI args, expected message part)
CASES: list[tuple[str, str, bytes | str | None, tuple[str, ...], str]] = [
    ("missing-file", "data.csv", None, (), "file not found"),
    ("empty", "data.csv", "", (), "file is empty"),
    ("blank-lines", "data.csv", "\n\n\n", (), "file is empty"),
    ("header-only", "data.csv", "a,b\n", (), "header but no data rows"),
    ("ragged", "data.csv", "a,b\n1,2\n3\n", (), "line 3: expected 2 fields"),
    (
        "ragged-semicolon",
        "data.csv",
        "a;b\n1;2\n3;4;5\n",
        (),
        "found 3 (fields separated by semicolons)",
    ),
    ("non-utf8", "data.csv", b"a,b\n1,\xff\n", (), "not valid UTF-8"),
    ("latin-1", "data.csv", "a,b\ncaf\xe9,1\n".encode("latin-1"), (), "give --encoding"),
    (
        "unknown-encoding",
        "data.csv",
        "a,b\n1,2\n",
        ("--encoding", "klingon"),
        "unknown text encoding",
    ),
    ("bad-sep", "data.csv", "a,b\n1,2\n", ("--sep", ";;"), "--sep must be one character"),
    ("xls", "data.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), (), "old Excel workbook"),
    ("pdf", "data.csv", b"%PDF-1.4\n%" + bytes(40), (), "a PDF document"),
    ("png", "data.csv", b"\x89PNG\r\n\x1a\n" + bytes(40), (), "a PNG image"),
    ("zip", "data.csv", b"PK\x03\x04" + bytes(40), (), "a zip archive"),
    ("sqlite", "data.csv", b"SQLite format 3\x00" + bytes(40), (), "an SQLite database"),
    ("parquet-named-csv", "data.csv", b"PAR1" + bytes(40), (), "a Parquet file"),
    ("gzip-named-csv", "data.csv", gzip.compress(b"a,b\n1,2\n"), (), "a gzip file"),
    ("binary-nul", "data.csv", b"a,b\n1\x00,2\n", (), "a binary file"),
    ("truncated-gzip", "data.csv.gz", gzip.compress(("a,b\n" + GOOD).encode())[:30], (), "gzip"),
    ("not-gzip", "data.csv.gz", b"a,b\n1,2\n", (), "not a valid gzip file"),
    ("damaged-parquet", "data.parquet", b"PAR1garbagePAR1", (), "cannot read as Parquet"),
    ("directory", "", None, (), "no CSV or Parquet files in this directory"),
    ("duplicate-header", "data.csv", "a,a,b\n1,2,3\n4,5,6\n", (), "duplicate column name 'a'"),
    (
        "unknown-target",
        "data.csv",
        "a,b,c\n" + GOOD,
        ("--target", "price"),
        "target column 'price' not found",
    ),
    (
        "target-all-missing",
        "data.csv",
        "a,b\n1,\n2,\n3,\n",
        ("--target", "b"),
        "target has no values",
    ),
    (
        "target-one-value",
        "data.csv",
        "a,b\n" + "".join(f"{i},x\n" for i in range(15)),
        ("--target", "b"),
        "every row has the same value ('x')",
    ),
    (
        "target-one-number",
        "data.csv",
        "a,p\n" + "".join(f"{i},663000\n" for i in range(15)),
        ("--target", "p"),
        "every row has the same number (663000)",
    ),
    (
        "one-row-price",
        "data.csv",
        "a,price\n1,663000\n",
        ("--target", "price"),
        "1 row with a target value",
    ),
    (
        "too-few-rows",
        "data.csv",
        "a,b\n1,x\n2,y\n3,x\n",
        ("--target", "b"),
        "3 rows with a target value",
    ),
    (
        "target-emails",
        "data.csv",
        "a,m\n" + "".join(f"{i},u{i}@x.org\n" for i in range(30)),
        ("--target", "m"),
        "an identifier, not classes",
    ),
    (
        "target-dates",
        "data.csv",
        "a,d\n" + "".join(f"{i},2020-02-{i % 28 + 1:02d}\n" for i in range(30)),
        ("--target", "d"),
        "target looks like dates",
    ),
    (
        "target-free-text",
        "data.csv",
        "a,t\n" + "".join(f"{i},the order {i} arrived late and broken\n" for i in range(30)),
        ("--target", "t"),
        "target is free text",
    ),
    (
        "target-row-index",
        "data.csv",
        "a,r\n" + "".join(f"{i % 4},{i}\n" for i in range(30)),
        ("--target", "r"),
        "target counts rows",
    ),
    (
        "target-rare-class",
        "data.csv",
        "a,c\n" + "".join(f"{i},{'z' if i < 2 else 'xy'[i % 2]}\n" for i in range(30)),
        ("--target", "c"),
        "fewer rows than the 5 folds: 'z' (2 rows)",
    ),
    (
        "target-inf",
        "data.csv",
        "a,y\n" + "".join(f"{i},{i * 1.5}\n" for i in range(20)) + "21,inf\n",
        ("--target", "y", "--task", "regression"),
        "data row 21: regression target must be a finite number",
    ),
    (
        "target-text-regression",
        "data.csv",
        "a,y\n" + "".join(f"{i},{i}.5\n" for i in range(20)) + "21,abc\n",
        ("--target", "y", "--task", "regression"),
        "regression target must be a finite number, got 'abc'",
    ),
    (
        "no-usable-feature",
        "data.csv",
        "a,y\n" + "".join(f"x{i},{i % 2}\n" for i in range(40)),
        ("--target", "y"),
        "no usable feature column",
    ),
    ("bad-task", "data.csv", "a,b\n1,2\n", ("--task", "clustering"), "Invalid value for '--task'"),
    ("bad-budget", "data.csv", "a,b\n1,2\n", ("--budget", "huge"), "Invalid value for '--budget'"),
    (
        "bad-max-trials",
        "data.csv",
        "a,b\n1,2\n",
        ("--max-trials", "0"),
        "Invalid value for '--max-trials'",
    ),
    (
        "bad-sample-rows",
        "data.csv",
        "a,b\n1,2\n",
        ("--sample-rows", "5"),
        "Invalid value for '--sample-rows'",
    ),
    (
        "bad-scaler-syntax",
        "data.csv",
        "a,b,c\n" + GOOD,
        ("--scaler", "a:robust"),
        "--scaler expects COLUMN=KEY",
    ),
    (
        "unknown-scaler",
        "data.csv",
        "a,b,c\n" + GOOD,
        ("--scaler", "a=magic"),
        "unknown scaler 'magic'",
    ),
    (
        "override-unknown-column",
        "data.csv",
        "a,b,c\n" + GOOD,
        ("--drop", "zzz"),
        "override names unknown column 'zzz'",
    ),
    (
        "disable-unknown-rule",
        "data.csv",
        "a,b,c\n" + GOOD,
        ("--disable", "NRM999"),
        "cannot disable unknown rule 'NRM999'",
    ),
    (
        "groups-missing",
        "data.csv",
        "a,b,c\n" + GOOD,
        ("--target", "c", "--groups", "site"),
        "groups column 'site' not found",
    ),
    (
        "time-order-missing",
        "data.csv",
        "a,b,c\n" + GOOD,
        ("--target", "c", "--time-order", "t"),
        "time_order column 't' not found",
    ),
    ("nested-parquet", "data.parquet", None, ("--target", "y"), "data.parquet"),
    (
        "huge-integers",
        "data.csv",
        "a,y\n" + "".join(f"{i * 10**30},{i}.5\n" for i in range(20)),
        ("--target", "y"),
        "",
    ),
    (
        "repeated-header",
        "data.csv",
        "a,b,y\n"
        + "".join(f"{i},{i % 3},{i}.5\n" for i in range(15))
        + "a,b,y\n"
        + "".join(f"{i},{i % 3},{i}.5\n" for i in range(15)),
        ("--target", "y", "--task", "regression"),
        "regression target must be a finite number, got 'y'",
    ),
    (
        "all-empty-block",
        "data.csv",
        "a,b,y\n" + "".join(f"{i},{i % 3},{i}.5\n" for i in range(15)) + ",,\n" * 10,
        ("--target", "y", "--task", "regression"),
        "",
    ),
    ("bad-seed", "data.csv", "a,b,c\n" + GOOD, ("--seed", "abc"), "not a valid integer"),
    ("bad-decimal", "data.csv", "a,b,c\n" + GOOD, ("--decimal", "x"), "'x' is not one of"),
    ("long-sep", "data.csv", "a,b,c\n" + GOOD, ("--sep", "ab"), "must be one character"),
    ("negative-time-limit", "data.csv", "a,b,c\n" + GOOD, ("--time-limit", "-5"), "x>=0"),
    ("rules-file-missing", "data.csv", "a,b,c\n" + GOOD, ("--rules", "none.toml"), "not exist"),
    ("drop-unknown-column", "data.csv", "a,b,c\n" + GOOD, ("--drop", "zz"), "column 'zz'"),
    ("keep-unknown-column", "data.csv", "a,b,c\n" + GOOD, ("--keep", "zz"), "column 'zz'"),
    ("header-then-blank-lines", "data.csv", "a,b\n\n\n", (), "header but no data rows"),
    ("empty-gzip", "data.csv.gz", gzip.compress(b""), (), "file is empty"),
    ("bom-only", "data.csv", b"\xef\xbb\xbf", (), "file is empty"),
    (
        "rare-classes-all-dropped",
        "data.csv",
        "a,b,y\n" + "".join(f"{i},{i % 3},{'a' if i < 28 else 'b'}\n" for i in range(30)),
        ("--target", "y", "--drop-rare-classes"),
        "fewer than two classes left after dropping the rare ones",
    ),
]
LONG = {"huge-integers", "all-empty-block", "nested-parquet"}  # these may succeed (train)


@pytest.mark.parametrize(
    ("case", "name", "content", "args", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    tmp_path, case, name, content, args, message
):
    path = tmp_path / name if name else tmp_path / "a-directory"
    if case == "directory":
        path.mkdir()
    elif case == "nested-parquet":
        path.write_bytes(_nested_parquet())
    elif content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    out = tmp_path / "out.json"
    if case in LONG:
        args = (*args, "--max-trials", "1")
    result = CliRunner().invoke(main, [str(path), *args, "--json", str(out)])
    if case in LONG and result.exit_code == 0:
        assert out.exists() and json.loads(out.read_text())["schema"]  # read as data: fine
        return
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and "\\x" not in result.output
    error_lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(error_lines) <= 4, result.output  # click's usage errors add a usage line
    assert not out.exists()
    assert list(tmp_path.glob("*.tmp")) == []


def test_the_corpus_covers_at_least_sixty_cases():
    # with tests/io/test_formats.py (binary files, encodings) and tests/cli/test_cli.py
    assert len(CASES) >= 60
