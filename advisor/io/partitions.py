"""DATA as partitions: one file, a directory or a glob of CSV/Parquet files of one schema.

A directory is read recursively (hidden files and names starting with ``_`` or ``.``, such
as Spark's ``_SUCCESS``, are skipped); a glob (``data/part-*.parquet``, ``**`` allowed) is
expanded. Partitions are read in the order of their paths (sorted as text), so the same
files give the same rows in the same order. Every partition must have the columns of the
first, and a column must be numbers in all of them or text in all of them (a column that is
empty in one partition fits either); otherwise one line names the file and the column.
Columns encoded in directory names (``year=2024/``) are not read as columns.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from advisor.errors import InputError
from advisor.io.memory import fits_in_memory, memory_need
from advisor.io.read import (
    PARQUET_SUFFIXES,
    Batch,
    check_file,
    file_format,
    file_schema,
    iter_batches,
    read_arrow,
    read_frame,
)
from advisor.io.sniff import DialectHint

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import pandas as pd

DATA_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".gz", *PARQUET_SUFFIXES)
_GLOB_CHARS = ("*", "?", "[")


def is_partitioned(data: str | os.PathLike[str]) -> bool:
    """Whether ``data`` names a directory or a glob rather than one file."""
    text = str(data)
    return Path(text).is_dir() or (not Path(text).exists() and any(c in text for c in _GLOB_CHARS))


def resolve_partitions(data: str | os.PathLike[str]) -> list[Path]:
    """The files ``data`` names, in reading order (one file: itself)."""
    text = str(data)
    if not is_partitioned(text):
        return [check_file(text)]
    if Path(text).is_dir():
        root = Path(text)
        files = [
            p
            for p in root.rglob("*")
            if p.is_file()
            and p.name.lower().endswith(DATA_SUFFIXES)
            and not any(part.startswith((".", "_")) for part in p.relative_to(root).parts)
        ]
        where = f"{data}: no CSV or Parquet files in this directory"
    else:
        files = [
            Path(p)
            for p in glob.glob(text, recursive=True)
            if Path(p).is_file()
            and Path(p).name.lower().endswith(DATA_SUFFIXES)
            and not Path(p).name.startswith((".", "_"))
        ]
        where = f"{data}: the pattern matches no CSV or Parquet files"
    if not files:
        raise InputError(where)
    kept = [p for p in sorted(files, key=lambda p: p.as_posix()) if not _empty(p)]
    if not kept:
        raise InputError(f"{data}: every partition is empty (a header but no data rows)")
    return kept


def _empty(path: Path) -> bool:
    """A partition with no data rows (Spark writes some): skipped, as it adds nothing."""
    if file_format(path) == "parquet":
        import pyarrow.parquet as pq

        try:
            return bool(pq.ParquetFile(path).metadata.num_rows == 0)
        except Exception:  # a damaged file: the reader says what is wrong
            return False
    if path.stat().st_size > 1 << 16:
        return False
    import gzip

    opener = gzip.open if file_format(path) == "csv.gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read(1 << 16)
    except OSError:
        return False
    return len([line for line in raw.splitlines() if line.strip()]) <= 1


def column_kind(kind: pa.DataType) -> str:
    """ "number", "text" or "empty" (a column with no values: fits either)."""
    if pa.types.is_null(kind):
        return "empty"
    if (
        pa.types.is_floating(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_decimal(kind)
    ):
        return "number"
    return "text"


def arrow_kinds(schema: pa.Schema) -> dict[str, str]:
    return {f.name: column_kind(f.type) for f in schema}


def frame_kinds(frame: pd.DataFrame) -> dict[str, str]:
    """number/text/empty per column of a DataFrame (as `column_kind` for Arrow)."""
    import pandas as pd

    out = {}
    for name in frame.columns:
        values = frame[name]
        if values.isna().all():
            out[str(name)] = "empty"
        elif pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            out[str(name)] = "number"
        else:
            out[str(name)] = "text"
    return out


def merge_kinds(files: list[Path], found: list[dict[str, str]]) -> dict[str, str]:
    """Each column's kind over all partitions (``found``: column -> number/text/empty per
    file), or one line naming the partition and the column that breaks the first one's
    schema. A CSV declares no types, so a column that is text in some partitions and
    looks like numbers in CSV partitions is text (codes such as '12' and 'A1'); a Parquet
    file declares them, so numbers there against text elsewhere is another schema."""
    first, names = files[0], list(found[0])
    for part, kinds in zip(files[1:], found[1:], strict=True):
        for name in names:
            if name not in kinds:
                raise InputError(
                    f"{part}: column {name!r} is missing (partitions must have the columns of "
                    f"{first.name})"
                )
        for name in kinds:
            if name not in found[0]:
                raise InputError(
                    f"{part}, column {name!r}: not in {first.name} (one schema expected)"
                )
    merged = {}
    for name in names:
        seen = [(part, kinds[name]) for part, kinds in zip(files, found, strict=True)]
        text = [part for part, kind in seen if kind == "text"]
        numbers = [part for part, kind in seen if kind == "number"]
        if text and numbers and any(file_format(p) == "parquet" for p in numbers):
            culprit = max(text[0], numbers[0], key=files.index)
            here, before = ("text", "numbers") if culprit in text else ("numbers", "text")
            raise InputError(
                f"{culprit}, column {name!r}: {here} here but {before} in "
                f"{min(text[0], numbers[0], key=files.index).name} (one schema expected)"
            )
        merged[name] = "text" if text else "number" if numbers else "empty"
    return merged


def read_data_frame(data: str | os.PathLike[str], hint: DialectHint | None = None) -> pd.DataFrame:
    """A file, or every partition of a directory or glob stacked, as one DataFrame."""
    if not is_partitioned(data):
        return read_frame(data, hint)
    return read_partitions_frame(resolve_partitions(data), lambda p: read_frame(p, hint))


def data_fits_in_memory(data: str | os.PathLike[str]) -> bool:
    """Whether the file or all partitions together load comfortably (`memory_need`,
    `fits_in_memory`)."""
    return fits_in_memory(sum(memory_need(p) for p in resolve_partitions(data)))


def read_partitions_frame(
    files: list[Path], read_one: Callable[[Path], pd.DataFrame]
) -> pd.DataFrame:
    """Every partition read with ``read_one(path)`` (a DataFrame each) and stacked, after
    the same schema checks as the streaming path."""
    import pandas as pd

    frames = [read_one(part) for part in files]
    names = [str(c) for c in frames[0].columns]
    kinds = merge_kinds(files, [frame_kinds(f) for f in frames])
    text = [name for name in names if kinds[name] == "text"]
    stacked = []
    for frame in frames:
        frame = frame[names]
        for name in text:
            if frame[name].dtype != object:  # digits a CSV reader took for numbers
                values = frame[name]
                frame = frame.assign(**{name: values.astype(object).where(values.notna(), None)})
                frame[name] = frame[name].map(_as_text)
        stacked.append(frame)
    return pd.concat(stacked, ignore_index=True) if len(stacked) > 1 else stacked[0]


def _as_text(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def partition_kinds(
    files: list[Path], hint: DialectHint | None = None
) -> tuple[list[str], dict[str, str]]:
    """The first partition's column names and each column's kind (number/text/empty)
    over all partitions, from their schemas (Parquet metadata, a CSV's first block)."""
    found = [arrow_kinds(file_schema(part, hint)) for part in files]
    return list(found[0]), merge_kinds(files, found)


def iter_partition_batches(
    files: list[Path],
    kinds: dict[str, str],
    block_bytes: int = 4 << 20,
    hint: DialectHint | None = None,
) -> Iterator[Batch]:
    """Every partition's batches in order (text columns read as text everywhere), with the
    bytes done counted over all partitions."""
    sizes = [p.stat().st_size for p in files]
    total, before = sum(sizes), 0
    text = tuple(name for name, kind in kinds.items() if kind == "text")
    for part, size in zip(files, sizes, strict=True):
        for batch in iter_batches(part, block_bytes, hint, text_columns=text):
            table = batch.table
            for name in text:  # a Parquet column of another type than the CSVs' text
                index = table.schema.get_field_index(name)
                if not pa.types.is_string(table.schema.field(index).type):
                    table = table.set_column(index, name, table.column(name).cast(pa.string()))
            yield Batch(table, before + batch.bytes_done, total)
        before += size


def read_partitions_arrow(files: list[Path], hint: DialectHint | None = None) -> pa.Table:
    """Every partition as one Arrow table: numbers as float64, text as text."""
    names, kinds = partition_kinds(files, hint)
    tables = []
    for part in files:
        table = read_arrow(part, hint)
        columns = []
        for name in names:
            column = table.column(name)
            kind = kinds[name]
            target = pa.string() if kind == "text" else pa.float64() if kind == "number" else None
            columns.append(column.cast(target) if target is not None else column)
        tables.append(pa.table(columns, names=names))
    return pa.concat_tables(tables, promote_options="permissive")
