"""The paired test and seeds the search relies on."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from advisor.stats import corrected_resampled_ttest, derive_seed, holm


def test_corrected_resampled_ttest_matches_the_formula():
    default = [0.50, 0.55, 0.52, 0.58, 0.51]
    challenger = [0.40, 0.47, 0.45, 0.49, 0.41]
    result = corrected_resampled_ttest(default, challenger, test_fraction=0.2)
    d = [a - b for a, b in zip(default, challenger, strict=True)]
    mean = sum(d) / 5
    var = sum((x - mean) ** 2 for x in d) / 4
    t = mean / math.sqrt((1 / 5 + 0.25) * var)
    assert result.t == pytest.approx(t)
    assert result.p == pytest.approx(stats.t.sf(t, 4))
    assert result.fold_wins == 5


def test_correction_is_more_cautious_than_the_plain_paired_ttest():
    default = [0.50, 0.52, 0.49, 0.53, 0.51]
    challenger = [0.49, 0.50, 0.50, 0.51, 0.50]
    corrected = corrected_resampled_ttest(default, challenger, 0.2)
    plain = stats.ttest_rel(default, challenger, alternative="greater")
    assert corrected.p > plain.pvalue


def test_a_worse_challenger_gets_a_large_p():
    assert corrected_resampled_ttest([0.1, 0.1, 0.1], [0.2, 0.3, 0.25], 1 / 3).p > 0.9


def test_holm_adjustment():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([]) == []


def test_derived_seeds_are_stable_and_distinct():
    assert derive_seed(0, "a", 1) == derive_seed(0, "a", 1)
    assert len({derive_seed(0, "a", k) for k in range(100)}) == 100
