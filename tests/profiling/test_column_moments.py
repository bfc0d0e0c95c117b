"""The profile's moments: from distinct values and counts, or row by row, the same numbers;
Arrow columns read as float64 without pandas."""

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from advisor.profiling import colstats
from advisor.profiling.colstats import Moments
from advisor.profiling.profile import _float64_values


@pytest.mark.parametrize(
    "values",
    [
        np.random.default_rng(0).poisson(3.0, 20_000).astype(float),  # few distinct: runs
        np.random.default_rng(1).integers(0, 256, 20_000).astype(float),
        np.random.default_rng(2).lognormal(0.0, 1.0, 20_000),  # all distinct: rows
    ],
)
def test_column_moments_equal_the_row_by_row_moments(values):
    ordered = np.sort(values)
    changes = ordered[1:] != ordered[:-1]
    scale = colstats.power_of_two_scale(float(np.abs(values).max()))
    moments, logs = colstats.column_moments(
        values, ordered, changes, int(changes.sum()) + 1, scale, True
    )
    rows = Moments.of(values, scale)
    row_logs = Moments.of(np.log1p(values))
    for got, want in ((moments, rows), (logs, row_logs)):
        assert got.n == want.n
        assert got.skew == pytest.approx(want.skew, rel=1e-9, abs=1e-12)
        assert got.kurtosis == pytest.approx(want.kurtosis, rel=1e-9)
        assert got.mean_value == pytest.approx(want.mean_value, rel=1e-12)


def test_arrow_columns_become_float64_with_nulls_as_nan():
    cases = [
        (pa.chunked_array([[1.0, None, 3.0], [4.0]]), [1.0, np.nan, 3.0, 4.0]),
        (pa.chunked_array([[1, 2, None]]), [1.0, 2.0, np.nan]),
        (pa.chunked_array([[True, None, False]]), [1.0, np.nan, 0.0]),
        (pa.chunked_array([pa.nulls(2)]), [np.nan, np.nan]),
        (pa.chunked_array([[1.5, 2.5, 3.5]]).slice(1), [2.5, 3.5]),
    ]
    for column, expected in cases:
        np.testing.assert_array_equal(_float64_values(column), np.array(expected))


def test_profiling_a_numeric_csv_does_not_import_pandas(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i * 0.5}\n" for i in range(200)))
    code = (
        "import sys; from advisor.profiling.profile import profile_path; "
        f"p = profile_path({str(path)!r}, streaming=False); "
        "assert 'pandas' not in sys.modules, 'pandas imported'; print(len(p.features))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "2"
