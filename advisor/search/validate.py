"""Validation of a loaded table: the search space for its proposals, the folds the user
asked for, a seeded sample of big tables, then `run_search`.

In: a `Table` with a target, the rules' `Proposals` and the run's `AdviseOptions`.
Out: a `Validation`: the `SearchResult`, the winning `Candidate`, and the rows the search
and the final fit use (the whole table, or a stratified sample above ``sample_rows``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
from dataclasses import dataclass
from typing import Any

import pandas as pd

from advisor.options import AdviseOptions
from advisor.plan.plans import Candidate
from advisor.progress import Progress
from advisor.rules.model import Proposals
from advisor.search.budgets import BUDGETS, Budget
from advisor.search.folds import split_sample
from advisor.search.results import SearchResult
from advisor.search.run import run_search
from advisor.search.space import search_space
from advisor.search.stages import race
from advisor.table.load import Table
from advisor.table.units import (
    Split,
    check_column,
    sample_kind,
    sample_words,
    split_request,
    with_rows,
)


@dataclass(frozen=True)
class Validation:
    search: SearchResult
    winner: Candidate
    features: pd.DataFrame  # the rows the search and the final fit used
    target_method: str | None  # the winner's target transform (regression)
    sample: dict[str, Any] | None = None  # rows, of, stratified_by (big tables)
    note: str | None = None


def fold_split(table: Table, options: AdviseOptions) -> Split | None:
    """The folds the user asked for: by group, in time order (every row must have a
    time), or None (shuffled k-fold)."""
    request = split_request(options)
    if request is None:
        return None
    check_column(request, table.features.columns, table.source)
    return with_rows(request, table.features[request.column], table.source)


def split_columns(options: AdviseOptions) -> dict[str, str]:
    """The overrides the split adds: the group column is never a feature, the time
    column only where the user keeps it."""
    added = {}
    if options.groups is not None:
        added[options.groups] = "drop"
    if options.time_order is not None and options.time_order not in options.override_map:
        added[options.time_order] = "drop"
    return added


def search_budget(options: AdviseOptions) -> Budget:
    """The budget's settings with the user's trial, time and sample limits."""
    chosen = BUDGETS[options.budget]
    if options.max_trials is not None or options.time_limit is not None:
        chosen = dataclasses.replace(
            chosen,
            max_trials=options.max_trials if options.max_trials is not None else chosen.max_trials,
            time_limit=options.time_limit,
        )
    if options.sample_rows is not None:
        chosen = dataclasses.replace(chosen, sample_rows=options.sample_rows)
    return chosen


def _search_rows(
    table: Table, split: Split | None, budget: Budget, options: AdviseOptions, sampled: bool
) -> tuple[pd.DataFrame, pd.Series, Split | None, dict[str, Any] | None, str | None]:
    """The rows the search and the final fit use: every row (also when ``sampled``: the
    table is already the sample, drawn on a cluster), or above the budget's
    ``sample_rows`` a seeded sample that respects the split (`split_sample`: stratified
    by class or target decile, whole groups, or the most recent times), with the advice's
    ``sample`` entry and note saying so."""
    assert table.target is not None and table.task is not None
    if sampled or table.n_rows <= budget.sample_rows:
        return table.features, table.target, split, None, None
    rows = split_sample(
        table.target, table.task, budget.sample_rows, options.seed, budget.folds, split
    )
    by = sample_kind(table.task, split)
    sample = {"rows": int(rows.size), "of": table.n_rows, "stratified_by": by}
    how = sample_words(by, None if split is None else split.column)
    note = (
        f"big data: the search and the final fit used a seeded sample of {rows.size} "
        f"of {table.n_rows} rows, {how} (sample_rows of the "
        f"{options.budget} budget: {budget.sample_rows})"
    )
    part = None if split is None else split.subset(rows)
    return table.features.iloc[rows], table.target.iloc[rows], part, sample, note


def validate(
    table: Table,
    proposals: Proposals,
    split: Split | None,
    options: AdviseOptions,
    progress: Progress | None = None,
    sampled: bool = False,
) -> Validation:
    """Run the search on ``table`` (which must have a target) and name the winner;
    ``sampled``: ``table`` is already the search's sample (the Dask path)."""
    assert table.target is not None and table.task is not None
    target_method = proposals.target.top if proposals.target is not None else None
    candidates = search_space(proposals, options.budget).candidates()
    budget = search_budget(options)
    features, target, split, sample, note = _search_rows(table, split, budget, options, sampled)
    with contextlib.ExitStack() as stack:
        work_dir = options.work_dir
        if not options.use_cache and work_dir is None:
            work_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="advisor-"))

        def search(
            x: pd.DataFrame, y: pd.Series, chosen: tuple[Candidate, ...], part: Split | None
        ) -> SearchResult:
            return run_search(
                x,
                y,
                table.task,  # type: ignore[arg-type]
                chosen,
                target_method=target_method,
                budget=budget,
                seed=options.seed,
                progress=progress,
                work_dir=work_dir,
                split=part,
            )

        staged = budget
        if os.environ.get("KERASTUNER_ORACLE_IP"):
            # keras-tuner's distributed mode: a worker never sees a stage's results, so it
            # could not tell which candidates go on; every row in one stage instead.
            staged = dataclasses.replace(budget, first_rows=len(features))
        search_result = race(
            features,
            target,
            table.task,
            candidates,
            staged,
            options.seed,
            split,
            search,
            progress,
        )
    winner = next(c for c in candidates if c.key == search_result.winner_key)
    method = winner.target or target_method
    return Validation(search_result, winner, features, method, sample, note)
