"""Profiling: every statistic against a reference computation, kinds, bounds, edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from advisor.load import load_table
from advisor.profile import profile_numeric, profile_table


def test_statistics_match_numpy_and_scipy(shapes):
    x = shapes["lognormal"].copy()
    x[:10] = np.nan
    x[10:13] = np.inf
    p = profile_numeric(x, "x")
    finite = x[np.isfinite(x)]
    assert p.count == finite.size and p.missing == 10 and p.non_finite == 3
    assert p.missing_share == pytest.approx(13 / x.size)
    assert p.mean == pytest.approx(finite.mean(), rel=1e-12)
    assert p.std == pytest.approx(finite.std(ddof=1), rel=1e-12)
    assert p.skew == pytest.approx(stats.skew(finite, bias=False), rel=1e-9)
    assert p.kurtosis == pytest.approx(stats.kurtosis(finite, bias=False), rel=1e-9)
    q = np.quantile(finite, [0.01, 0.25, 0.5, 0.75, 0.99])
    assert (p.q01, p.q25, p.q50, p.q75, p.q99) == pytest.approx(tuple(q))
    iqr = q[3] - q[1]
    assert p.iqr == pytest.approx(iqr)
    assert p.outlier_share_15 == pytest.approx(
        np.mean((finite < q[1] - 1.5 * iqr) | (finite > q[3] + 1.5 * iqr))
    )
    assert p.outlier_share_3 == pytest.approx(
        np.mean((finite < q[1] - 3 * iqr) | (finite > q[3] + 3 * iqr))
    )
    assert p.mad == pytest.approx(np.median(np.abs(finite - np.median(finite))))
    assert p.log_skew == pytest.approx(stats.skew(np.log1p(finite), bias=False), rel=1e-9)
    assert p.normality_test == "shapiro-wilk"
    assert p.normality_p == pytest.approx(stats.shapiro(finite).pvalue, rel=1e-6)


def test_normality_test_switches_to_dagostino_above_5000_values():
    x = np.random.default_rng(1).normal(size=6000)
    p = profile_numeric(x, "x")
    assert p.normality_test == "dagostino-pearson"
    assert p.normality_p == pytest.approx(stats.normaltest(x).pvalue, rel=1e-6)


@pytest.mark.parametrize(
    ("name", "kind", "bounds"),
    [
        ("gaussian", "continuous", None),
        ("uniform01", "continuous", "unit"),
        ("pixels", "integer", "byte"),
        ("binary", "binary", "unit"),
        ("constant", "constant", None),
        ("lognormal", "continuous", None),
    ],
)
def test_kinds_and_natural_bounds(shapes, name, kind, bounds):
    p = profile_numeric(shapes[name], name)
    assert p.kind == kind
    assert p.bounds == bounds


def test_measurements_inside_0_255_are_not_called_intensities():
    x = np.random.default_rng(0).integers(172, 232, 300).astype(float)
    assert profile_numeric(x, "flipper").bounds is None


def test_percentages_reaching_near_zero_are_percent():
    x = np.random.default_rng(0).uniform(2, 97, 300)
    assert profile_numeric(x, "pct").bounds == "percent"


def test_row_index_is_id_like():
    assert profile_numeric(np.arange(100, dtype=float), "idx").kind == "id-like"


def test_shape_statistics_separate_the_generated_shapes(shapes):
    assert abs(profile_numeric(shapes["gaussian"], "g").skew) < 0.2
    assert profile_numeric(shapes["lognormal"], "l").skew > 2
    assert profile_numeric(shapes["cauchy"], "c").kurtosis > 50
    z = profile_numeric(shapes["zero_inflated"], "z")
    assert z.zero_share > 0.7 and z.iqr == 0


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (np.array([]), "empty"),
        (np.array([np.nan, np.nan]), "empty"),
        (np.array([3.0]), "constant"),
        (np.array([np.inf, -np.inf, 1.0]), "constant"),
        (np.array([1e308, -1e308, 0.5, 5.25, 1e308]), "continuous"),
    ],
    ids=["empty", "all-nan", "one-row", "inf", "huge"],
)
def test_edge_cases_give_defined_results(values, kind):
    p = profile_numeric(values, "x")
    assert p.kind == kind
    for value in (p.mean, p.std, p.skew, p.kurtosis):
        assert value is None or np.isfinite(value)


def test_dataset_profile_of_penguins(penguins_path):
    profile = profile_table(load_table(penguins_path, target="species"))
    assert profile.n_classes == 3
    assert profile.feature("island").kind == "categorical"
    assert profile.feature("body_mass_g").missing == 2
    assert profile.scale_ratio > 100  # grams next to millimetres
