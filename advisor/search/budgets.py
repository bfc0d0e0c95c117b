"""Search budgets: how much training a search may spend.

In: a budget's name (`advisor.vocab.BudgetName`) or a `Budget` built by hand (tests,
benchmarks). Out: the folds, training length, early stopping, strategy and caps that
`advisor.search.run.run_search` spends.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.vocab import BudgetName


@dataclass(frozen=True)
class Budget:
    """How much training the search may spend."""

    name: BudgetName
    folds: int
    max_steps: int  # optimizer steps per fold, the training length
    patience: int  # epochs without improvement on every fold before stopping
    min_steps: int = 50
    epochs: int | None = None  # fixed epochs instead of max_steps (benchmarks)
    batch_size: int | None = None  # fixed batch size instead of one sized from the data
    strategy: str = "grid"  # "grid" (every candidate) or "bayesian" (max_trials of them)
    max_trials: int | None = None
    time_limit: float | None = None  # seconds; no new trial starts after it
    #: Above this many rows the search and the final fit use a seeded stratified sample.
    sample_rows: int = 50_000
    #: The race across sample sizes (`advisor.search.stages`): every candidate trains on
    #: this many rows first; the challengers still open then train on ``growth`` times as
    #: many, up to every row the search may use.
    first_rows: int = 2_000
    growth: int = 4


BUDGETS: dict[BudgetName, Budget] = {
    "fast": Budget("fast", folds=5, max_steps=600, patience=8),
    "standard": Budget(
        "standard",
        folds=5,
        max_steps=1500,
        patience=15,
        strategy="bayesian",
        max_trials=30,
        sample_rows=100_000,
        first_rows=4_000,
    ),
    "thorough": Budget(
        "thorough",
        folds=10,
        max_steps=3000,
        patience=25,
        strategy="bayesian",
        max_trials=60,
        sample_rows=200_000,
        first_rows=8_000,
    ),
}
