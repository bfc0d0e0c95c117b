"""Profiling on a Dask cluster (the ``[dask]`` extra): one summary per partition, on the
workers.

The client lists the partitions (`advisor.io.partitions`); workers read each partition's
schema, then summarize each partition in bounded memory (`TableSummary`, the streaming
path's summary); summaries merge pairwise on the workers in the partitions' order, so only
one summary (the exact facts and a 100,000-row sample) travels to the client, which
profiles it like the single-process streaming path. The row sample's keys come from each
row's position (the partitions counted in reading order) and the seed, so the profile is
the same for any partitioning and any number of workers. A task lost with its worker is
recomputed by Dask from the same file (the result does not
change). The client comes from `advisor.cluster.connect.connect`.
"""

from __future__ import annotations

import contextlib
import copy
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.cluster.reduce import ordered_reduce
from advisor.errors import InputError
from advisor.io.partitions import arrow_kinds, merge_kinds, resolve_partitions
from advisor.io.read import TextInColumn, file_format, file_schema, iter_batches
from advisor.io.sniff import DialectHint
from advisor.profiling.sketch import RESERVOIR_ROWS
from advisor.profiling.summary import TableSummary

if TYPE_CHECKING:
    from advisor.profiling.types import DatasetProfile


def _kinds_of(path: str, hint: DialectHint | None) -> tuple[dict[str, str], int]:
    """A partition's column kinds and its number of rows (Parquet: from the metadata; CSV:
    one parse of the first column), so each partition knows where its rows start."""
    kinds = arrow_kinds(file_schema(path, hint))
    if file_format(path) == "parquet":
        import pyarrow.parquet as pq

        return kinds, int(pq.ParquetFile(path).metadata.num_rows)
    first = next(iter(kinds))
    rows = 0
    for batch in iter_batches(path, 16 << 20, hint, text_columns=(first,), only=first):
        rows += batch.table.num_rows
    return kinds, rows


def summarize_partition(
    path: str,
    start: int,
    names: list[str],
    kinds: dict[str, str],
    seed: int,
    sample_rows: int,
    hint: DialectHint | None = None,
    block_bytes: int = 4 << 20,
) -> TableSummary:
    """One partition's summary (runs on a worker); ``start``: the position of its first
    row in the whole data."""
    text = tuple(name for name in names if kinds[name] == "text")
    summary = TableSummary(names, kinds, seed, sample_rows)
    for batch in iter_batches(path, block_bytes, hint, text_columns=text):
        table = batch.table
        for name in text:
            index = table.schema.get_field_index(name)
            if str(table.schema.field(index).type) != "string":
                table = table.set_column(index, name, table.column(name).cast("string"))
        summary.update(table, start + summary.n_rows)
    return summary


def _merge(first: TableSummary, later: TableSummary) -> TableSummary:
    # A copy: Dask may keep (and reuse, on a retry) the inputs held by a worker.
    return copy.deepcopy(first).merge(copy.deepcopy(later))


def profile_dask(
    data: str | os.PathLike[str],
    client: Any,
    seed: int = 0,
    hint: DialectHint | None = None,
    sample_rows: int | None = None,
    keep: bool = False,
    exclude: tuple[str, ...] = (),
) -> Any:
    """The streaming profile of ``data`` (a file, directory or glob) computed on the
    cluster behind ``client`` (with ``keep``: and the merged `TableSummary`; ``exclude``:
    columns its layout never names, the target)."""
    from advisor.profiling.profile import profile_summary

    files = [str(p.resolve()) for p in resolve_partitions(data)]  # workers may run elsewhere
    schemas = client.gather(client.map(_kinds_of, files, hint=hint, pure=False))
    found = [kinds for kinds, _ in schemas]
    names = list(found[0])
    kinds = merge_kinds([Path(f) for f in files], found)
    starts = [0]
    for _, rows in schemas[:-1]:
        starts.append(starts[-1] + rows)
    size = sample_rows or RESERVOIR_ROWS
    while True:  # again, with a column as text, when a partition's later block has text
        level = client.map(
            summarize_partition, files, starts, names=names, kinds=kinds, seed=seed,
            sample_rows=size, hint=hint, pure=False,
        )  # fmt: skip
        try:
            summary = ordered_reduce(client, level, _merge)
        except TextInColumn as found:
            kinds = {**kinds, found.column: "text"}
            continue
        break
    profile = profile_summary(summary, str(data), exclude)
    return (profile, summary) if keep else profile


def infer_cluster_task(profile: DatasetProfile, target: str) -> str:
    """The task a target column implies, from its profile over every row (the rule of
    `advisor.table.load.infer_task`: text or few integer values are classes)."""
    from advisor.table.load import MAX_INTEGER_CLASSES

    try:
        column = profile.feature(target)
    except KeyError:
        raise InputError(f"target column {target!r} not found") from None
    if column.kind in ("categorical", "id-like", "datetime"):
        return "classification"  # text: the loader's checks say what is wrong with it
    distinct = column.n_distinct
    if (
        column.integer_valued
        and distinct is not None
        and distinct <= MAX_INTEGER_CLASSES
        and distinct <= max(2, profile.n_rows // 2)
    ):
        return "classification"
    return "regression"


def with_full_statistics(sample: DatasetProfile, full: DatasetProfile) -> DatasetProfile:
    """The profile of a sample's table (its columns, kinds and target as loaded) with each
    column's statistics, and the layout, over every row (a column's where the cluster saw
    the same kind of column)."""
    from advisor.profiling.profile import dataset_profile

    features = []
    for feature in sample.features:
        try:
            whole = full.feature(feature.name)
        except KeyError:
            whole = None
        features.append(whole if whole is not None and whole.kind == feature.kind else feature)
    target = sample.target
    if target is not None and sample.target_name is not None:
        with contextlib.suppress(KeyError):
            target = full.feature(sample.target_name)
    return dataset_profile(
        sample.source,
        full.n_rows,
        features,
        task=sample.task,
        target_name=sample.target_name,
        n_classes=sample.n_classes,
        min_class_share=sample.min_class_share,
        target=target,
        excluded=sample.excluded,
        mode="streaming",
        sample_rows=full.sample_rows,
        layout=full.layout,
    )
