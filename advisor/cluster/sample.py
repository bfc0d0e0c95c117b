"""The search's stratified, seeded sample drawn on a Dask cluster; only the sample travels.

Three passes over the partitions, on the workers: (1) how many rows of each partition have
a target (the target column alone); (2) each row with a target gets the key of
`advisor.table.sample` from its position among those rows, and per stratum (class, or target
decile) each partition keeps its rows with the smallest keys and counts its rows; merged,
these give every stratum's size and its candidates; (3) the client picks each stratum's
quota of smallest keys, and the workers send just those rows. The rows are the ones
`advisor.table.sample.stratified_sample` picks in one process from the same data in the same
order (for regression, up to the decile edges, which the cluster takes from the profile's
row sample instead of every row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from advisor.cluster.reduce import ordered_reduce
from advisor.errors import InputError
from advisor.io.markers import missing_cells
from advisor.io.read import file_format, iter_batches, read_frame
from advisor.io.rowkeys import row_keys
from advisor.io.sniff import DialectHint
from advisor.table.sample import quotas, strata_of

if TYPE_CHECKING:
    import pandas as pd


def _target_column(path: str, target: str | None, hint: DialectHint | None) -> pd.Series:
    """One partition's target column (text kept as text), read alone; without a target,
    its first column (every row counts)."""
    import pandas as pd

    if target is None:
        from advisor.io.read import file_schema

        first = file_schema(path, hint).names[0]
        return _target_column(path, first, hint).notna() | True
    if file_format(path) == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path, columns=[target]).column(target).to_pandas()
    # As text: class labels then read '1' in CSV as in Parquet (never '1.0').
    batches = iter_batches(path, 16 << 20, hint, text_columns=(target,), only=target)
    parts = [b.table.column(target).to_pandas() for b in batches]
    return pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype=float)


def _present(values: pd.Series) -> np.ndarray:
    """Rows whose target is there, by the loader's test (`missing_cells`)."""
    return ~np.asarray(missing_cells(values), dtype=bool)


def _count_present(path: str, target: str | None, hint: DialectHint | None) -> int:
    return int(_present(_target_column(path, target, hint)).sum())


def _stratum_candidates(
    path: str,
    start: int,
    target: str | None,
    task: str | None,
    size: int,
    seed: int,
    edges: np.ndarray | None,
    hint: DialectHint | None,
) -> dict[str, tuple[int, np.ndarray, np.ndarray]]:
    """Per stratum: its row count here and the ``size`` smallest keys with their positions
    (among the rows with a target, counted over all partitions)."""
    import pandas as pd

    values = _target_column(path, target, hint)
    values = values[_present(values)].reset_index(drop=True)
    keys = row_keys(start, len(values), seed)
    positions = np.arange(start, start + len(values), dtype=np.int64)
    if task is None:
        strata = np.full(len(values), "all", dtype=object)
    else:
        strata = strata_of(pd.Series(values), task, edges)
    out = {}
    for label in np.unique(strata).tolist():
        rows = np.flatnonzero(strata == label)
        if rows.size > size:
            rows = rows[np.argpartition(keys[rows], size - 1)[:size]]
        out[label] = (int((strata == label).sum()), keys[rows], positions[rows])
    return out


def _merge_candidates(
    first: dict[str, tuple[int, np.ndarray, np.ndarray]],
    later: dict[str, tuple[int, np.ndarray, np.ndarray]],
    size: int,
) -> dict[str, tuple[int, np.ndarray, np.ndarray]]:
    out = dict(first)
    for label, (count, keys, positions) in later.items():
        if label in out:
            n, k, p = out[label]
            keys, positions = np.concatenate([k, keys]), np.concatenate([p, positions])
            count += n
            if keys.size > size:
                keep = np.argpartition(keys, size - 1)[:size]
                keys, positions = keys[keep], positions[keep]
        out[label] = (count, keys, positions)
    return out


def _take_rows(
    path: str, start: int, target: str | None, chosen: np.ndarray, hint: DialectHint | None
) -> pd.DataFrame:
    """The partition's rows at the chosen positions (among rows with a target, counted by
    the same reader and test as the other passes)."""
    frame = rows_with_target(path, target, hint)
    local = chosen[(chosen >= start) & (chosen < start + len(frame))] - start
    return frame.iloc[local]


def rows_with_target(path: str, target: str | None, hint: DialectHint | None) -> pd.DataFrame:
    """A partition's rows that have a target (every row without one), read as the loader
    reads them, the target tested as the other passes test it."""
    frame = read_frame(path, hint)
    if target is not None:
        present = _present(_target_column(path, target, hint))
        if present.size != len(frame):
            raise InputError(f"{path}: its rows read differently by the two readers")
        frame = frame[present].reset_index(drop=True)
    return frame


def cluster_sample(
    data: str,
    client: Any,
    target: str | None,
    task: str | None,
    size: int,
    seed: int,
    edges: np.ndarray | None = None,
    hint: DialectHint | None = None,
    minimum: int = 1,
) -> tuple[pd.DataFrame, int]:
    """The stratified sample of ``data`` (a file, directory or glob) and the number of rows
    with a target it was drawn from (without a target: a uniform sample of every row);
    ``minimum``: rows every stratum keeps when it has them (the folds)."""
    import pandas as pd

    from advisor.io.partitions import resolve_partitions

    files = [str(p.resolve()) for p in resolve_partitions(data)]  # workers may run elsewhere
    counts = client.gather(client.map(_count_present, files, target=target, hint=hint, pure=False))
    starts = list(np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int))
    level = client.map(
        _stratum_candidates, files, starts, target=target, task=task, size=size, seed=seed,
        edges=edges, hint=hint, pure=False,
    )  # fmt: skip
    merged = ordered_reduce(client, level, _merge_candidates, size)
    total = int(sum(counts))
    counts_by = {label: count for label, (count, _, _) in merged.items()}
    wanted = quotas(counts_by, min(size, total), minimum)
    chosen = []
    for label, (_, keys, positions) in merged.items():
        take = wanted[label] if size < total else keys.size
        chosen.append(positions[np.argsort(keys, kind="stable")[:take]])
    picked = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
    chosen_on_workers = client.scatter(picked, broadcast=True)
    take = [
        client.submit(_take_rows, path, start, target, chosen_on_workers, hint, pure=False)
        for path, start in zip(files, starts, strict=True)
    ]
    parts = client.gather(take)
    frame = pd.concat(parts, ignore_index=True)
    return frame, total
