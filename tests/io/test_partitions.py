"""DATA as a directory or glob of CSV/Parquet partitions: the files found, one schema
enforced with one-line errors, and the same profile, advice and check as one file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from advisor import advise, profile_dataset
from advisor.check.check import check
from advisor.cli import main
from advisor.errors import InputError
from advisor.io.partitions import is_partitioned, resolve_partitions
from advisor.profiling.profile import profile_path

EXACT = ("count", "missing", "min", "max", "mean", "std", "skew", "kurtosis", "zero_share")
SKETCHED = ("q01", "q25", "q50", "q75", "q99", "iqr", "mad", "outlier_share_3")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 3000
    return pd.DataFrame(
        {
            "gauss": rng.normal(10, 2, n),
            "lognorm": rng.lognormal(0, 1, n),
            "zeros": np.where(rng.random(n) < 0.7, 0.0, rng.poisson(3, n)),
            "colour": rng.choice(["red", "green", "blue"], n),
            "y": rng.choice(["a", "b"], n),
        }
    )


@pytest.fixture(scope="module")
def parts(frame, tmp_path_factory):
    """The frame as one CSV and as a directory of 5 partitions (CSV and Parquet, one in a
    subdirectory), plus files a reader must skip."""
    root = tmp_path_factory.mktemp("parts")
    whole = root / "whole.csv"
    frame.to_csv(whole, index=False)
    folder = root / "data"
    (folder / "sub").mkdir(parents=True)
    pieces = np.array_split(np.arange(len(frame)), 5)
    for i, rows in enumerate(pieces):
        piece = frame.iloc[rows]
        if i % 2:
            piece.to_parquet(folder / f"part-{i}.parquet", index=False)
        else:
            target = folder / "sub" if i == 4 else folder
            piece.to_csv(target / f"part-{i}.csv", index=False)
    (folder / "_SUCCESS").write_text("")
    (folder / ".part-0.csv.crc").write_text("junk")
    return whole, folder


def test_a_directory_and_a_glob_name_their_files_in_path_order(parts):
    _, folder = parts
    names = [p.relative_to(folder).as_posix() for p in resolve_partitions(folder)]
    assert names == [
        "part-0.csv",
        "part-1.parquet",
        "part-2.csv",
        "part-3.parquet",
        "sub/part-4.csv",
    ]
    assert [p.name for p in resolve_partitions(f"{folder}/part-*.csv")] == [
        "part-0.csv",
        "part-2.csv",
    ]
    assert is_partitioned(folder) and not is_partitioned(folder / "part-0.csv")


def test_empty_directory_and_unmatched_glob_are_one_line_errors(tmp_path):
    with pytest.raises(InputError, match="no CSV or Parquet files in this directory"):
        resolve_partitions(tmp_path)
    with pytest.raises(InputError, match="the pattern matches no CSV or Parquet files"):
        resolve_partitions(tmp_path / "*.parquet")


@pytest.mark.parametrize("streaming", [False, True])
def test_partitions_profile_like_the_whole_file(parts, streaming):
    whole, folder = parts
    one = profile_path(whole, streaming=streaming)
    many = profile_path(folder, streaming=streaming)
    assert many.n_rows == one.n_rows == 3000
    for a, b in zip(one.features, many.features, strict=True):
        assert (a.name, a.kind) == (b.name, b.kind)
        if a.kind == "categorical":
            assert a.top_categories == b.top_categories
            continue
        for key in EXACT:
            assert getattr(b, key) == pytest.approx(getattr(a, key), rel=1e-9, abs=1e-12), key
        for key in SKETCHED:
            # The row sample depends on the rows' values only: the same with partitions.
            assert getattr(b, key) == getattr(a, key), key


def test_a_partition_with_another_schema_names_the_file_and_the_column(frame, tmp_path):
    frame.iloc[:100].to_csv(tmp_path / "a.csv", index=False)
    frame.iloc[100:200].drop(columns="zeros").to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(InputError, match=r"b\.csv: column 'zeros' is missing"):
        profile_dataset(tmp_path)
    with pytest.raises(InputError, match=r"b\.csv: column 'zeros' is missing"):
        advise(tmp_path)
    (tmp_path / "b.csv").unlink()
    # Parquet declares its types: numbers in one file and text in another differ.
    (tmp_path / "a.csv").unlink()
    frame.iloc[:100].to_parquet(tmp_path / "a.parquet", index=False)
    retyped = frame.iloc[100:200].assign(gauss="high")
    retyped.to_parquet(tmp_path / "b.parquet", index=False)
    for call in (lambda: profile_dataset(tmp_path), lambda: advise(tmp_path)):
        with pytest.raises(InputError) as info:
            call()
        message = str(info.value)
        assert "b.parquet, column 'gauss': text here but numbers" in message
        assert "\n" not in message
    result = CliRunner().invoke(main, ["profile", str(tmp_path)])
    assert result.exit_code == 2 and "b.parquet, column 'gauss'" in result.output
    assert "Traceback" not in result.output


def test_a_text_column_of_digits_in_one_partition_stays_text(tmp_path):
    pd.DataFrame({"x": [1.0, 2.0, 3.0] * 20, "code": ["A1", "B2", "C3"] * 20}).to_csv(
        tmp_path / "a.csv", index=False
    )
    pd.DataFrame({"x": [4.0, 5.0, 6.0] * 20, "code": ["11", "12", "13"] * 20}).to_csv(
        tmp_path / "b.csv", index=False
    )
    for streaming in (False, True):
        profile = profile_path(tmp_path, streaming=streaming)
        assert profile.feature("code").kind == "categorical"
        assert profile.n_rows == 120


def test_advise_and_check_read_a_directory_like_the_whole_file(parts):
    whole, folder = parts
    one = advise(whole, target="y", max_trials=1)
    many = advise(folder, target="y", max_trials=1)
    assert many.plan == one.plan
    assert many.profile["n_rows"] == 3000
    result = check(folder, one)
    assert not result.fails("warning")
    cli = CliRunner().invoke(main, [str(folder)])
    assert cli.exit_code == 0, cli.output
    assert "3000 rows" in cli.output


def test_empty_partitions_are_skipped_and_a_glob_skips_marker_files(frame, tmp_path):
    frame.iloc[:50].to_csv(tmp_path / "a.csv", index=False)
    frame.iloc[:0].to_parquet(tmp_path / "b.parquet", index=False)  # Spark writes these
    frame.iloc[:0].to_csv(tmp_path / "c.csv", index=False)
    (tmp_path / "_SUCCESS").write_text("")
    assert [p.name for p in resolve_partitions(tmp_path)] == ["a.csv"]
    assert [p.name for p in resolve_partitions(f"{tmp_path}/*")] == ["a.csv"]
    for streaming in (False, True):
        assert profile_path(tmp_path, streaming=streaming).n_rows == 50
    (tmp_path / "a.csv").unlink()
    with pytest.raises(InputError, match="every partition is empty"):
        resolve_partitions(tmp_path)


def test_streaming_infers_types_from_the_block_it_reads(tmp_path):
    # A text column empty for its first 1.5 MB: the schema and the reader must agree.
    path = tmp_path / "sparse.csv"
    rows = ["a,note"] + [f"{i}," for i in range(150_000)] + [f"{i},hello" for i in range(100)]
    path.write_text("\n".join(rows) + "\n")
    profile = profile_path(path, streaming=True)
    assert profile.feature("note").kind in ("categorical", "constant")
