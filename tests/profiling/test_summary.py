"""Table summaries merge: two halves summarized apart equal one pass over the whole."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from advisor.profiling.sketch import NumericAccumulator
from advisor.profiling.summary import TableSummary, summary_features


def _accumulate(values: np.ndarray, cut: int) -> tuple[NumericAccumulator, NumericAccumulator]:
    whole = NumericAccumulator()
    whole.update(values)
    first, later = NumericAccumulator(), NumericAccumulator()
    first.update(values[:cut])
    later.update(values[cut:])
    return whole, first.merge(later)


@pytest.mark.parametrize("cut", [0, 1, 500, 999, 1000])
def test_merged_accumulators_equal_one_pass(cut):
    rng = np.random.default_rng(1)
    values = np.round(rng.normal(0, 3, 1000), 1)
    values[[5, 600]] = values.max() + 1  # the maximum twice, one in each half
    whole, merged = _accumulate(values, cut)
    for key in ("n_rows", "missing", "zeros", "negatives", "min", "max", "count_at_min",
                "count_at_max", "integer_valued", "increasing", "n_distinct"):  # fmt: skip
        assert getattr(merged, key) == getattr(whole, key), key
    assert merged.moments.mean == pytest.approx(whole.moments.mean, rel=1e-12)
    assert merged.moments.m4 == pytest.approx(whole.moments.m4, rel=1e-9)


def test_increasing_survives_a_merge_only_when_the_halves_join_in_order():
    index = np.arange(100, dtype=float)
    assert _accumulate(index, 40)[1].increasing
    first, later = NumericAccumulator(), NumericAccumulator()
    first.update(index[40:])
    later.update(index[:40])
    assert not first.merge(later).increasing


def test_table_summaries_merge_into_the_profile_of_the_whole():
    rng = np.random.default_rng(2)
    table = pa.table(
        {
            "x": rng.lognormal(0, 1, 4000),
            "k": pa.array(rng.choice(["a", "b", None], 4000).tolist(), pa.string()),
        }
    )
    kinds = {"x": "number", "k": "text"}
    whole = TableSummary(["x", "k"], kinds, seed=0, sample_rows=500)
    whole.update(table)
    first = TableSummary(["x", "k"], kinds, seed=0, sample_rows=500)
    later = TableSummary(["x", "k"], kinds, seed=0, sample_rows=500)
    first.update(table.slice(0, 1234))
    later.update(table.slice(1234), start=1234)  # where its rows sit in the whole
    merged = first.merge(later)
    assert merged.n_rows == 4000 and merged.text_missing == whole.text_missing
    for a, b in zip(summary_features(whole)[0], summary_features(merged)[0], strict=True):
        assert a.name == b.name and a.q50 == b.q50 and a.top_categories == b.top_categories
        assert b.mean == pytest.approx(a.mean, rel=1e-12)
    with pytest.raises(ValueError, match="other columns"):
        merged.merge(TableSummary(["x"], {"x": "number"}))
