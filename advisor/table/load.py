"""Loading: a CSV path or a DataFrame becomes a validated `Table` (features, target, task)."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from advisor.errors import InputError
from advisor.io.markers import missing_cells
from advisor.io.partitions import data_fits_in_memory, read_data_frame, resolve_partitions
from advisor.io.sniff import DialectHint
from advisor.table.kinds import ColumnNote, Decision, classify
from advisor.table.targets import check_rows, check_target, plain, rare_classes, refuse_rare
from advisor.vocab import ColumnKind, Task, TaskArg

#: A target with at most this many distinct integer values is read as class labels.
MAX_INTEGER_CLASSES = 20


@dataclass(frozen=True)
class Table:
    """The loaded dataset: feature columns, an optional target, and the decisions made.

    ``features`` holds every column but the target, in the file's order; ``numeric`` and
    ``categorical`` name the usable ones; columns the loader set aside from both (id-like,
    and dates, which the rules turn into calendar features) are in ``excluded`` with a note
    each.
    """

    source: str
    features: pd.DataFrame
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    target_name: str | None = None
    target: pd.Series | None = None
    task: Task | None = None
    excluded: tuple[str, ...] = ()
    notes: tuple[ColumnNote, ...] = field(default_factory=tuple)
    excluded_kinds: tuple[tuple[str, ColumnKind], ...] = ()  # (column, "datetime" | "id-like")

    @property
    def n_rows(self) -> int:
        return len(self.features)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.numeric + self.categorical


def read_csv(path: str | os.PathLike[str], hint: DialectHint | None = None) -> pd.DataFrame:
    """Read a CSV (plain or gzip) or Parquet file, or a directory or glob of them, into a
    DataFrame; every parse problem becomes a one-line `InputError` naming the file and,
    where it can, the line."""
    return read_data_frame(path, hint)


def load_table(
    source: str | os.PathLike[str] | pd.DataFrame,
    target: str | None = None,
    task: TaskArg = "auto",
    hint: DialectHint | None = None,
) -> Table:
    """Load ``source`` (a CSV path or a DataFrame) and validate the target.

    The input is never modified: a DataFrame is copied before any conversion.
    """
    name, frame = _read(source, hint)
    if task not in ("auto", "classification", "regression"):
        raise InputError(f"task must be 'auto', 'classification' or 'regression', got {task!r}")
    notes: list[ColumnNote] = []
    y: pd.Series | None = None
    resolved_task: Task | None = None
    if target is not None:
        frame, y, resolved_task, note = _split_target(frame, name, target, task)
        notes.extend([note] if note is not None else [])
    kinds = _classify_columns(frame)
    notes.extend(d.note for d in kinds.values() if d.note is not None)
    numeric = tuple(c for c, d in kinds.items() if d.kind == "numeric")
    categorical = tuple(c for c, d in kinds.items() if d.kind == "categorical")
    aside = tuple((c, d.aside) for c, d in kinds.items() if d.aside is not None)
    excluded = tuple(c for c, _ in aside)
    if not numeric and not categorical and not any(k == "datetime" for _, k in aside):
        raise InputError(
            f"{name}: no usable feature column"
            + (f" besides the target {target!r}" if target else "")
            + (f" (set aside: {', '.join(excluded[:5])})" if excluded else "")
        )
    # All feature columns in their original order (the ones set aside included), so a
    # pipeline fit on them takes the user's frame minus the target as it is.
    return Table(
        source=name,
        features=frame,
        numeric=numeric,
        categorical=categorical,
        target_name=target,
        target=y,
        task=resolved_task,
        excluded=excluded,
        notes=tuple(notes),
        excluded_kinds=aside,
    )


def _read(
    source: str | os.PathLike[str] | pd.DataFrame, hint: DialectHint | None
) -> tuple[str, pd.DataFrame]:
    """The source's name and a frame of its own (a DataFrame copied), columns named as
    text."""
    if isinstance(source, pd.DataFrame):
        name = "<DataFrame>"
        frame = source.copy()
        if frame.shape[1] == 0:
            raise InputError(f"{name}: has no columns")
        if len(frame) == 0:
            raise InputError(f"{name}: has no rows")
        frame.columns = [str(c) for c in frame.columns]
        if frame.columns.duplicated().any():
            dup = frame.columns[frame.columns.duplicated()][0]
            raise InputError(f"{name}: duplicate column name {dup!r}")
        return name, frame
    if isinstance(source, (str, os.PathLike)):
        _check_fits_in_memory(source)
        frame = read_csv(source, hint)
        frame.columns = [str(c) for c in frame.columns]
        return str(source), frame
    raise InputError(f"expected a CSV path or a pandas DataFrame, got {type(source).__name__}")


def _split_target(
    frame: pd.DataFrame, name: str, target: str, task: TaskArg
) -> tuple[pd.DataFrame, pd.Series, Task, ColumnNote | None]:
    """The features without the target, its values (checked, cleaned), its task, and a
    note when rows without a target were left out."""
    if target not in frame.columns:
        shown = ", ".join(repr(c) for c in list(frame.columns)[:8])
        more = ", ..." if frame.shape[1] > 8 else ""
        raise InputError(f"{name}: target column {target!r} not found; columns are {shown}{more}")
    y = frame[target]
    missing = missing_cells(y)
    if bool(missing.all()):
        raise InputError(f"{name}, column {target!r}: target has no values (all missing)")
    note = None
    if bool(missing.any()):
        first = int(np.flatnonzero(missing.to_numpy())[0])
        message = (
            f"{int(missing.sum())} rows without a target value were left out "
            f"(first at data row {first + 1})"
        )
        note = ColumnNote(target, "info", message)
        frame = frame.loc[~missing.to_numpy()].reset_index(drop=True)
        y = frame[target]
    resolved: Task = infer_task(y) if task == "auto" else task
    check_target(y, target, name, task, resolved)
    return frame.drop(columns=[target]), _clean_target(y, resolved, name, target), resolved, note


def _classify_columns(frame: pd.DataFrame) -> dict[str, Decision]:
    """Each column's decision (`advisor.table.kinds`), its cells converted in ``frame``
    (columns set aside keep theirs)."""
    kinds = {}
    for column in frame.columns:
        kinds[column], frame[column] = loaded_column(frame[column], column)
    return kinds


def loaded_column(values: pd.Series, column: str) -> tuple[Decision, pd.Series]:
    """A column's decision and its cells as the loader keeps them (`classify`'s, or the
    cells as read where the column is set aside); a cluster's workers make a partition's
    group or time column the same way."""
    decision, converted = classify(values, column)
    return decision, values if converted is None else converted


def _check_fits_in_memory(path: str | os.PathLike[str]) -> None:
    if not data_fits_in_memory(path):
        size = sum(os.path.getsize(p) for p in resolve_partitions(path)) / 1e9
        raise InputError(
            f"{path}: {size:.1f} GB is too large to load into memory here; "
            f"`advise profile {path}` profiles it in bounded memory, and `--dask local` "
            "(the [dask] extra) advises on it with only a sample of its rows in memory"
        )


def infer_task(y: pd.Series) -> Task:
    """Classification for text, booleans and few integer classes; regression otherwise."""
    if pd.api.types.is_bool_dtype(y.dtype) or not pd.api.types.is_numeric_dtype(y.dtype):
        numbers = pd.to_numeric(y, errors="coerce")
        if numbers.notna().all() and not pd.api.types.is_bool_dtype(y.dtype):
            return infer_task(numbers)
        return "classification"
    values = y.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    distinct = np.unique(finite)
    integer = bool(np.all(np.equal(np.mod(finite, 1), 0)))
    if integer and len(distinct) <= MAX_INTEGER_CLASSES and len(distinct) <= max(2, len(y) // 2):
        return "classification"
    return "regression"


def _clean_target(y: pd.Series, task: Task, name: str, column: str) -> pd.Series:
    if task == "classification":
        if pd.api.types.is_float_dtype(y.dtype):
            values = y.to_numpy()
            # Whole numbers within float64's exact integers become integer class codes.
            exact = np.isfinite(values) & (np.abs(values) < 2.0**53)
            if np.all(exact) and np.all(np.mod(values, 1) == 0):
                return pd.Series(values.astype(np.int64), name=y.name)
        if not pd.api.types.is_numeric_dtype(y.dtype) and not pd.api.types.is_bool_dtype(y.dtype):
            return pd.Series(y.astype(str).str.strip().to_numpy(), name=y.name)
        return y.reset_index(drop=True)
    numbers = pd.to_numeric(y, errors="coerce")
    bad = numbers.isna() | ~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
    if bool(bad.any()):
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{name}, column {column!r}, data row {row + 1}: regression target must be a "
            f"finite number, got {plain(y.iloc[row])!r}"
        )
    return pd.Series(numbers.to_numpy(dtype=float), name=y.name)


def keep_learnable_classes(table: Table, folds: int, drop_rare: bool) -> Table:
    """Before training: refuse a table too small to validate on, and classes with fewer
    rows than ``folds`` (naming them), or, with ``drop_rare``, leave their rows out with a
    note."""
    if table.target is None:
        return table
    where = f"{table.source}, column {table.target_name!r}"
    check_rows(where, table.n_rows)
    if table.task != "classification":
        return table
    rare = rare_classes(table.target, folds)
    if not rare:
        return table
    if not drop_rare:
        raise refuse_rare(where, rare, folds)
    keep = ~table.target.astype(str).isin(list(rare)).to_numpy()
    target = table.target[keep].reset_index(drop=True)
    if target.nunique() < 2:
        raise InputError(f"{where}: fewer than two classes left after dropping the rare ones")
    names = ", ".join(repr(c) for c in rare)
    note = ColumnNote(
        str(table.target_name),
        "info",
        f"{int((~keep).sum())} rows of {len(rare)} rare class{'es' if len(rare) != 1 else ''} "
        f"({names}: fewer rows than the {folds} folds) were left out (--drop-rare-classes)",
    )
    return dataclasses.replace(
        table,
        features=table.features[keep].reset_index(drop=True),
        target=target,
        notes=(*table.notes, note),
    )
