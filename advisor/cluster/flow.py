"""The Dask flow: connect, profile every row, then draw the seeded sample that is loaded.

`advise` (`advisor.api`) and `advise check` (`advisor.check.check`) both call `draw`: the
profile of every row (summaries merged on the workers, `advisor.cluster.profile`) and the
seeded sample the search and the fit use: stratified (`advisor.cluster.sample`), or with
a grouped or time-ordered split the rows of whole groups or of the most recent times
(`advisor.cluster.units`), the rows `split_sample` keeps in one process; only the sample
and one summary reach this process.
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
    from advisor.table.units import Split


@dataclass(frozen=True)
class ClusterRows:
    """What the cluster sends back: the sample's rows and the profile of every row."""

    frame: pd.DataFrame  # the sample, as the partitions' reader reads it
    full: DatasetProfile  # every row (streaming statistics)
    rows: int  # how many rows (with a target) the sample was drawn from
    task: str | None  # the target's task: given, or read from every row's profile
    split: Split | None = None  # the split whose units the sample keeps whole (its request)

    @property
    def stratified_by(self) -> str | None:
        """`sample_kind`: class, target decile, whole groups or most recent times."""
        from advisor.table.units import sample_kind

        return None if self.task is None else sample_kind(self.task, self.split)

    def note(self) -> str:
        """One line for the advice's notes: what was profiled and what was sampled."""
        from advisor.table.units import sample_words

        by = self.stratified_by
        column = None if self.split is None else self.split.column
        return (
            f"Dask: profiled all {self.full.n_rows} rows on the cluster; the search and the "
            f"fit used a seeded sample of {len(self.frame)} of {self.rows} rows drawn there"
            + (f", {sample_words(by, column)}" if by else "")
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
    split: Split | None = None,
) -> ClusterRows:
    """Profile every row of ``data`` (a file, directory or glob) on the cluster ``dask``
    names and draw a seeded sample of ``size`` rows there, stratified by the target's
    class or decile when there is a target (each stratum keeps ``minimum`` rows); with a
    target and a ``split`` (`split_request`: by group or in time order), the rows of the
    units `units_kept` keeps (whole groups, the most recent times; ``minimum``: the
    folds)."""
    from advisor.cluster.connect import connect
    from advisor.cluster.profile import infer_cluster_task, profile_dask
    from advisor.cluster.sample import cluster_sample
    from advisor.cluster.units import cluster_units
    from advisor.table.sample import regression_edges
    from advisor.table.units import check_column

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
        if target is None or split is None:
            split = None
            frame, rows = cluster_sample(
                str(data), client, target, resolved, size, seed, edges=edges, hint=hint,
                minimum=minimum,
            )  # fmt: skip
        else:
            check_column(split, [f.name for f in full.features], str(data))
            frame, rows = cluster_units(
                str(data), client, target, split, size, seed, minimum, hint=hint
            )
    finally:
        close()
    return ClusterRows(frame, full, rows, resolved, split)
