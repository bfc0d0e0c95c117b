"""The target's links: how much linear signal a column carries, and what of it survives
the baseline scaler's clip (rule NRM024 reads them)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advisor.plan.catalog import FitContext, make_scaler
from advisor.profiling.profile import profile_stream, profile_table
from advisor.rules.target_links import (
    clipped,
    squared_correlation,
    with_links_of,
    with_target_links,
)
from advisor.table.load import load_table


def _frame(n: int = 500) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    counts = np.round(rng.lognormal(2.0, 1.5, n))
    return pd.DataFrame(
        {
            "counts": counts,
            "plain": rng.normal(size=n),
            "flag": rng.integers(0, 2, n).astype(float),
            "y": counts + rng.normal(0, 5, n),
        }
    )


def test_the_squared_correlation_and_the_clip_are_the_usual_ones():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=200), rng.normal(size=200)
    assert squared_correlation(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2)
    assert squared_correlation(np.ones(5), np.arange(5.0)) is None  # constant: undefined
    heavy = rng.lognormal(0, 2, 200)
    scaler = make_scaler("robust_clip", FitContext(200))
    expected = scaler.fit_transform(heavy.reshape(-1, 1))[:, 0]  # type: ignore[union-attr]
    assert np.allclose(clipped(heavy), expected)  # the catalog's baseline scaler, not a copy


def test_a_regression_profile_links_each_numeric_column_to_the_target():
    frame = _frame()
    table = load_table(frame, target="y", task="regression")
    profile = with_target_links(profile_table(table), table)
    counts, plain = profile.feature("counts"), profile.feature("plain")
    assert counts.target_r2 == pytest.approx(np.corrcoef(frame.counts, frame.y)[0, 1] ** 2)
    # The target follows the counts' long tail; the clip flattens it.
    assert counts.target_r2 > 0.9 and counts.target_r2_clipped < 0.5 * counts.target_r2
    assert plain.target_r2 is not None and plain.target_r2 < 0.05
    assert profile.feature("flag").target_r2 is None  # binary: nothing to clip
    # Classification, and a table without a target: no links.
    labels = frame.assign(y=np.where(frame.y > frame.y.median(), "hi", "lo"))
    for plain_table in (load_table(labels, target="y", task="classification"), load_table(frame)):
        linked = with_target_links(profile_table(plain_table), plain_table)
        assert all(f.target_r2 is None for f in linked.features)


def test_the_cluster_path_links_the_rows_the_search_uses_to_the_full_statistics(tmp_path):
    """On a cluster the columns' statistics come from every row and the links from the
    loaded sample (the rows the search uses): the links survive the merge, as in
    `advisor.api.run_stages`."""
    from advisor.cluster.profile import with_full_statistics

    frame = _frame()
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    table = load_table(frame, target="y", task="regression")
    in_memory = with_target_links(profile_table(table), table)
    full = profile_stream(path)  # the cluster's statistics: no target beside the columns
    merged = with_target_links(with_full_statistics(profile_table(table), full), table)
    for name in ("counts", "plain"):
        assert merged.feature(name).target_r2 == in_memory.feature(name).target_r2
        assert merged.feature(name).target_r2_clipped == in_memory.feature(name).target_r2_clipped


def test_huge_values_correlate_as_their_scaled_copies():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=100), rng.normal(size=100)
    assert squared_correlation(x * 1e306, y * 1e200) == pytest.approx(squared_correlation(x, y))


def test_a_check_without_the_target_keeps_the_links_the_advice_was_made_with():
    frame = _frame()
    table = load_table(frame, target="y", task="regression")
    made = with_target_links(profile_table(table), table)
    before = {"features": [f.to_dict() for f in made.features]}
    new_rows = load_table(frame.drop(columns="y"))
    kept = with_links_of(with_target_links(profile_table(new_rows), new_rows), before)
    assert kept.feature("counts").target_r2 == made.feature("counts").target_r2
    assert kept.feature("counts").target_r2_clipped == made.feature("counts").target_r2_clipped
    # A file from before the links (none recorded): nothing to keep.
    old = {
        "features": [
            {k: v for k, v in f.items() if "target_r2" not in k} for f in before["features"]
        ]
    }
    assert with_links_of(profile_table(new_rows), old).feature("counts").target_r2 is None


def test_the_autoscaler_reads_the_links_of_a_regression_target_it_is_fit_with():
    from advisor.rules.autoscaler import AutoScaler

    frame = _frame()
    x, y = frame.drop(columns="y"), frame["y"]
    assert AutoScaler().fit(x, y).scalers_["counts"] == "standard"  # NRM024, as in advise
    assert AutoScaler().fit(x).scalers_["counts"] != "standard"
    labels = np.where(y > y.median(), 1, 0)  # a class label: no links
    assert AutoScaler().fit(x, labels).scalers_["counts"] != "standard"


def test_the_check_knows_every_link_field_and_which_rules_read_them():
    """`advise check` leaves out the rules that read the links against an advice from
    before them: its list of link fields is the one `with_target_links` fills in."""
    from advisor.check.rule_changes import LINK_FIELDS
    from advisor.rules.engine import load_rules

    table = load_table(_frame(), target="y", task="regression")
    profile = profile_table(table)
    before, after = profile.feature("counts"), with_target_links(profile, table).feature("counts")
    filled = {k for k, v in vars(after).items() if v != vars(before)[k]}
    assert filled == LINK_FIELDS
    readers = {r.id for r in load_rules().rules if LINK_FIELDS & set(r.condition.fields)}
    assert "NRM024" in readers
