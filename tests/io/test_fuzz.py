"""Random bytes and random small CSVs at the loader: every outcome is a table or an
`InputError`, never another exception."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import InputError
from advisor.profiling.profile import profile_path
from advisor.table.load import load_table

FIXTURE = [HealthCheck.function_scoped_fixture]  # tmp_path is reused, and rewritten each time
CELLS = st.one_of(
    st.sampled_from(["", "NA", "?", "-", "nan", "inf", "-inf", "1e309", "0", "1.5", "1,5"]),
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet=string.ascii_letters + string.digits + " ,;\t|\"'-./:", max_size=8),
)


@st.composite
def small_csvs(draw: st.DrawFn) -> bytes:
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    n_cols = draw(st.integers(1, 4))
    header = [
        draw(st.text(alphabet=string.ascii_letters, min_size=1, max_size=4)) for _ in range(n_cols)
    ]
    rows = draw(st.lists(st.lists(CELLS, min_size=n_cols, max_size=n_cols), max_size=12))
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "utf-8-sig", "latin-1"]))
    return text.encode(encoding, errors="replace")


def _outcome(path, target=None):
    try:
        table = load_table(path, target=target)
    except InputError as exc:
        assert "\n" not in str(exc) and "Traceback" not in str(exc)
        return
    assert table.n_rows >= 1


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_random_bytes_give_a_table_or_an_input_error(tmp_path, data):
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    _outcome(path)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=small_csvs(), use_target=st.booleans())
def test_random_small_csvs_give_a_table_or_an_input_error(tmp_path, data, use_target):
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    target = None
    if use_target:
        try:
            target = str(load_table(path).features.columns[-1])
        except InputError:
            target = None
    _outcome(path, target)


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=small_csvs())
def test_random_small_csvs_profile_or_give_an_input_error(tmp_path, data):
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    try:
        profile_path(path)
    except InputError as exc:
        assert "\n" not in str(exc)
