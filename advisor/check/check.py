"""`advise check`: does new data still fit a saved advice and its fitted pipeline?

The new data is loaded and profiled like the data the advice was made on, then compared
with what the advice file keeps: the profile, the fitted pipeline (columns, categories,
ranges) and a 101-point quantile sketch of each numeric feature. Each problem is a
`Finding` with a code, a severity, the feature, the evidence and what to do.

The codes, each with its default severity, title and what to do, are the registry
`advisor.check.codes` (docs/ci.md's table is generated from it). Drift (CHK007) needs both
a two-sample Kolmogorov-Smirnov p < 0.001 against the quantile sketch and an effect large
enough to matter (KS D >= 0.1): on small samples only a large difference is significant,
and on large samples every tiny difference is significant but not large.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from advisor.advice.advice import Advice
from advisor.check.checks import column_findings, feature_findings, target_class_findings
from advisor.check.codes import (
    CLUSTER_SAMPLE,
    DRIFT,
    KIND_CHANGED,
    MISSING_COLUMN,
    NO_SKETCH,
    OUTLIERS,
)
from advisor.check.findings import CheckResult, Finding
from advisor.check.rule_changes import rule_findings
from advisor.errors import InputError
from advisor.io.partitions import read_data_frame
from advisor.io.sniff import DialectHint
from advisor.profiling.profile import profile_table
from advisor.rules.target_links import with_links_of, with_target_links
from advisor.table.load import Table, TaskArg, load_table
from advisor.vocab import SEVERITIES

if TYPE_CHECKING:
    from advisor.profiling.types import DatasetProfile


def check(
    data: str | os.PathLike[str] | pd.DataFrame,
    baseline: Advice | str | os.PathLike[str],
    seed: int = 0,
    hint: DialectHint | None = None,
    dask: Any = None,
) -> CheckResult:
    """Compare new ``data`` with a saved advice (an `Advice` or the path of its JSON file).

    ``dask`` (an address, ``"local:N"`` or a `distributed.Client`): every row is profiled
    on the cluster (counts, missing values, ranges and the rules' statistics over all
    rows) and the value checks (drift, outliers, unseen categories) run on a seeded sample
    drawn there, of the advice's budget's ``sample_rows``; a CHK015 note says so."""
    where = "<advice>"
    if not isinstance(baseline, Advice):
        where = str(baseline)
        baseline = Advice.load(baseline)
    base = baseline.to_dict()
    frame, source, full = _new_rows(data, baseline, seed, hint, dask)
    columns = [str(c) for c in frame.columns]
    target = baseline.target_name if baseline.target_name in columns else None
    table = dataclasses.replace(
        load_table(frame, target=target, task=cast(TaskArg, baseline.task or "auto")), source=source
    )
    profile = profile_table(table, seed=seed)
    if full is not None:
        from advisor.cluster.profile import with_full_statistics

        profile = with_full_statistics(profile, full)
    # The rules the check reruns read the target's links as the advice's run did: from the
    # new rows where they hold the target, else those the advice was made with.
    profile = with_links_of(with_target_links(profile, table), base.get("profile") or {})
    findings = _coverage_findings(baseline, base, where, table, full)
    findings += column_findings(baseline, base, table)
    findings += feature_findings(baseline, base, table, profile)
    drifted = {f.feature for f in findings if f.code in (DRIFT.id, OUTLIERS.id) and f.feature}
    retyped = {
        f.feature for f in findings if f.code in (MISSING_COLUMN.id, KIND_CHANGED.id) and f.feature
    }
    findings += rule_findings(baseline, base, profile, drifted, retyped - drifted)
    if target is not None and baseline.classes is not None and table.target is not None:
        findings += target_class_findings(baseline, table.target)
    order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    findings.sort(key=lambda f: (order[f.severity], f.code, f.feature or ""))
    plan = baseline.plan
    return CheckResult(
        data=source,
        baseline=where,
        n_rows=table.n_rows if full is None else full.n_rows,
        n_baseline_rows=int(base["profile"]["n_rows"]),
        findings=tuple(findings),
        checked=tuple(plan.numeric) + tuple(plan.categorical),
    )


def _new_rows(
    data: str | os.PathLike[str] | pd.DataFrame,
    baseline: Advice,
    seed: int,
    hint: DialectHint | None,
    dask: Any,
) -> tuple[pd.DataFrame, str, DatasetProfile | None]:
    """The rows to check, their source's name, and (on a cluster) every row's profile."""
    if isinstance(data, pd.DataFrame):
        if dask is not None:
            raise InputError("dask= needs data as a path (a file, directory or glob)")
        return data, "<DataFrame>", None
    if dask is not None:
        frame, full = _cluster_frame(data, baseline, seed, hint, dask)
        return frame, str(data), full
    return read_data_frame(data, hint), str(data), None


def _coverage_findings(
    baseline: Advice,
    base: dict[str, Any],
    where: str,
    table: Table,
    full: DatasetProfile | None,
) -> list[Finding]:
    """What the check could not see: rows it checked on a cluster's sample only, and an
    advice file without quantile sketches."""
    findings = []
    if full is not None:
        findings.append(
            Finding.of(
                CLUSTER_SAMPLE,
                None,
                f"all {full.n_rows} rows were profiled on the cluster; drift, outliers and "
                f"unseen categories were checked on a seeded sample of {table.n_rows} rows",
            )
        )
    if baseline.plan.numeric and not baseline.distributions:
        findings.append(
            Finding.of(
                NO_SKETCH,
                None,
                f"{where} keeps no quantile sketch (schema version "
                f"{base.get('schema_version')} file as read); drift and outliers were not "
                "checked",
            )
        )
    return findings


def _cluster_frame(
    data: str | os.PathLike[str], baseline: Advice, seed: int, hint: DialectHint | None, dask: Any
) -> tuple[pd.DataFrame, DatasetProfile]:
    """The profile of every row and a seeded sample of rows, both from the cluster."""
    from advisor.cluster.flow import draw
    from advisor.search.budgets import BUDGETS

    budget = BUDGETS[baseline.budget] if baseline.budget in BUDGETS else BUDGETS["fast"]
    drawn = draw(data, dask, seed=seed, size=budget.sample_rows, hint=hint)
    return drawn.frame, drawn.full
