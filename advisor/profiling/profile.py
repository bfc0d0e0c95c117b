"""Profiling: per-column distribution statistics and tests, as plain numbers and flags.

Two paths give the same `DatasetProfile`:

* in memory (`profile_table`, `profile_arrow`): every statistic exact, columns profiled in
  parallel threads (numpy and Arrow release the GIL);
* streaming (`profile_stream`, for files larger than memory, and directories or globs of
  partitions read in order): counts, min/max, moments, zeros, integer-valuedness and
  distinct values (up to 10,000) exact and merged chunk by chunk; quantiles, IQR, MAD,
  outlier shares, tail ratio, quartile skew, Shapiro-Wilk and Anderson-Darling from a
  seeded bottom-k sample of 100,000 rows (`RowSample`: the same rows however the data is
  split into batches or partitions; `sketched=True`).

Which statistic comes from where is listed in docs/profiler.md.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from advisor.io.partitions import (
    data_fits_in_memory,
    is_partitioned,
    iter_partition_batches,
    partition_kinds,
    read_partitions_arrow,
    resolve_partitions,
)
from advisor.io.read import TextInColumn, check_file, read_arrow
from advisor.io.sniff import DialectHint
from advisor.profiling.column import (
    finite_or_none,
    profile_categorical,
    profile_numeric,
)
from advisor.profiling.layout import TableLayout, layout_roles, table_layout
from advisor.profiling.layout_facts import LayoutFacts
from advisor.profiling.sketch import RESERVOIR_ROWS
from advisor.profiling.summary import TableSummary, summary_features, text_cells
from advisor.profiling.types import DatasetProfile, FeatureProfile
from advisor.table.kinds import ColumnNote, Decision, classify, dates

if TYPE_CHECKING:  # pandas is imported where needed: profiling numbers never needs it
    from advisor.table.load import Table

ProgressFn = Callable[[float], None]
#: Rows the in-memory paths feed the layout's facts at a time (a bounded copy of them).
LAYOUT_ROWS = 1 << 20


def profile_table(table: Table, seed: int = 0, threads: int | None = None) -> DatasetProfile:
    """Profile every column of a loaded `Table` in memory (all statistics exact)."""
    numeric_values = [table.features[c].to_numpy(dtype=float) for c in table.numeric]
    features = list(_parallel_numeric(numeric_values, list(table.numeric), seed, threads))
    for column in table.categorical:
        features.append(profile_categorical(table.features[column], column))
    for column, kind in table.excluded_kinds:
        features.append(FeatureProfile(column, kind, table.n_rows, 0, 0, 0, 0.0, 0))
    n_classes = min_share = None
    target_profile = None
    if table.target is not None and table.task == "classification":
        counts = table.target.value_counts()
        n_classes = len(counts)
        min_share = float(counts.min() / counts.sum())
    elif table.target is not None:
        target_profile = profile_numeric(table.target.to_numpy(dtype=float), str(table.target_name))
    position = {name: i for i, name in enumerate(table.features.columns)}
    ordered = sorted(features, key=lambda f: position[f.name])  # the layout's tie-breaks
    return dataset_profile(
        table.source,
        table.n_rows,
        features,
        task=table.task,
        target_name=table.target_name,
        n_classes=n_classes,
        min_class_share=min_share,
        target=target_profile,
        excluded=table.excluded,
        layout=arrow_layout(_frame_arrow(table.features, ordered), ordered, table.n_rows),
    )


def _parallel_numeric(
    columns: list[np.ndarray], names: list[str], seed: int, threads: int | None
) -> list[FeatureProfile]:
    return map_columns(
        lambda i: profile_numeric(columns[i], names[i], seed=seed + i), len(columns), threads
    )


def map_columns(
    one: Callable[[int], FeatureProfile], count: int, threads: int | None
) -> list[FeatureProfile]:
    """``one(i)`` for every column index, in parallel threads (numpy and Arrow release
    the GIL); in order, and sequentially for a handful of columns."""
    workers = threads or min(count, os.cpu_count() or 1)
    if workers <= 1 or count < 4:
        return [one(i) for i in range(count)]
    # One BLAS thread per worker: the moments' dot products would otherwise each start
    # their own BLAS threads and the workers would fight over the cores.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, range(count)))


def dataset_profile(
    source: str,
    n_rows: int,
    features: list[FeatureProfile],
    **extra: Any,
) -> DatasetProfile:
    numeric = [f for f in features if f.numeric and f.kind not in ("constant", "empty")]
    stds = [f.std for f in numeric if f.std is not None and f.std > 0]
    scale_ratio = (max(stds) / min(stds)) if stds else None
    skewed = [f for f in numeric if f.abs_skew is not None and f.abs_skew > 1.0]
    heavy = [f for f in numeric if (f.outlier_share_3 or 0.0) > 0.01]
    n_numeric = sum(1 for f in features if f.numeric)
    n_categorical = sum(1 for f in features if f.kind == "categorical")
    top = _image_top(features)
    return DatasetProfile(
        source=source,
        n_rows=n_rows,
        features=tuple(features),
        n_numeric=n_numeric,
        n_categorical=n_categorical,
        scale_ratio=finite_or_none(scale_ratio),
        share_skewed=len(skewed) / len(numeric) if numeric else 0.0,
        share_outlier_heavy=len(heavy) / len(numeric) if numeric else 0.0,
        image_like=top is not None,
        image_top=top,
        **extra,
    )


def _image_top(features: list[FeatureProfile]) -> float | None:
    """The common top intensity when rows look like flattened images (else None): at least
    16 numeric columns, and 90% of them integer intensities starting at 0 (or constant 0
    at the borders) with one common top."""
    numeric = [f for f in features if f.numeric and f.count > 0]
    if len(numeric) < 16:
        return None
    pixels = [
        f
        for f in numeric
        if f.integer_valued and f.min is not None and f.min >= 0 and (f.max or 0) <= 255
    ]
    if len(pixels) < 0.9 * len(numeric):
        return None
    tops = [f.max for f in pixels if f.max]
    top = max(tops) if tops else None
    return top if top in (1.0, 15.0, 16.0, 255.0) else None


def profile_arrow(
    table: Any, source: str, seed: int = 0, threads: int | None = None
) -> DatasetProfile:
    """Profile an Arrow table in memory without building a DataFrame (the fast path).

    Each worker thread converts one column to float64, profiles it and lets it go, so at
    most one converted copy per thread is alive beside the Arrow table."""
    import pyarrow as pa

    names = list(table.column_names)
    notes: dict[int, ColumnNote] = {}

    def one(index: int) -> FeatureProfile:
        column = table.column(index)
        name = names[index]
        if _is_number_type(column.type):
            return profile_numeric(_float64_values(column), name, seed + index)
        if pa.types.is_temporal(column.type):
            decision, converted = dates(name), None
        else:
            decision, converted = classify(column.to_pandas(), name)
        if decision.note is not None:
            notes[index] = decision.note
        return feature_of(decision, converted, name, table.num_rows, seed + index)

    features = map_columns(one, len(names), threads)
    return dataset_profile(
        source,
        table.num_rows,
        features,
        task=None,
        target_name=None,
        notes=tuple(str(notes[i]) for i in sorted(notes)),
        layout=arrow_layout(table, features, table.num_rows),
    )


def arrow_layout(table: Any, features: list[FeatureProfile], n_rows: int) -> TableLayout | None:
    """The layout of a table held in memory (Arrow; numbers as numbers, the rest as
    text), its columns that can matter fed to the facts `LAYOUT_ROWS` rows at a time."""
    import pyarrow as pa

    roles = layout_roles(features, n_rows)
    names = _in_roles(features, roles)
    if not names:
        return None
    numeric = {n for n in names if _is_number_type(table.column(n).type)}
    facts = LayoutFacts.start(names, set(names) - numeric, roles)
    for start in range(0, n_rows, LAYOUT_ROWS):
        part = table.slice(start, LAYOUT_ROWS)
        numbers = {n: _float64_values(part.column(n)) for n in names if n in numeric}
        texts = {n: text_cells(part.column(n).cast(pa.string())) for n in facts.text}
        facts.update(numbers, texts)
    return table_layout(facts, features, n_rows)


def _in_roles(features: list[FeatureProfile], roles: dict[str, list[str]]) -> list[str]:
    """The columns with a role in the layout's facts, in the table's order."""
    named = {name for role in roles.values() for name in role}
    return [f.name for f in features if f.name in named]


def _is_number_type(kind: Any) -> bool:
    import pyarrow as pa

    return bool(
        pa.types.is_integer(kind) or pa.types.is_floating(kind)
        or pa.types.is_boolean(kind) or pa.types.is_null(kind)
    )  # fmt: skip


def _frame_arrow(frame: Any, features: list[FeatureProfile]) -> Any:
    """A loaded table's columns that can matter to its layout as Arrow: numbers as float64,
    the rest (categories, dates) as text."""
    import pandas as pd
    import pyarrow as pa

    columns = {}
    for name in _in_roles(features, layout_roles(features, len(frame))):
        values = frame[name]
        if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
            columns[name] = pa.array(values.to_numpy(dtype=float))
        else:
            columns[name] = pa.array(values.astype("string"), type=pa.string(), from_pandas=True)
    return pa.table(columns) if columns else pa.table({})


def feature_of(
    decision: Decision, converted: Any, name: str, n_rows: int, seed: int
) -> FeatureProfile:
    """A column held in memory profiled as the classifier decided (``converted``: its
    cells as `advisor.table.kinds.classify` reads them)."""
    if decision.aside is not None:
        return FeatureProfile(name, decision.aside, n_rows, 0, 0, 0, 0.0, 0)
    if decision.kind == "categorical":
        return profile_categorical(converted, name)
    return profile_numeric(converted.to_numpy(dtype=float), name, seed)


def _float64_values(column: Any) -> np.ndarray:
    """An Arrow numeric column as one float64 array, nulls as NaN: copied chunk by chunk
    into one array (a ChunkedArray's own ``to_numpy`` goes through pandas' converter, and
    importing pandas costs a second of a cold profile that never needs it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = np.empty(len(column), dtype=np.float64)
    start = 0
    for chunk in column.chunks:
        if not len(chunk):
            continue
        if chunk.type != pa.float64():
            chunk = pc.cast(chunk, pa.float64(), safe=False)
        if chunk.null_count:
            chunk = pc.fill_null(chunk, np.nan)
        data = chunk.buffers()[1]  # (validity, values): read the values' buffer directly
        out[start : start + len(chunk)] = np.frombuffer(
            data, dtype=np.float64, count=len(chunk), offset=chunk.offset * 8
        )
        start += len(chunk)
    return out


def profile_stream(
    path: str | os.PathLike[str],
    seed: int = 0,
    block_bytes: int = 4 << 20,
    sample_rows: int | None = None,
    progress: ProgressFn | None = None,
    hint: DialectHint | None = None,
) -> DatasetProfile:
    """Profile a file in one streaming pass with bounded memory (see the module docs)."""
    files = resolve_partitions(path)
    names, kinds = partition_kinds(files, hint)
    while True:  # again, with a column as text, when a later block has text in it
        summary = TableSummary(names, kinds, seed, sample_rows or RESERVOIR_ROWS)
        try:
            for batch in iter_partition_batches(files, kinds, block_bytes, hint):
                summary.update(batch.table)
                if progress is not None:
                    progress(batch.bytes_done / max(batch.bytes_total, 1))
        except TextInColumn as found:
            kinds = {**kinds, found.column: "text"}
            continue
        return profile_summary(summary, str(path))


def profile_summary(
    summary: TableSummary, source: str, exclude: tuple[str, ...] = ()
) -> DatasetProfile:
    """The streaming profile of a (merged) summary of every row (``exclude``: columns its
    layout never names, the target)."""
    if summary.n_rows == 0:
        from advisor.errors import InputError

        raise InputError(f"{source}: has a header but no data rows")
    assert summary.sample is not None and summary.layout is not None
    features, notes = summary_features(summary)
    layout = table_layout(summary.layout, features, summary.n_rows, exclude)
    return dataset_profile(
        source,
        summary.n_rows,
        features,
        task=None,
        target_name=None,
        mode="streaming",
        sample_rows=int(summary.sample.sample.shape[0]),
        notes=tuple(str(note) for note in notes),
        layout=layout,
    )


def profile_path(
    path: str | os.PathLike[str],
    seed: int = 0,
    streaming: bool | None = None,
    progress: ProgressFn | None = None,
    hint: DialectHint | None = None,
) -> DatasetProfile:
    """Profile a CSV (plain or gzip) or Parquet file: in memory when its data fits
    comfortably (every statistic exact), else streaming (bounded memory)."""
    if streaming is None:
        streaming = not data_fits_in_memory(path)
    if streaming:
        return profile_stream(path, seed=seed, progress=progress, hint=hint)
    started = time.perf_counter()
    if is_partitioned(path):
        table = read_partitions_arrow(resolve_partitions(path), hint)
    else:
        table = read_arrow(check_file(path), hint)
    profile = profile_arrow(table, str(path), seed=seed)
    if progress is not None and time.perf_counter() - started > 0:
        progress(1.0)
    return profile
