"""The Dask flow: connect, profile every row, then draw the seeded sample that is loaded.

`advise` (`advisor.api`) and `advise check` (`advisor.check.check`) both call `draw`: the
profile of every row (summaries merged on the workers, `advisor.cluster.profile`) and the
stratified, seeded sample the search and the fit use (`advisor.cluster.sample`); only the
sample and one summary reach this process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from advisor.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from advisor.io.sniff import DialectHint
    from advisor.profiling.types import DatasetProfile


@dataclass(frozen=True)
class ClusterRows:
    """What the cluster sends back: the sample's rows and the profile of every row."""

    frame: pd.DataFrame  # the sample, as the partitions' reader reads it
    full: DatasetProfile  # every row (streaming statistics)
    rows: int  # how many rows (with a target) the sample was drawn from
    task: str | None  # the target's task: given, or read from every row's profile

    @property
    def stratified_by(self) -> str | None:
        if self.task is None:
            return None
        return "class" if self.task == "classification" else "target decile"

    def note(self) -> str:
        """One line for the advice's notes: what was profiled and what was sampled."""
        by = self.stratified_by
        return (
            f"Dask: profiled all {self.full.n_rows} rows on the cluster; the search and the "
            f"fit used a seeded sample of {len(self.frame)} of {self.rows} rows drawn there"
            + (f", stratified by {by}" if by else "")
        )

    def sample(self, n_rows: int) -> dict[str, Any]:
        """The search's ``sample`` entry for a table of ``n_rows`` loaded from the sample."""
        return {
            "rows": n_rows,
            "of": self.full.n_rows,
            "stratified_by": self.stratified_by,
            "on": "dask",
        }


def draw(
    data: Any,
    dask: Any,
    *,
    seed: int,
    size: int,
    hint: DialectHint | None,
    target: str | None = None,
    task: str = "auto",
    minimum: int = 1,
) -> ClusterRows:
    """Profile every row of ``data`` (a file, directory or glob) on the cluster ``dask``
    names and draw a seeded sample of ``size`` rows there, stratified by the target's
    class or decile when there is a target (each stratum keeps ``minimum`` rows)."""
    from advisor.cluster.connect import connect
    from advisor.cluster.profile import infer_cluster_task, profile_dask
    from advisor.cluster.sample import cluster_sample
    from advisor.table.sample import regression_edges

    if not isinstance(data, (str, os.PathLike)) or not isinstance(target, (str, type(None))):
        raise InputError(
            "dask= needs data as a path (a file, directory or glob) and the target as a column name"
        )
    client, close = connect(dask)
    try:
        full, summary = profile_dask(
            data, client, seed=seed, hint=hint, keep=True, exclude=(target,) if target else ()
        )
        resolved = edges = None
        if target is not None:
            if target not in [f.name for f in full.features]:
                raise InputError(f"{data}: target column {target!r} not found")
            resolved = task if task != "auto" else infer_cluster_task(full, target)
            if resolved == "regression" and target in summary.numeric:
                assert summary.sample is not None
                edges = regression_edges(summary.sample.sample[:, summary.numeric.index(target)])
        frame, rows = cluster_sample(
            str(data), client, target, resolved, size, seed, edges=edges, hint=hint,
            minimum=minimum,
        )  # fmt: skip
    finally:
        close()
    return ClusterRows(frame, full, rows, resolved)
