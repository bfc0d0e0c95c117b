"""The options of one advice run, validated once for the CLI and the Python API alike.

In: what the user asked for (task, budget, seed, rule files, overrides, search limits, how
to split folds). Out: a frozen `AdviseOptions`, or one `InputError` line naming the option
and what it expects. Light on purpose (no numpy): the CLI builds it before importing the
stages, so a bad option fails at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.errors import InputError
from advisor.io.sniff import DialectHint
from advisor.vocab import BUDGET_NAMES, TASK_ARGS, BudgetName, TaskArg


@dataclass(frozen=True, kw_only=True)
class AdviseOptions:
    """Everything `advise()` takes besides the data, the target and the progress callback.

    task : "auto" (inferred from the target), "classification" or "regression"
    budget : "fast", "standard" or "thorough" (folds and training steps of the search)
    seed : every random choice derives from it: same seed, same advice
    rules : extra rule files (TOML) that add rules or override built-in ones by id
    disable_rules : rule ids to switch off
    overrides : per-column decisions that beat the rules: {"price": "robust", "id": "drop",
        "code": "keep"}; added to a rule file's own [overrides] table
    work_dir : where the search keeps its trials (default: the user's cache directory);
        a rerun of the same search resumes or reuses them
    max_trials, time_limit : cap the search at this many candidates, or start no new
        trial after this many seconds (the default candidate always runs)
    groups : a column whose values must not be split across folds (patients, customers);
        it is dropped from the features
    time_order : a column giving the rows' time order: folds train on the past and
        validate on the future
    sample_rows : above this many rows, the search and the final fit use a seeded sample
        stratified by class (or target decile); default from the budget (fast 50,000,
        standard 100,000, thorough 200,000). The advice's notes and ``search["sample"]``
        say when it happened.
    csv : what the user said of a CSV file's encoding, delimiter and decimal mark
        (``--encoding``, ``--sep``, ``--decimal``); unset parts are sniffed
    use_cache : reuse (and keep) the search's trials in ``work_dir`` or the user's cache
        directory; False trains every candidate afresh in a temporary directory
    drop_rare_classes : leave out the rows of classes with fewer rows than the search's
        folds (else such classes are refused, naming them), with a note in the report
    exportable_only : propose and validate only choices `Advice.to_keras` can export (no
        date features, no string encoder), so the advice always exports
    """

    task: TaskArg = "auto"
    budget: BudgetName = "fast"
    seed: int = 0
    rules: tuple[str, ...] = ()
    disable_rules: tuple[str, ...] = ()
    overrides: tuple[tuple[str, str], ...] = ()
    work_dir: str | None = None
    max_trials: int | None = None
    time_limit: float | None = None
    groups: str | None = None
    time_order: str | None = None
    sample_rows: int | None = None
    drop_rare_classes: bool = False
    use_cache: bool = True
    exportable_only: bool = False
    csv: DialectHint = field(default_factory=DialectHint)

    def __post_init__(self) -> None:
        if self.task not in TASK_ARGS:
            raise InputError(
                f"task must be 'auto', 'classification' or 'regression', got {self.task!r}"
            )
        if self.budget not in BUDGET_NAMES:
            raise InputError(
                f"budget must be one of {', '.join(BUDGET_NAMES)}, got {self.budget!r}"
            )
        if self.max_trials is not None and self.max_trials < 1:
            raise InputError(f"max_trials must be at least 1, got {self.max_trials}")
        if self.sample_rows is not None and self.sample_rows < 100:
            raise InputError(f"sample_rows must be at least 100, got {self.sample_rows}")

    @classmethod
    def from_arguments(
        cls,
        *,
        rules: Iterable[str | os.PathLike[str]] = (),
        disable_rules: Iterable[str] = (),
        overrides: Mapping[str, str] | None = None,
        work_dir: str | os.PathLike[str] | None = None,
        **options: Any,
    ) -> AdviseOptions:
        """The options from `advise()`'s keyword arguments (paths and iterables as given)."""
        return cls(
            rules=tuple(str(p) for p in rules),
            disable_rules=tuple(disable_rules),
            overrides=tuple((str(c), str(k)) for c, k in dict(overrides or {}).items()),
            work_dir=None if work_dir is None else str(work_dir),
            **options,
        )

    @property
    def override_map(self) -> dict[str, str]:
        return dict(self.overrides)
