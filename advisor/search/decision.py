"""The decision: keep the default unless a challenger beats it by more than fold noise.

In: every candidate's result (the default first; failed and skipped ones included), the
candidates, the `FoldSetup` they were scored on and the network they trained (a `NetSpec`,
without in-network normalization). Out: a `SearchResult` with the comparisons (`compare`),
the winner (`choose`) and the decision in words (`advisor.search.explain`). The rule's
thresholds (`ALPHA`, `SE_RULE`) and its text (`DECISION_RULE`) are defined beside the
test in `advisor.search.stats`.
"""

from __future__ import annotations

from advisor.network.nets import NetSpec
from advisor.plan.plans import Candidate
from advisor.search.explain import explain
from advisor.search.results import CandidateResult, Comparison, SearchResult, results_by_key
from advisor.search.setup import REGRESSION_SCORE, FoldSetup
from advisor.search.stats import (
    ALPHA,
    DECISION_RULE,
    SE_RULE,
    corrected_resampled_ttest,
    holm,
)

__all__ = ["ALPHA", "DECISION_RULE", "SE_RULE", "decide"]


def decide(
    results: tuple[CandidateResult, ...],
    candidates: tuple[Candidate, ...],
    setup: FoldSetup,
    net: NetSpec,
    budget: str,
    seconds: float,
) -> SearchResult:
    """Keep the default unless a challenger beats it by more than fold noise.

    Each challenger is compared with the default on the same folds by the corrected
    resampled t statistic (Nadeau and Bengio). A challenger wins when its mean loss is
    lower by more than one corrected standard error of the paired differences (the
    one-standard-error rule of model selection, with the rules' plan as the preferred
    model); among several, the lowest mean loss wins (ties: the simpler candidate). The
    one-sided p-values, Holm-adjusted over all challengers, are reported beside it.

    Why not demand Holm-adjusted significance: with five folds and eight challengers it
    almost never passes, so the search could not correct a rule even where every fold
    agrees; in the quality benchmark the one-standard-error rule chose better plans
    (docs/benchmarks.md, calibration experiments).

    ``net`` is the network the candidates trained (reported in the advice file).
    """
    default = results[0]
    comparisons: tuple[Comparison, ...] = ()
    best = None
    if default.status == "ok":
        comparisons = compare(default, results[1:], setup.test_fraction)
        best = choose(comparisons, results, candidates)
    return SearchResult(
        candidates=results,
        default_key=default.key,
        winner_key=best.challenger if best is not None else default.key,
        comparisons=comparisons,
        decision=explain(default, best, comparisons, results, setup.k),
        n_folds=setup.k,
        score_name="log loss" if setup.task == "classification" else REGRESSION_SCORE,
        metric_name="accuracy" if setup.task == "classification" else "R²",
        net=net,
        batch_size=setup.batch_size,
        budget=budget,
        seconds=seconds,
        test_fraction=setup.test_fraction,
        split=setup.fold_plan,
        target_method=setup.target_method,
    )


def compare(
    default: CandidateResult, others: tuple[CandidateResult, ...], test_fraction: float
) -> tuple[Comparison, ...]:
    """Each challenger that ran against the default, on the same folds: the corrected
    resampled t-test, and its p-value Holm-adjusted over all of them."""
    challengers = [r for r in others if r.status == "ok"]
    tests = [
        corrected_resampled_ttest(default.fold_scores, r.fold_scores, test_fraction)
        for r in challengers
    ]
    adjusted = holm([t.p for t in tests]) if tests else []
    return tuple(
        Comparison(r.key, t.mean_improvement, t.fold_wins, t.t, t.p, p)
        for r, t, p in zip(challengers, tests, adjusted, strict=True)
    )


def choose(
    comparisons: tuple[Comparison, ...],
    results: tuple[CandidateResult, ...],
    candidates: tuple[Candidate, ...],
) -> Comparison | None:
    """The winning challenger's comparison (the lowest mean loss among those beating the
    default by more than one standard error; ties: the simpler), or None: the default
    stands."""
    passing = [c for c in comparisons if c.beats_default]
    if not passing:
        return None
    complexity = {c.key: c.complexity for c in candidates}
    by_key = results_by_key(results)
    return min(
        passing,
        key=lambda c: (round(by_key[c.challenger].mean, 12), complexity[c.challenger]),
    )
