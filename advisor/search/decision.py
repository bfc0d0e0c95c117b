"""The decision: keep the default unless a challenger beats it by more than fold noise.

In: every candidate's result (the default first; failed and skipped ones included), the
candidates, the `FoldSetup` they were scored on and the network they trained (a `NetSpec`,
without in-network normalization). Out: a `SearchResult` with the comparisons, the winner
and the decision in words. The rule's thresholds (`ALPHA`, `SE_RULE`) and its text
(`DECISION_RULE`) are defined beside the test in `advisor.search.stats`.
"""

from __future__ import annotations

from advisor.network.nets import NetSpec
from advisor.plan.plans import Candidate
from advisor.search.results import CandidateResult, Comparison, SearchResult, results_by_key
from advisor.search.setup import FoldSetup
from advisor.search.stats import (
    ALPHA,
    DECISION_RULE,
    SE_RULE,
    corrected_resampled_ttest,
    holm,
    loss_change,
    t_text,
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
    score_name = "log loss" if setup.task == "classification" else "MSE (standardized target)"
    metric_name = "accuracy" if setup.task == "classification" else "R²"
    if default.status != "ok":
        return SearchResult(
            results,
            default.key,
            default.key,
            (),
            (
                f"the default {default.key} failed ({default.message}); "
                "the rules' plan is kept without validation"
            ),
            setup.k,
            score_name,
            metric_name,
            net,
            setup.batch_size,
            budget,
            seconds=seconds,
            test_fraction=setup.test_fraction,
        )
    challengers = [r for r in results[1:] if r.status == "ok"]
    tests = [
        corrected_resampled_ttest(default.fold_scores, r.fold_scores, setup.test_fraction)
        for r in challengers
    ]
    adjusted = holm([t.p for t in tests]) if tests else []
    comparisons = tuple(
        Comparison(r.key, t.mean_improvement, t.fold_wins, t.t, t.p, p)
        for r, t, p in zip(challengers, tests, adjusted, strict=True)
    )
    complexity = {c.key: c.complexity for c in candidates}
    by_key = results_by_key(results)
    passing = [c for c in comparisons if c.beats_default]
    if passing:
        best = min(
            passing,
            key=lambda c: (
                round(by_key[c.challenger].mean, 12),
                complexity[c.challenger],
            ),
        )
        winner = best.challenger
        strength = "significant" if best.significant else "not significant"
        decision = (
            f"{winner} beats the default {default.key} by more than one standard error: "
            f"{loss_change(best.mean_improvement)} on average, better on "
            f"{best.fold_wins}/{setup.k} folds, corrected resampled t={t_text(best.t)} "
            f"(one-sided p={best.p:.3g}; Holm-adjusted over {len(comparisons)} challengers "
            f"{best.p_holm:.3g}, {strength} at alpha {ALPHA})"
        )
        if not best.significant:
            decision += (
                ". In plain words: the switch follows the one-standard-error rule (the "
                "difference is larger than the fold noise); the stricter test, corrected for "
                f"trying {len(comparisons)} challengers, does not confirm it, so the evidence "
                "for the switch is suggestive, not conclusive"
            )
    else:
        winner = default.key
        nearest = min(comparisons, key=lambda c: by_key[c.challenger].mean, default=None)
        detail = (
            f"; the best challenger, {nearest.challenger}, has "
            f"{loss_change(nearest.mean_improvement)} on average (better on "
            f"{nearest.fold_wins}/{setup.k} folds, t={t_text(nearest.t)})"
            if nearest is not None
            else ""
        )
        decision = (
            f"the default {default.key} stands: no candidate beats it by more than one "
            f"standard error of the paired fold differences (corrected resampled t > "
            f"{SE_RULE:g}){detail}"
        )
    return SearchResult(
        candidates=results,
        default_key=default.key,
        winner_key=winner,
        comparisons=comparisons,
        decision=decision,
        n_folds=setup.k,
        score_name=score_name,
        metric_name=metric_name,
        net=net,
        batch_size=setup.batch_size,
        budget=budget,
        seconds=seconds,
        test_fraction=setup.test_fraction,
    )
