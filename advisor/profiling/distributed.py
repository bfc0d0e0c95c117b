"""Profiling on a Dask cluster (the ``[dask]`` extra): one summary per partition, on the
workers.

The client lists the partitions (`advisor.io.partitions`); workers read each partition's
schema, then summarize each partition in bounded memory (`TableSummary`, the streaming
path's summary); summaries merge pairwise on the workers in the partitions' order, so only
one summary (the exact facts and a 100,000-row sample) travels to the client, which
profiles it like the single-process streaming path. The row sample depends on the rows'
values only, so the profile is the same for any partitioning and any number of workers. A
task lost with its worker is recomputed by Dask from the same file (the result does not
change). ``ADDRESS`` is a scheduler (``tcp://host:8786``) or ``local`` / ``local:N`` (a
`LocalCluster` of N single-threaded worker processes here).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import InputError
from advisor.io.partitions import arrow_kinds, merge_kinds, resolve_partitions
from advisor.io.read import file_schema, iter_batches
from advisor.io.sniff import DialectHint
from advisor.profiling.sketch import RESERVOIR_ROWS
from advisor.profiling.summary import TableSummary

if TYPE_CHECKING:
    from advisor.profiling.types import DatasetProfile

#: Seconds to wait for a remote scheduler before giving up.
CONNECT_TIMEOUT = 10.0
EXTRA = "install the [dask] extra: pip install 'normalization-advisor[dask]'"


def connect(address: Any, timeout: float = CONNECT_TIMEOUT) -> tuple[Any, Callable[[], None]]:
    """A `distributed.Client` for ``address`` (a Client is used as it is) and a function
    that closes what this call started."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(f"--dask needs Dask's distributed scheduler: {EXTRA}") from None
    if isinstance(address, Client):
        return address, lambda: None
    text = str(address)
    if text == "local" or text.startswith("local:"):
        count = text.partition(":")[2]
        if count and not (count.isdigit() and int(count) > 0):
            raise InputError(f"--dask {text}: expected local or local:N with N a positive number")
        cluster = LocalCluster(
            n_workers=int(count) if count else (os.cpu_count() or 1),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # no fixed port: several clusters may run
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)

        def close() -> None:
            client.close()
            cluster.close()

        return client, close
    try:
        client = Client(text, timeout=f"{timeout:g}s")
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"--dask {text}: cannot reach the Dask scheduler within {timeout:g} s ({reason})"
        ) from None
    return client, client.close


def _kinds_of(path: str, hint: DialectHint | None) -> dict[str, str]:
    return arrow_kinds(file_schema(path, hint))


def summarize_partition(
    path: str,
    names: list[str],
    kinds: dict[str, str],
    seed: int,
    sample_rows: int,
    hint: DialectHint | None = None,
    block_bytes: int = 4 << 20,
) -> TableSummary:
    """One partition's summary (runs on a worker)."""
    text = tuple(name for name in names if kinds[name] == "text")
    summary = TableSummary(names, kinds, seed, sample_rows)
    for batch in iter_batches(path, block_bytes, hint, text_columns=text):
        table = batch.table
        for name in text:
            index = table.schema.get_field_index(name)
            if str(table.schema.field(index).type) != "string":
                table = table.set_column(index, name, table.column(name).cast("string"))
        summary.update(table)
    return summary


def _merge(first: TableSummary, later: TableSummary) -> TableSummary:
    return first.merge(later)


def profile_dask(
    data: str | os.PathLike[str],
    client: Any,
    seed: int = 0,
    hint: DialectHint | None = None,
    sample_rows: int | None = None,
) -> DatasetProfile:
    """The streaming profile of ``data`` (a file, directory or glob) computed on the
    cluster behind ``client``."""
    from advisor.profiling.profile import profile_summary

    files = [str(p) for p in resolve_partitions(data)]
    found = client.gather(client.map(_kinds_of, files, hint=hint, pure=False))
    names = list(found[0])
    kinds = merge_kinds([Path(f) for f in files], found)
    size = sample_rows or RESERVOIR_ROWS
    level = client.map(
        summarize_partition,
        files,
        names=names,
        kinds=kinds,
        seed=seed,
        sample_rows=size,
        hint=hint,
        pure=False,
    )
    while len(level) > 1:  # merge neighbours, keeping the partitions' order
        pairs = [
            client.submit(_merge, a, b, pure=False)
            for a, b in zip(level[::2], level[1::2], strict=False)
        ]
        level = pairs + ([level[-1]] if len(level) % 2 else [])
    summary = level[0].result()
    return profile_summary(summary, str(data))
