"""The search's sample of whole groups, or of the most recent times, drawn on a Dask cluster.

With ``groups`` or ``time_order`` the search's sample keeps units whole (`split_sample` in
one process). Two passes over the partitions, on the workers: (1) each partition's rows
with a target (`rows_with_target`, the reader and test of the stratified sample) get
their unit as one process gives it -- the column as the loader keeps it
(`loaded_column`), the split's rows (`with_rows`), the unit of each (`split_units`) --
and the partition counts its rows per unit; merged, these are every unit's row count;
(2) the client calls `units_kept` on the sorted units and their counts, as `split_sample`
does in one process, and the workers send the rows of the kept units, in partition order.
Units that are numbers in some partitions and text in others are compared as text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from advisor.cluster.sample import rows_with_target
from advisor.errors import InputError
from advisor.io.sniff import DialectHint
from advisor.table.load import loaded_column
from advisor.table.units import Split, split_units, units_kept, with_rows

if TYPE_CHECKING:
    import pandas as pd


def _units(
    path: str, target: str, request: Split, hint: DialectHint | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """A partition's rows with a target and each one's unit (group as text, or time)."""
    frame = rows_with_target(path, target, hint)
    column = request.column
    if column not in frame.columns:
        raise InputError(f"{path}: column {column!r} is missing")
    _, values = loaded_column(frame[column], str(column))
    return frame, split_units(with_rows(request, values, path))


def _unit_counts(
    path: str, target: str, request: Split, hint: DialectHint | None
) -> tuple[np.ndarray, np.ndarray]:
    """A partition's units (sorted) and the rows of each."""
    _, units = _units(path, target, request, hint)
    return np.unique(units, return_counts=True)


def _is_text(units: np.ndarray) -> bool:
    return units.dtype.kind in "OUS"


def merge_units(
    parts: list[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Every unit, sorted as `np.unique` sorts them, its rows over all partitions, and
    whether they are compared as text (numbers in some partitions, text in others)."""
    found = [(units, counts) for units, counts in parts if units.size]
    as_text = len({_is_text(units) for units, _ in found}) > 1
    if not found:
        return np.zeros(0), np.zeros(0, dtype=np.int64), False
    values = np.concatenate([units.astype(str) if as_text else units for units, _ in found])
    counts = np.concatenate([c for _, c in found])
    units, position = np.unique(values, return_inverse=True)
    total = np.bincount(position.reshape(-1), weights=counts, minlength=len(units))
    return units, total.astype(np.int64), as_text


def _take_units(
    path: str,
    target: str,
    request: Split,
    kept: np.ndarray,
    as_text: bool,
    hint: DialectHint | None,
) -> pd.DataFrame:
    """The partition's rows (with a target) of the kept units."""
    frame, units = _units(path, target, request, hint)
    if as_text:
        units = units.astype(str)
    return frame[np.isin(units, kept)]


def cluster_units(
    data: str,
    client: Any,
    target: str,
    request: Split,
    size: int,
    seed: int,
    minimum: int,
    hint: DialectHint | None = None,
) -> tuple[pd.DataFrame, int]:
    """The rows of the units `units_kept` keeps for a sample of about ``size`` rows of
    ``data`` (a file, directory or glob), and the number of rows with a target they were
    drawn from; ``request``: the split asked for (`split_request`), ``minimum``: the
    folds."""
    import pandas as pd

    from advisor.io.partitions import resolve_partitions

    files = [str(p.resolve()) for p in resolve_partitions(data)]  # workers may run elsewhere
    parts = client.gather(
        client.map(_unit_counts, files, target=target, request=request, hint=hint, pure=False)
    )
    units, counts, as_text = merge_units(parts)
    total = int(counts.sum())
    kept = units if size >= total else units[units_kept(counts, size, seed, minimum, request)]
    kept_on_workers = client.scatter(kept, broadcast=True)
    take = [
        client.submit(
            _take_units, path, target, request, kept_on_workers, as_text, hint, pure=False
        )
        for path in files
    ]
    return pd.concat(client.gather(take), ignore_index=True), total
