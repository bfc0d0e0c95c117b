"""Reading data files: CSV (plain or gzip) and Parquet, whole or in batches.

Everything that touches a file's bytes lives here, so loading (pandas, for the pipeline)
and profiling (Arrow, possibly streamed) read the same formats with the same errors.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pacsv

from advisor.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

PARQUET_SUFFIXES = (".parquet", ".pq")
#: Files are loaded in memory while their data's float64 size stays below this share of
#: the memory available; larger files stream.
IN_MEMORY_SHARE = 0.25


def file_format(path: str | os.PathLike[str]) -> str:
    """ "parquet", "csv.gz" or "csv" from the file name."""
    name = str(path).lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(".gz"):
        return "csv.gz"
    return "csv"


def check_file(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: file not found")
    if p.is_dir():
        raise InputError(f"{path}: is a directory, expected a CSV or Parquet file")
    return p


def read_frame(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The whole file as a DataFrame; every parse problem becomes a one-line InputError."""
    p = check_file(path)
    fmt = file_format(p)
    if fmt == "parquet":
        import pandas as pd

        try:
            frame = pd.read_parquet(p)
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise InputError(f"{path}: cannot read as Parquet ({_first_line(exc)})") from None
        return _check_shape(frame, str(path))
    raw = p.read_bytes()
    if fmt == "csv.gz":
        import gzip

        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: not a valid gzip file ({_first_line(exc)})") from None
    return parse_csv_bytes(raw, str(path))


def parse_csv_bytes(raw: bytes, name: str) -> pd.DataFrame:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{name}, line {line}: byte 0x{raw[exc.start]:02x} is not valid UTF-8; "
            "save the file as UTF-8"
        ) from None
    if not text.strip():
        raise InputError(f"{name}: file is empty, expected a header line and data rows")
    import pandas as pd

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pd.read_csv(io.BytesIO(raw), engine="pyarrow")
    except Exception as exc:  # pyarrow and pandas raise several types for malformed CSV
        raise InputError(describe_parse_error(name, text, exc)) from None
    return _check_shape(frame, name)


def _check_shape(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if frame.shape[1] == 0:
        raise InputError(f"{name}: no columns found in the header line")
    if len(frame) == 0:
        raise InputError(f"{name}: has a header but no data rows")
    duplicated = [c for c in frame.columns if str(c).endswith(".1") and str(c)[:-2] in frame]
    if duplicated:
        raise InputError(f"{name}: duplicate column name {str(duplicated[0])[:-2]!r} in header")
    return frame


def describe_parse_error(name: str, text: str, exc: Exception) -> str:
    """Find the first ragged line (the parser's own message rarely names it)."""
    reader = csv.reader(io.StringIO(text))
    expected: int | None = None
    for line_no, row in enumerate(reader, start=1):
        if not row:
            continue
        if expected is None:
            expected = len(row)
        elif len(row) != expected:
            return (
                f"{name}, line {line_no}: expected {expected} fields as in the header, "
                f"found {len(row)}"
            )
    return f"{name}: cannot parse as CSV ({_first_line(exc)})"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ----------------------------------------------------------------------------- Arrow


def read_arrow(path: str | os.PathLike[str]) -> pa.Table:
    """The whole file as an Arrow table (multi-threaded CSV parser; no pandas)."""
    p = check_file(path)
    try:
        if file_format(p) == "parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(p)
        else:
            table = pacsv.read_csv(p, read_options=pacsv.ReadOptions(use_threads=True))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(_arrow_error(p, exc)) from None
    if table.num_columns == 0:
        raise InputError(f"{path}: no columns found in the header line")
    if table.num_rows == 0:
        raise InputError(f"{path}: has a header but no data rows")
    return table


@dataclass(frozen=True)
class Batch:
    """A slice of a file read in streaming mode, with how far into the file it reaches."""

    table: pa.Table
    bytes_done: int
    bytes_total: int


def iter_batches(path: str | os.PathLike[str], block_bytes: int = 4 << 20) -> Iterator[Batch]:
    """Read ``path`` in blocks of about ``block_bytes`` of text (or Parquet row groups),
    so memory stays bounded whatever the file's size (Arrow's streaming reader holds a few
    blocks; 4 MB blocks keep it near 100 MB where 32 MB blocks took 900 MB). Integer columns
    are read as float64 so a later block with decimals cannot change a column's type."""
    p = check_file(path)
    total = p.stat().st_size
    if file_format(p) == "parquet":
        import pyarrow.parquet as pq

        reader = pq.ParquetFile(p)
        done = 0
        groups = reader.metadata.num_row_groups or 1
        for index, batch in enumerate(reader.iter_batches(batch_size=1 << 20)):
            done = min(total, int(total * (index + 1) / max(groups, 1)))
            yield Batch(pa.Table.from_batches([batch]), done, total)
        return
    stream = pa.input_stream(str(p), compression="detect")
    try:
        first = pacsv.open_csv(stream, read_options=pacsv.ReadOptions(block_size=block_bytes))
        schema = first.schema
        first.close()
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(_arrow_error(p, exc)) from None
    types = {
        f.name: (
            pa.float64() if pa.types.is_integer(f.type) or pa.types.is_null(f.type) else f.type
        )
        for f in schema
    }
    raw = open(p, "rb")  # noqa: SIM115 - closed in finally; tells how far the reader got
    try:
        compressed = (
            pa.CompressedInputStream(pa.PythonFile(raw), "gzip")
            if (file_format(p) == "csv.gz")
            else pa.PythonFile(raw)
        )
        reader = pacsv.open_csv(
            compressed,
            read_options=pacsv.ReadOptions(block_size=block_bytes),
            convert_options=pacsv.ConvertOptions(column_types=types),
        )
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise InputError(_arrow_error(p, exc)) from None
            yield Batch(pa.Table.from_batches([batch]), min(raw.tell(), total), total)
    finally:
        raw.close()


def _arrow_error(path: Path, exc: BaseException) -> str:
    text = _first_line(exc)
    if "Empty CSV file" in text:
        return f"{path}: file is empty, expected a header line and data rows"
    if "Expected" in text and "columns" in text:
        return f"{path}: ragged rows ({text}); run `advise` on it for the line number"
    return f"{path}: cannot read ({text})"


def too_big_for_memory(path: str | os.PathLike[str]) -> bool:
    """Whether the file's data would take more than `IN_MEMORY_SHARE` of the memory
    available as float64 (with a sorted copy): such files are streamed, not loaded."""
    size = os.path.getsize(path)
    if str(path).lower().endswith((".gz", ".parquet", ".pq")):
        size *= 5  # compressed: guess the text size
    # A CSV value takes about 6-8 bytes of text; as float64 it takes 8, plus a sorted copy.
    need = size * 2
    return need > IN_MEMORY_SHARE * _available_memory()


def _available_memory() -> int:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 4 << 30
