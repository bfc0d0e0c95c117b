"""Racing across sample sizes: a search whose cost follows the evidence it needs.

In: the features and target the search may use (the whole table, or the budget's sample),
the task, the candidates (the default first), the advised target transform, a `Budget`, a
seed, a `Split` and how to cut the split down to a subset of rows. Out: one `SearchResult`
whose `evidence` says how many rows and folds the decision rests on and how sure it is.

The first stage trains every candidate, fully (the budget's training length and early
stopping, the same folds for all), on a seeded sample of ``budget.first_rows`` rows that
respects the split (`split_sample`: stratified by class or target decile, whole groups,
or the most recent times). Each candidate is then compared with the default by the
search's own paired test:

* a challenger whose mean loss is no lower than the default's (corrected t <= `DROP_T`)
  is out: it trained to the end on these rows and did not beat the default;
* so is one with no lower mean loss than the stage's leader (the challenger that beats
  the default with the lowest mean loss, the one the decision would name): the decision
  picks the lowest mean among those beating the default, so it could not be the winner;
* a leader ahead of the default by at least `SURE_T` corrected standard errors, with no
  challenger open beside it, has won already;
* any other challenger is still open.

The first stage of several is a screen: it eliminates, it never decides. When every
challenger is out there, the one with the lowest mean loss still meets the default on the
next stage's rows: small samples prefer other preprocessing than large ones (on a table
of 32,000 rows, 1,000 rows favoured the default where the whole table favours the shapes
plan), so the decision always rests on a stage of at least ``growth`` times the first.

While a challenger is open and rows are left, the next stage trains the default and the
challengers still in the race on ``budget.growth`` times as many rows (the samples are
nested: the same seed keeps each stratum's rows with the smallest keys), up to every row
the search may use. The decision is taken by the search's one rule (`decide`) on the last
stage's results; candidates that left earlier are reported with the scores of the stage
they left at. Every choice counts rows, never seconds: the same seed gives the same
stages and the same advice.

Issue 17's study found that stopping on early *epochs* moves winners; here no candidate is
judged before its training ended, only on fewer rows.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import pandas as pd

from advisor.plan.plans import Candidate
from advisor.progress import Progress, race_stage
from advisor.search.budgets import Budget
from advisor.search.folds import split_sample
from advisor.search.results import (
    CandidateResult,
    Comparison,
    Evidence,
    SearchResult,
    Stage,
)
from advisor.search.stats import SE_RULE, PairedTest, corrected_resampled_ttest
from advisor.search.words import t_text
from advisor.table.units import Split
from advisor.vocab import Task

#: A challenger whose corrected t against the default is at most this after a stage is
#: out of the race: its mean loss is no lower than the default's.
DROP_T = 0.0
#: A challenger ahead of the default by at least this many corrected standard errors
#: has won already: more rows are not needed to decide for it.
SURE_T = 3.0

Search = Callable[[pd.DataFrame, pd.Series, tuple[Candidate, ...], Split | None], SearchResult]


def stage_rows(n: int, budget: Budget) -> tuple[int, ...]:
    """The rows of each stage: ``first_rows``, then ``growth`` times more while that is at
    most half of ``n``, then all ``n`` (one stage when ``n`` is at most twice
    ``first_rows``: a smaller first stage would save little)."""
    sizes: list[int] = []
    size = budget.first_rows
    while size * 2 <= n:
        sizes.append(size)
        size *= budget.growth
    return (*sizes, n)


def margin(comparison: Comparison | PairedTest) -> float:
    """A corrected t (infinite, with the sign of the difference, when every fold differs by
    the same amount)."""
    if comparison.t is None:
        return math.inf if comparison.mean_improvement > 0 else -math.inf
    return comparison.t


def standing(comparison: Comparison, against_leader: PairedTest | None = None) -> str:
    """ "out", "won" or "open": where a challenger stands after a stage. Out when it has no
    lower mean loss than the default, or (``against_leader``: compared with the stage's
    leader, the challenger that beats the default with the lowest mean loss) than the
    leader: either way it could no longer be the winner on these rows. Won when it leads
    the default by `SURE_T` standard errors and nobody leads it."""
    if margin(comparison) <= DROP_T:
        return "out"
    if against_leader is not None and margin(against_leader) <= DROP_T:
        return "out"
    if against_leader is None and margin(comparison) >= SURE_T:
        return "won"
    return "open"


def standings(result: SearchResult) -> dict[str, tuple[str, str]]:
    """Every challenger of a stage's result: its standing, and why it is out."""
    by_key = {c.key: c for c in result.candidates}
    leader = result.winner_key if result.winner_key != result.default_key else None
    out: dict[str, tuple[str, str]] = {}
    for comparison in result.comparisons:
        key = comparison.challenger
        against = None
        if leader is not None and key != leader:
            against = corrected_resampled_ttest(
                by_key[leader].fold_scores, by_key[key].fold_scores, result.test_fraction
            )
        state = standing(comparison, against)
        if margin(comparison) <= DROP_T:
            why = f"no lower loss than the default (t={t_text(comparison.t)})"
        elif against is not None and margin(against) <= DROP_T:
            why = f"no lower loss than the leader {leader} (t={t_text(against.t)})"
        else:
            why = ""
        out[key] = (state, why)
    return out


def race(
    features: pd.DataFrame,
    y: pd.Series,
    task: Task,
    candidates: tuple[Candidate, ...],
    budget: Budget,
    seed: int,
    split: Split | None,
    search: Search,
    progress: Progress | None = None,
) -> SearchResult:
    """Run ``search`` (one cross-validated search of some candidates on some rows) stage
    after stage, on more rows for fewer candidates, until no challenger is open."""
    sizes = stage_rows(len(features), budget)
    live = candidates
    left: dict[str, CandidateResult] = {}
    stages: list[Stage] = []
    result: SearchResult | None = None
    seconds, cached = 0.0, 0
    for number, rows in enumerate(sizes):
        if rows < len(features):
            chosen = split_sample(y, task, rows, seed, budget.folds, split)
            part_x, part_y = features.iloc[chosen], y.iloc[chosen]
            part_split = None if split is None else split.subset(chosen)
        else:
            part_x, part_y, part_split = features, y, split
        if progress is not None and len(sizes) > 1:
            progress(race_stage(number + 1, len(part_x), len(live)))
        result = search(part_x, part_y, live, part_split)
        seconds, cached = seconds + result.seconds, cached + result.cached
        by_key = {c.key: c for c in result.candidates}
        where = standings(result)
        last = number == len(sizes) - 1
        stages.append(Stage(rows=len(part_x), candidates=len(live)))
        still_open = [k for k, (state, _) in where.items() if state == "open"]
        screen = number == 0  # the first stage of several screens; it never decides
        if result.candidate(result.default_key).status != "ok" or last:
            break
        if not still_open and not screen:
            break
        keep = {result.default_key, *(k for k, (state, _) in where.items() if state != "out")}
        if screen and len(keep) == 1 and where:
            # Every challenger is out on the screen's rows: the one with the lowest mean
            # loss still meets the default on more rows, where other preprocessing may win.
            best = min(where, key=lambda k: (by_key[k].mean, k))
            keep.add(best)
            where[best] = ("open", "")
        for c in live:
            if c.key in keep:
                continue
            if c.key not in where:  # failed or skipped: it stays as it was reported
                left[c.key] = by_key[c.key]
                continue
            left[c.key] = dataclasses.replace(
                by_key[c.key],
                status="eliminated",
                message=f"{where[c.key][1]} on {len(part_x):,} rows; not trained on more rows",
            )
        live = tuple(c for c in live if c.key in keep)
    assert result is not None
    final = {c.key: c for c in result.candidates}
    merged = tuple(final.get(c.key) or left[c.key] for c in candidates)
    evidence = Evidence(
        rows=stages[-1].rows,
        folds=result.n_folds,
        stages=tuple(stages),
        certainty=certainty(result),
    )
    return dataclasses.replace(
        result, candidates=merged, evidence=evidence, seconds=seconds, cached=cached
    )


def certainty(result: SearchResult) -> str:
    """ "clear" when the deciding comparison is far from the rule's threshold (the winner
    ahead by two standard errors or more; with the default standing, no challenger with
    a lower mean loss), else "close"."""
    if not result.comparisons:
        return "clear"
    if result.winner_key != result.default_key:
        won = next(c for c in result.comparisons if c.challenger == result.winner_key)
        return "clear" if margin(won) >= 2 * SE_RULE else "close"
    best = max(margin(c) for c in result.comparisons)
    return "clear" if best <= DROP_T else "close"
