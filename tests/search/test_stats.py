"""The paired test and seeds the search relies on."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from advisor.search.stats import corrected_resampled_ttest, derive_seed, holm


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


def test_the_one_standard_error_rule_decides_and_holm_only_grades_the_evidence():
    from advisor.search.results import Comparison

    # Lower loss by more than one corrected standard error: it replaces the default, even
    # where the Holm-adjusted p-value is far from significant.
    clear = Comparison("minmax+none", 0.02, 4, t=1.4, p=0.12, p_holm=0.9)
    assert clear.beats_default and not clear.significant
    # Within one standard error: fold noise, the default stands.
    assert not Comparison("minmax+none", 0.02, 3, t=0.8, p=0.23, p_holm=1.0).beats_default
    # Worse on average never wins, however the folds fall.
    assert not Comparison("none+none", -0.5, 0, t=-3.0, p=0.99, p_holm=1.0).beats_default
    # Better by the same amount on every fold (no variance): it wins.
    assert Comparison("standard+none", 0.01, 5, t=None, p=0.0, p_holm=0.0).beats_default


def test_corrected_resampled_t_above_one_for_a_consistent_gain():
    # Five folds, the challenger better on each by a similar amount: t well above 1.
    default = [0.30, 0.32, 0.29, 0.31, 0.33]
    challenger = [0.27, 0.30, 0.27, 0.28, 0.30]
    test = corrected_resampled_ttest(default, challenger, 0.2)
    assert test.t is not None and test.t > 1 and test.fold_wins == 5
