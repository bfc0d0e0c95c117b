"""The options of one advice run, validated once for the CLI and the Python API alike.

In: what the user asked for (task, budget, seed, rule files, overrides, search limits, how
to split folds). Out: a frozen `AdviseOptions`, or one `InputError` line naming the option
and what it expects. Light on purpose (no numpy): the CLI builds it before importing the
stages, so a bad option fails at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from advisor.errors import InputError
from advisor.io.sniff import DialectHint
from advisor.vocab import BUDGET_NAMES, TASK_ARGS, BudgetName, TaskArg


@dataclass(frozen=True)
class Flag:
    """How an option appears on the command line (`advise run`, `advisor.cli.run`): its
    flag, help and value type. A switch named ``--no-...`` sets its option to False."""

    decl: str
    help: str
    type: type = str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    metavar: str | None = None
    multiple: bool = False
    switch: bool = False
    path: bool = False  # an existing file
    directory: bool = False

    @property
    def inverted(self) -> bool:
        return self.switch and self.decl.startswith("--no-")


def _flag(decl: str, **settings: Any) -> dict[str, Flag]:
    return {"flag": Flag(decl, **settings)}


def flags() -> dict[str, Flag]:
    """Each option with a flag of its own, by field name, in the fields' order: the
    command line's options come from here (one place to add an option)."""
    return {f.name: f.metadata["flag"] for f in fields(AdviseOptions) if "flag" in f.metadata}


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
        validate on the future, cut at time boundaries (no time value on both sides); the
        column is dropped from the features unless ``overrides`` keeps it (``--keep``)
    gap : with ``time_order``, this many time values left out between training and
        validation (default 0)
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

    task: TaskArg = field(
        default="auto",
        metadata=_flag(
            "--task", choices=TASK_ARGS, help="Learning task; auto infers it from the target."
        ),
    )
    budget: BudgetName = field(
        default="fast",
        metadata=_flag(
            "--budget",
            choices=BUDGET_NAMES,
            help="Search effort: candidates, folds, training steps and the rows of the race's "
            "first stage (fast: about a minute on 2 cores whatever the table's size; standard "
            "and thorough buy more evidence).",
        ),
    )
    seed: int = field(default=0, metadata=_flag("--seed", type=int, help="Same seed, same advice."))
    rules: tuple[str, ...] = field(
        default=(),
        metadata=_flag(
            "--rules",
            multiple=True,
            path=True,
            help="Extra rule file (TOML); repeatable. A rule with a built-in id replaces it.",
        ),
    )
    disable_rules: tuple[str, ...] = field(
        default=(),
        metadata=_flag("--disable", multiple=True, help="Rule id to switch off; repeatable."),
    )
    #: On the command line: ``--scaler COL=KEY``, ``--drop COL``, ``--keep COL``.
    overrides: tuple[tuple[str, str], ...] = ()
    work_dir: str | None = field(
        default=None,
        metadata=_flag(
            "--work-dir",
            directory=True,
            help="Where the search keeps its trials (default: the user cache directory). "
            "An interrupted search resumes from here.",
        ),
    )
    max_trials: int | None = field(
        default=None,
        metadata=_flag(
            "--max-trials", type=int, minimum=1, help="Validate at most this many candidates."
        ),
    )
    time_limit: float | None = field(
        default=None,
        metadata=_flag(
            "--time-limit",
            type=float,
            minimum=0,
            metavar="SECONDS",
            help="Start no new trial after this many seconds (the default candidate always runs).",
        ),
    )
    sample_rows: int | None = field(
        default=None,
        metadata=_flag(
            "--sample-rows",
            type=int,
            minimum=100,
            metavar="N",
            help="Above N rows, the search's last stage and the fit use a seeded stratified "
            "sample of N (default by budget: 50k, 100k, 200k).",
        ),
    )
    groups: str | None = field(
        default=None,
        metadata=_flag(
            "--groups", metavar="COL", help="Keep each value of COL in one fold (and drop COL)."
        ),
    )
    time_order: str | None = field(
        default=None,
        metadata=_flag(
            "--time-order",
            metavar="COL",
            help="Validate on later times than training (cut at COL's values; COL is "
            "dropped unless --keep COL).",
        ),
    )
    gap: int = field(
        default=0,
        metadata=_flag(
            "--gap",
            type=int,
            minimum=0,
            metavar="N",
            help="With --time-order: leave N time values out between training and validation.",
        ),
    )
    drop_rare_classes: bool = field(
        default=False,
        metadata=_flag(
            "--drop-rare-classes",
            switch=True,
            help="Leave out the rows of classes with fewer rows than the folds (else refused).",
        ),
    )
    use_cache: bool = field(
        default=True,
        metadata=_flag(
            "--no-cache",
            switch=True,
            help="Train every candidate afresh (trials neither reused nor kept).",
        ),
    )
    exportable_only: bool = field(
        default=False,
        metadata=_flag(
            "--exportable",
            switch=True,
            help="Propose and validate only choices Advice.to_keras() exports (no date "
            "features, no string encoder).",
        ),
    )
    #: On the command line: ``--sep``, ``--decimal``, ``--encoding``.
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
        if self.groups is not None and self.time_order is not None:
            raise InputError(
                "give groups or time_order, not both: grouped folds validate on unseen "
                "groups, time-ordered folds on later times"
            )
        if self.gap and self.time_order is None:
            raise InputError(f"gap ({self.gap}) needs time_order: it counts time values")
        if self.gap < 0:
            raise InputError(f"gap must be at least 0, got {self.gap}")
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

    @classmethod
    def from_keywords(cls, given: Mapping[str, Any], **options: Any) -> AdviseOptions:
        """The options from `advise()`'s keyword arguments, an unknown one named in one
        line."""
        known = {f.name for f in fields(cls)} - set(options)
        unknown = sorted(set(given) - known)
        if unknown:
            raise InputError(
                f"advise() got an unknown option {unknown[0]!r}; the options are "
                + ", ".join(sorted(known))
            )
        return cls.from_arguments(**given, **options)

    @classmethod
    def from_flags(cls, values: Mapping[str, Any], **options: Any) -> AdviseOptions:
        """The options from the command line's values of `flags` (by field name; a
        ``--no-...`` switch given means False), and ``options`` set otherwise."""
        given = dict(values)
        for name, flag in flags().items():
            if flag.inverted:
                given[name] = not given[name]
        return cls.from_arguments(**given, **options)

    @property
    def override_map(self) -> dict[str, str]:
        return dict(self.overrides)
