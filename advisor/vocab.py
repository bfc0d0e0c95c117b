"""The advisor's vocabulary: every name that travels between stages, typed once.

In: nothing (no numpy, no pandas: the CLI imports this module for its choices).
Out: `Literal` types that mypy checks wherever a stage takes or returns one of these names,
and the tuples of their values (``get_args``) that parsers and validators list.

Adding a value here is the first step of adding a kind, budget or format; the registries
(`advisor.network.norms`, `advisor.report.formats`, `advisor.plan.catalog`) hold what each
value means.
"""

from __future__ import annotations

from typing import Literal, get_args

#: What a column is, as the profiler decides it.
ColumnKind = Literal[
    "continuous",
    "count",
    "integer",
    "ordinal",
    "binary",
    "constant",
    "empty",
    "id-like",
    "categorical",
    "datetime",
]
COLUMN_KINDS: tuple[str, ...] = get_args(ColumnKind)
#: Kinds whose values are measurements the scalers take: the one definition of "numeric"
#: for the profile (`FeatureProfile.numeric`) and `advise check`. An id-like column (a row
#: index) is numbers but not a measurement: the rules drop it and `advise check` checks
#: only that it is there; categorical and datetime columns are not numbers.
NUMERIC_KINDS: tuple[str, ...] = (
    "continuous",
    "count",
    "integer",
    "ordinal",
    "binary",
    "constant",
    "empty",
)

Task = Literal["classification", "regression"]
TASKS: tuple[str, ...] = get_args(Task)
TaskArg = Literal["auto", "classification", "regression"]
TASK_ARGS: tuple[str, ...] = get_args(TaskArg)

#: The in-network normalizations (`advisor.network.norms` says what each one builds).
InNetwork = Literal["none", "batch", "batch_renorm", "layer", "group"]
IN_NETWORK_KEYS: tuple[str, ...] = get_args(InNetwork)
#: Where an in-network normalization sits: before or after the activation.
Placement = Literal["before", "after"]
PLACEMENTS: tuple[str, ...] = get_args(Placement)

#: A numeric encoding before the network's first layer (`advisor.plan.encodings`):
#: piecewise-linear encoding of the scaled numbers in quantile bins (a fitted step of the
#: pipeline), or periodic embeddings learned with the network (its first layer).
Encoding = Literal["none", "ple", "periodic"]
ENCODINGS: tuple[str, ...] = get_args(Encoding)

#: Search budgets (`advisor.search.budgets` says what each one spends).
BudgetName = Literal["fast", "standard", "thorough"]
BUDGET_NAMES: tuple[str, ...] = get_args(BudgetName)

#: A regression target's transform.
TargetMethod = Literal["standard", "log1p_standard"]
TARGET_METHODS: tuple[str, ...] = get_args(TargetMethod)

#: Rules: what a rule applies to, and where it stands in its life.
RuleScope = Literal["feature", "dataset", "target", "encoding"]
RULE_SCOPES: tuple[str, ...] = get_args(RuleScope)
RuleStatus = Literal["stable", "preview", "deprecated", "removed"]
RULE_STATUSES: tuple[str, ...] = get_args(RuleStatus)

#: A candidate's outcome in the search.
#: "eliminated": trained to the end on a smaller stage's rows and left the race there
#: (`advisor.search.stages`); its scores are that stage's.
CandidateStatus = Literal["ok", "failed", "skipped", "eliminated"]

#: `advise check`: how serious a finding is, and the formats its result is written in.
Severity = Literal["info", "warning", "error"]
SEVERITIES: tuple[str, ...] = get_args(Severity)
CheckFormat = Literal["text", "json", "junit", "github", "markdown"]
CHECK_FORMATS: tuple[str, ...] = get_args(CheckFormat)

#: The advice's report formats (`advisor.report.formats` holds one renderer each).
ReportFormat = Literal["text", "json", "markdown", "html"]
REPORT_FORMATS: tuple[str, ...] = get_args(ReportFormat)
