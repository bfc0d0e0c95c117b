"""`advisor.plan.encodings`: the piecewise-linear encoding against its published
definition, the rules' bin counts, and the encoding as a fitted step of the pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advisor.plan.encodings import (
    MAX_BINS,
    MAX_ENCODED_INPUTS,
    MIN_BINS,
    ple,
    ple_bins,
    quantile_edges,
)
from advisor.plan.pipeline import PlanTransformer
from advisor.plan.plans import InputPlan


def _by_definition(x: float, edges: np.ndarray) -> list[float]:
    """Gorishniy et al. 2022, eq. 1, with rtdl_num_embeddings' outer sides unclipped."""
    bins = len(edges) - 1
    out = []
    for t in range(1, bins + 1):
        left, right = edges[t - 1], edges[t]
        ratio = (x - left) / (right - left)
        if bins > 1 and x < left and t > 1:
            out.append(0.0)
        elif bins > 1 and x >= right and t < bins:
            out.append(1.0)
        else:
            out.append(ratio)
    return out


def test_ple_is_the_papers_encoding_inside_and_outside_the_training_range():
    rng = np.random.default_rng(0)
    train = rng.gamma(2.0, size=400)
    edges = quantile_edges(train, 12)
    np.testing.assert_allclose(edges, np.unique(np.quantile(train, np.linspace(0, 1, 13))))
    probe = np.concatenate([rng.gamma(2.0, size=40), [-1.0, 50.0, edges[3]]])
    expected = np.array([_by_definition(v, edges) for v in probe])
    np.testing.assert_allclose(ple(probe, edges), expected, atol=1e-12)


def test_the_rules_set_each_columns_bins_from_its_distinct_values():
    bins = dict(ple_bins({"many": 5000, "few": 7, "binary": 2, "three": 3}))
    assert bins == {"many": MAX_BINS, "few": 6, "three": 2}  # binary: not encoded
    wide = dict(ple_bins({f"x{i}": 1000 for i in range(200)}))
    assert sum(wide.values()) <= MAX_ENCODED_INPUTS and min(wide.values()) >= MIN_BINS


def _frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.lognormal(size=n),
            "b": rng.normal(size=n),
            "flag": rng.integers(0, 2, n).astype(float),
            "colour": rng.choice(["red", "blue"], n),
        }
    )
    frame.loc[::9, "a"] = np.nan
    return frame


def test_the_pipeline_encodes_its_binned_columns_in_place_fitted_on_training_rows():
    plan = InputPlan("rules", (("a", "robust_clip"), ("b", "standard"), ("flag", "minmax")),
                     categorical=("colour",))  # fmt: skip
    frame = _frame()
    plain = PlanTransformer(plan).fit(frame)
    encoded = PlanTransformer(plan, bins=(("a", 10), ("b", 8))).fit(frame)
    z, z_plain = encoded.transform(frame), plain.transform(frame)
    names = list(encoded.get_feature_names_out())
    assert names[:10] == [f"a__ple{i}" for i in range(10)] and names[18] == "flag"
    assert z.shape == (len(frame), z_plain.shape[1] - 2 + 18)
    assert np.isfinite(z).all()
    # "a" is scaled and imputed first, then encoded in bins of the scaled training values
    np.testing.assert_allclose(z[:, :10], ple(z_plain[:, 0], encoded.edges_[0]))
    np.testing.assert_array_equal(z[:, 18:], z_plain[:, 2:])  # the rest is unchanged
    # the edges come from the rows the pipeline was fitted on, not from what it transforms
    other = _frame(seed=1)
    refit = PlanTransformer(plan, bins=(("a", 10), ("b", 8))).fit(other)
    assert not np.allclose(refit.edges_[1], encoded.edges_[1])
    np.testing.assert_allclose(encoded.transform(other)[:, 10:18],
                               ple(plain.transform(other)[:, 1], encoded.edges_[1]))  # fmt: skip


def test_an_encoded_pipeline_survives_the_advice_files_serializer():
    from advisor.advice import serialize
    from advisor.rules.autoscaler import AutoScaler

    plan = InputPlan("rules", (("a", "robust_clip"), ("b", "standard")))
    frame = _frame()
    fitted = AutoScaler(plan=plan, bins=(("a", 6),)).fit(frame)
    again = serialize.load(serialize.dump(fitted))
    np.testing.assert_array_equal(again.transform(frame), fitted.transform(frame))
    assert again.bins == (("a", 6),)


@pytest.mark.parametrize("bins", [1, 3])
def test_few_bins_are_not_clipped_on_the_outer_sides(bins):
    edges = np.linspace(0.0, 1.0, bins + 1)
    out = ple(np.array([-0.5, 1.5]), edges)
    assert out[0, 0] < 0 and out[1, -1] > 1
