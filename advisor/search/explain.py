"""The decision in words: why the winner won, or why the default stands.

In: the default's result, the winning comparison (or None), every comparison and result,
and the number of folds. Out: the sentence the advice file keeps as ``search.decision``
and the reports print. Choosing is `advisor.search.decision`; this module only words it.
"""

from __future__ import annotations

from advisor.search.results import CandidateResult, Comparison, results_by_key
from advisor.search.stats import ALPHA, SE_RULE
from advisor.search.words import comparison_change, t_text


def explain(
    default: CandidateResult,
    best: Comparison | None,
    comparisons: tuple[Comparison, ...],
    results: tuple[CandidateResult, ...],
    k: int,
) -> str:
    """The decision in words (see the module docs)."""
    if default.status != "ok":
        return (
            f"the default {default.key} failed ({default.message}); "
            "the rules' plan is kept without validation"
        )
    if best is not None:
        return _switch(default, best, len(comparisons), k)
    by_key = results_by_key(results)
    nearest = min(comparisons, key=lambda c: by_key[c.challenger].mean, default=None)
    detail = (
        f"; the best challenger, {nearest.challenger}, has "
        f"{comparison_change(nearest.mean_improvement, nearest.t)} on average (better on "
        f"{nearest.fold_wins}/{k} folds, t={t_text(nearest.t)})"
        if nearest is not None
        else ""
    )
    return (
        f"the default {default.key} stands: no candidate beats it by more than one "
        f"standard error of the paired fold differences (corrected resampled t > "
        f"{SE_RULE:g}){detail}"
    )


def _switch(default: CandidateResult, best: Comparison, tried: int, k: int) -> str:
    strength = "significant" if best.significant else "not significant"
    decision = (
        f"{best.challenger} beats the default {default.key} by more than one standard error: "
        f"{comparison_change(best.mean_improvement, best.t)} on average, better on "
        f"{best.fold_wins}/{k} folds, corrected resampled t={t_text(best.t)} "
        f"(one-sided p={best.p:.3g}; Holm-adjusted over {tried} challengers "
        f"{best.p_holm:.3g}, {strength} at alpha {ALPHA})"
    )
    if not best.significant:
        decision += (
            ". In plain words: the switch follows the one-standard-error rule (the "
            "difference is larger than the fold noise); the stricter test, corrected for "
            f"trying {tried} challengers, does not confirm it, so the evidence "
            "for the switch is suggestive, not conclusive"
        )
    return decision
