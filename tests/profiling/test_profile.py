"""Profiling: every statistic against a reference computation on the whole column, kinds and
bounds, the streaming path against the in-memory one, and edge cases that must not crash."""

from __future__ import annotations

import gzip
import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from advisor.profiling.colstats import Moments
from advisor.profiling.column import profile_numeric
from advisor.profiling.profile import profile_path, profile_stream, profile_table
from advisor.profiling.types import FeatureProfile
from advisor.table.load import load_table

EXACT = (
    "count", "missing", "non_finite", "n_distinct", "min", "max", "mean", "std", "skew",
    "kurtosis", "zero_share", "negative", "positive", "integer_valued", "kind", "bounds",
    "log_skew", "dagostino_k2", "dagostino_p", "share_at_min", "share_at_max", "bimodality",
    "zero_inflated", "gaussian_like", "multimodal",
)  # fmt: skip
ORDER = ("q01", "q25", "q50", "q75", "q99", "iqr", "mad", "outlier_share_15",
         "outlier_share_3", "robust_z_share", "tail_ratio", "quantile_skew")  # fmt: skip


def _reference(x: np.ndarray) -> dict[str, float]:
    """The statistics computed directly with numpy and scipy on the whole column."""
    f = x[np.isfinite(x)]
    q01, q25, q50, q75, q99 = np.quantile(f, [0.01, 0.25, 0.5, 0.75, 0.99])
    iqr = q75 - q25
    mad = np.median(np.abs(f - q50))
    robust_z = np.abs(f - q50) / (1.482602218505602 * mad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k2, k2_p = stats.normaltest(f)
    g1, g2 = stats.skew(f, bias=False), stats.kurtosis(f, bias=False)
    n = f.size
    return {
        "count": n,
        "mean": f.mean(),
        "std": f.std(ddof=1),
        "skew": g1,
        "kurtosis": g2,
        "min": f.min(),
        "max": f.max(),
        "q01": q01, "q25": q25, "q50": q50, "q75": q75, "q99": q99,
        "iqr": iqr,
        "mad": mad,
        "zero_share": np.mean(f == 0),
        "outlier_share_15": np.mean((f < q25 - 1.5 * iqr) | (f > q75 + 1.5 * iqr)),
        "outlier_share_3": np.mean((f < q25 - 3 * iqr) | (f > q75 + 3 * iqr)),
        "robust_z_share": np.mean(robust_z > 3.5) if mad > 0 else np.nan,
        "tail_ratio": (q99 - q01) / iqr / (2 * 2.326347874 / 1.348979500),
        "quantile_skew": (q75 + q25 - 2 * q50) / iqr,
        "n_distinct": np.unique(f).size,
        "dagostino_k2": k2,
        "dagostino_p": k2_p,
        "bimodality": (g1**2 + 1) / (g2 + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))),
        "share_at_min": np.mean(f == f.min()),
        "share_at_max": np.mean(f == f.max()),
    }  # fmt: skip


@pytest.mark.parametrize("shape", ["gaussian", "lognormal", "cauchy", "zero_inflated", "pixels"])
def test_every_statistic_matches_numpy_and_scipy(shapes, shape):
    x = shapes[shape].copy()
    x[:10] = np.nan
    x[10:13] = np.inf
    p = profile_numeric(x, "x")
    with np.errstate(all="ignore"):
        reference = _reference(x)
    for key, expected in reference.items():
        if not np.isfinite(expected):  # IQR or MAD of zero: the statistic is undefined
            assert getattr(p, key) is None, key
            continue
        assert getattr(p, key) == pytest.approx(expected, rel=1e-9, abs=1e-12), key
    assert p.missing == 10 and p.non_finite == 3
    assert p.missing_share == pytest.approx(13 / x.size)


def test_normality_tests_match_scipy(shapes):
    x = shapes["lognormal"][:3000]
    p = profile_numeric(x, "x")
    assert p.normality_test == "shapiro-wilk"
    assert p.shapiro_p == pytest.approx(stats.shapiro(x).pvalue, rel=1e-6)
    a2 = stats.anderson(x, dist="norm", method="interpolate").statistic
    assert p.anderson_a2 == pytest.approx(a2, rel=1e-9)
    assert p.anderson_p < 0.01
    assert p.log_skew == pytest.approx(stats.skew(np.log1p(x), bias=False), rel=1e-9)


def test_large_samples_use_dagostino_and_effect_sizes_not_p_alone():
    x = np.random.default_rng(1).normal(size=200_000) + 0.02 * np.random.default_rng(2).standard_t(
        3, 200_000
    )
    p = profile_numeric(x, "x")
    assert p.normality_test == "dagostino-pearson" and p.shapiro_w is None
    assert p.gaussian_like is True  # tiny skew and kurtosis, whatever the p-value says


@pytest.mark.parametrize(
    ("name", "kind", "bounds"),
    [
        ("gaussian", "continuous", None),
        ("uniform01", "continuous", "unit"),
        ("pixels", "count", "byte"),
        ("binary", "binary", "unit"),
        ("constant", "constant", None),
        ("lognormal", "continuous", None),
    ],
)
def test_kinds_and_natural_bounds(shapes, name, kind, bounds):
    p = profile_numeric(shapes[name], name)
    assert p.kind == kind
    assert p.bounds == bounds


def test_ordinal_integer_and_count_kinds():
    rng = np.random.default_rng(0)
    assert profile_numeric(rng.integers(1, 6, 500).astype(float), "o").kind == "ordinal"
    assert profile_numeric(rng.integers(-50, 50, 500).astype(float), "i").kind == "integer"
    assert profile_numeric(rng.poisson(40, 500).astype(float), "c").kind == "count"


def test_measurements_inside_0_255_are_not_called_intensities():
    x = np.random.default_rng(0).integers(172, 232, 300).astype(float)
    assert profile_numeric(x, "flipper").bounds is None


def test_percentages_reaching_near_zero_are_percent_and_pile_ups_are_seen():
    x = np.random.default_rng(0).uniform(2, 97, 300)
    assert profile_numeric(x, "pct").bounds == "percent"
    capped = np.clip(np.random.default_rng(1).normal(0.8, 0.3, 1000), 0, 1)
    p = profile_numeric(capped, "share")
    assert p.bounds == "unit" and p.piles_at_bound is True and p.share_at_max > 0.2


def test_row_index_is_id_like():
    assert profile_numeric(np.arange(100, dtype=float), "idx").kind == "id-like"
    shuffled = np.random.default_rng(0).permutation(100).astype(float)
    assert profile_numeric(shuffled, "idx").kind != "id-like"


def test_shape_flags(shapes):
    assert profile_numeric(shapes["cauchy"], "c").tail_ratio > 5
    assert profile_numeric(shapes["gaussian"], "g").tail_ratio == pytest.approx(1.0, abs=0.15)
    assert profile_numeric(shapes["zero_inflated"], "z").zero_inflated is True
    rng = np.random.default_rng(0)
    bimodal = np.concatenate([rng.normal(-3, 1, 1000), rng.normal(3, 1, 1000)])
    assert profile_numeric(bimodal, "b").bimodality > 5 / 9
    assert profile_numeric(bimodal, "b").multimodal is True
    assert profile_numeric(shapes["gaussian"], "g").bimodality < 5 / 9
    assert profile_numeric(np.random.default_rng(3).exponential(size=5000), "e").multimodal is False


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (np.array([]), "empty"),
        (np.array([np.nan, np.nan]), "empty"),
        (np.array([3.0]), "constant"),
        (np.array([np.inf, -np.inf, 1.0]), "constant"),
        (np.array([1e308, -1e308, 0.5, 5.25, 1e308]), "continuous"),
        (np.array([1e308] * 5 + [-1e308] * 5 + [1.5, 2.5, 3.5]), "continuous"),
    ],
    ids=["empty", "all-nan", "one-row", "inf", "huge", "huge-many"],
)
def test_edge_cases_give_defined_results(values, kind):
    p = profile_numeric(values, "x")
    assert p.kind == kind
    for name in FeatureProfile.__dataclass_fields__:
        value = getattr(p, name)
        if isinstance(value, float):
            assert math.isfinite(value), name


def test_huge_values_keep_their_moments():
    x = np.array([1e308, -1e308, 0.0, 1e307, -1e307, 5e307, 3.0, -2e307])
    p = profile_numeric(x, "x")
    assert p.skew == pytest.approx(stats.skew(x / 2**1020, bias=False), rel=1e-9)
    assert p.kurtosis == pytest.approx(stats.kurtosis(x / 2**1020, bias=False), rel=1e-9)


def test_mixed_type_column_is_read_as_numbers_with_junk_missing(write_csv):
    rows = "\n".join(f"{i},{'n/a' if i % 25 == 0 else i * 0.5}" for i in range(100))
    table = load_table(write_csv("a,b\n" + rows + "\n"))
    p = profile_table(table).feature("b")
    assert p.kind == "continuous" and p.missing == 4


def test_dataset_profile_of_penguins(penguins_path):
    profile = profile_table(load_table(penguins_path, target="species"))
    assert profile.n_classes == 3
    assert profile.feature("island").kind == "categorical"
    assert profile.feature("body_mass_g").missing == 2
    assert profile.scale_ratio > 100  # grams next to millimetres
    assert profile.image_like is False


def test_digits_look_like_images(write_csv):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(0, 17, (100, 64)).astype(float))
    frame.columns = [f"p{i}" for i in range(64)]
    frame["p0"] = 0.0  # constant border pixels are normal
    path = write_csv("", "digits.csv")
    frame.to_csv(path, index=False)
    assert profile_table(load_table(path)).image_like


# ----------------------------------------------------------------------------- streaming


@pytest.fixture(scope="module")
def mixed_csv(tmp_path_factory):
    rng = np.random.default_rng(7)
    n = 6000
    frame = pd.DataFrame(
        {
            "gauss": rng.normal(10, 2, n),
            "lognorm": rng.lognormal(0, 1, n),
            "pixel": rng.integers(0, 256, n).astype(float),
            "zeros": np.where(rng.random(n) < 0.7, 0.0, rng.poisson(3, n)),
            "cauchy": rng.standard_cauchy(n),
            "idx": np.arange(n, dtype=float),
            "colour": rng.choice(["red", "green", "blue"], n),
        }
    )
    frame.loc[::97, "gauss"] = np.nan
    path = tmp_path_factory.mktemp("stream") / "mixed.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_streaming_and_in_memory_agree_exactly_when_the_sample_holds_every_row(mixed_csv):
    path, _ = mixed_csv
    whole = profile_path(path, streaming=False)
    chunked = profile_stream(path, block_bytes=1 << 16, sample_rows=10_000)
    assert chunked.mode == "streaming" and whole.mode == "in-memory"
    for a, b in zip(whole.features, chunked.features, strict=True):
        assert a.name == b.name
        for key in (*EXACT, *ORDER):
            va, vb = getattr(a, key), getattr(b, key)
            if isinstance(va, float):
                assert vb == pytest.approx(va, rel=1e-9, abs=1e-12), (a.name, key)
            else:
                assert va == vb, (a.name, key)


def test_streaming_with_a_small_sample_keeps_exact_statistics_and_bounded_quantile_error(mixed_csv):
    path, frame = mixed_csv
    sample = 2000
    chunked = profile_stream(path, block_bytes=1 << 15, sample_rows=sample)
    whole = profile_path(path, streaming=False)
    # Dvoretzky-Kiefer-Wolfowitz: ranks off by more than eps with probability <= 1e-3.
    eps = math.sqrt(math.log(2 / 1e-3) / (2 * sample))
    for a, b in zip(whole.features, chunked.features, strict=True):
        if a.kind == "categorical":
            assert a.top_categories == b.top_categories
            continue
        for key in EXACT:
            va, vb = getattr(a, key), getattr(b, key)
            if isinstance(va, float):
                assert vb == pytest.approx(va, rel=1e-9, abs=1e-12), (a.name, key)
        assert b.sketched
        column = frame[a.name].to_numpy(dtype=float)
        column = np.sort(column[np.isfinite(column)])
        for key, q in (("q01", 0.01), ("q25", 0.25), ("q50", 0.5), ("q75", 0.75), ("q99", 0.99)):
            rank = np.searchsorted(column, getattr(b, key), side="right") / column.size
            lower = np.searchsorted(column, getattr(b, key), side="left") / column.size
            assert lower - eps <= q <= rank + eps, (a.name, key)


def test_gzip_and_parquet_inputs_profile_like_csv(mixed_csv, tmp_path):
    path, frame = mixed_csv
    gz = tmp_path / "mixed.csv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    parquet = tmp_path / "mixed.parquet"
    frame.to_parquet(parquet)
    base = profile_path(path, streaming=False)
    others = [profile_path(p, streaming=s) for p in (gz, parquet) for s in (False, True)]
    for other in others:
        assert other.feature("lognorm").mean == pytest.approx(
            base.feature("lognorm").mean, rel=1e-12
        )
        assert other.feature("gauss").missing == base.feature("gauss").missing
        assert other.feature("idx").kind == "id-like"


# ----------------------------------------------------------------------------- properties

finite_or_not = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e6, max_value=1e6),
    st.sampled_from([0.0, 1.0, -1.0, 255.0]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hnp.arrays(np.float64, st.integers(0, 60), elements=finite_or_not))
def test_profile_never_crashes_and_statistics_are_ordered(values):
    p = profile_numeric(values, "x")
    assert p.count + p.missing + p.non_finite == values.size
    if p.count == 0:
        assert p.kind == "empty"
        return
    quantiles = [p.min, p.q01, p.q25, p.q50, p.q75, p.q99, p.max]
    assert all(a <= b for a, b in itertools.pairwise(quantiles))
    for share in (p.zero_share, p.outlier_share_15, p.outlier_share_3, p.share_at_min):
        assert 0.0 <= share <= 1.0
    assert p.outlier_share_3 <= p.outlier_share_15
    for name in FeatureProfile.__dataclass_fields__:
        value = getattr(p, name)
        if isinstance(value, float):
            assert math.isfinite(value), name


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(2, 80), elements=st.floats(-1e9, 1e9)),
    st.integers(1, 79),
)
def test_merged_moments_equal_whole_moments(values, cut):
    cut = min(cut, values.size - 1)
    whole = Moments.of(values)
    merged = Moments.of(values[:cut]).merge(Moments.of(values[cut:]))
    assert merged.n == whole.n
    assert merged.mean_value == pytest.approx(whole.mean_value, rel=1e-9, abs=1e-6)
    assert merged.m2 == pytest.approx(whole.m2, rel=1e-7, abs=1e-3)
    if whole.std and whole.std > 1e-3 * max(1.0, abs(whole.mean_value)) and whole.skew is not None:
        assert merged.skew == pytest.approx(whole.skew, rel=1e-6, abs=1e-6)


def test_a_row_index_is_not_numeric_so_it_does_not_hide_an_image_table():
    # One definition of numeric (advisor.vocab.NUMERIC_KINDS) for the profile and check:
    # a row index is numbers, not a measurement.
    rng = np.random.default_rng(0)
    n = 400
    pixels = {f"p{i}": rng.integers(0, 17, n) for i in range(16)}
    frame = pd.DataFrame({"row": np.arange(n), "row_b": np.arange(n) + 1000, **pixels})
    profile = profile_table(load_table(frame))
    kinds = {f.name: (f.kind, f.numeric) for f in profile.features}
    assert kinds["row"] == ("id-like", False) and kinds["p0"][1] is True
    assert profile.n_numeric == 16
    assert profile.image_like and profile.image_top == 16.0


def test_advise_profile_and_advise_agree_that_a_date_column_is_datetime(tmp_path):
    from advisor import advise

    path = tmp_path / "dates.csv"
    rows = "".join(f"2020-01-{i % 28 + 1:02d},{i % 7}.5,d{i}/x\n" for i in range(40))
    path.write_text("when,x,other\n" + rows.replace("/x", ""))
    kinds = {f.name: f.kind for f in profile_path(path).features}
    advised = {f["name"]: f["kind"] for f in advise(path).profile["features"]}
    assert kinds["when"] == advised["when"] == "datetime"
