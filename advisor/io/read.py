"""Reading data files: CSV (plain or gzip) and Parquet, whole or in batches.

Everything that touches a file's bytes lives here, so loading (a pandas DataFrame for the
pipeline, read by Arrow where the file is plain, else by pandas) and profiling (Arrow,
possibly streamed) read the same formats, missing values and errors.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv

from advisor.errors import InputError
from advisor.io.markers import MISSING_MARKERS, PANDAS_NULLS
from advisor.io.problems import (
    check_names,
    check_shape,
    describe_parse_error,
    first_line,
    header_names,
)
from advisor.io.sniff import (
    SNIFF_BYTES,
    Dialect,
    DialectHint,
    check_not_binary,
    dialect_of,
    is_xlsx,
)

if TYPE_CHECKING:
    import pandas as pd

PARQUET_SUFFIXES = (".parquet", ".pq")
#: Read as missing besides the readers' defaults (see `advisor.io.markers`).
MARKERS = list(MISSING_MARKERS)
#: Read as missing by every reader here: pandas' defaults and the markers (the options
#: `pandas.read_csv(engine="pyarrow", na_values=MARKERS)` gives Arrow's reader).
NULL_VALUES = sorted({*PANDAS_NULLS, *MARKERS})


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


def read_frame(path: str | os.PathLike[str], hint: DialectHint | None = None) -> pd.DataFrame:
    """The whole file as a DataFrame; every parse problem becomes a one-line InputError."""
    p = check_file(path)
    fmt = file_format(p)
    if fmt == "parquet":
        import pandas as pd

        try:
            frame = pd.read_parquet(p)
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise InputError(f"{path}: cannot read as Parquet ({first_line(exc)})") from None
        return check_shape(frame, str(path))
    if fmt == "csv":
        plain = _read_plain_file(p, hint)
        if plain is not None:
            return plain
    raw = p.read_bytes()
    if fmt == "csv.gz":
        import gzip

        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: not a valid gzip file ({first_line(exc)})") from None
    return parse_csv_bytes(raw, str(path), hint)


def parse_csv_bytes(raw: bytes, name: str, hint: DialectHint | None = None) -> pd.DataFrame:
    """A CSV's bytes as a DataFrame: the format checked by its first bytes, the encoding
    (UTF-8, with or without BOM, or UTF-16), delimiter and decimal mark sniffed."""
    head = raw[:SNIFF_BYTES]
    if is_xlsx(head):
        return read_excel(raw, name)
    check_not_binary(head, name)
    dialect = dialect_of(head, name, hint)
    if dialect.plain and raw.isascii() and raw.strip():
        # The common case: Arrow reads the bytes as they are; the text is decoded only to
        # describe a parse error (a large file's decoded copy is as big as the file).
        return _parse_plain(raw, name)
    try:
        text = raw.decode(dialect.encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        label = dialect.encoding.upper().replace("-SIG", "")
        raise InputError(
            f"{name}, line {line}: byte 0x{raw[exc.start]:02x} is not valid {label}; "
            "save the file as UTF-8 or give --encoding (e.g. latin-1)"
        ) from None
    if not text.strip():
        raise InputError(f"{name}: file is empty, expected a header line and data rows")
    if dialect.plain:
        return _parse_plain(raw, name)
    import pandas as pd

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            codes = {column: "string" for column in dialect.codes}
            if dialect.decimal == ".":
                data = io.BytesIO(text.encode("utf-8"))
                frame = pd.read_csv(
                    data, sep=dialect.delimiter, engine="pyarrow", na_values=MARKERS, dtype=codes
                )
            else:
                frame = pd.read_csv(
                    io.StringIO(text),
                    sep=dialect.delimiter,
                    decimal=dialect.decimal,
                    na_values=MARKERS,
                    dtype=codes,
                )
    except Exception as exc:  # pyarrow and pandas raise several types for malformed CSV
        raise InputError(describe_parse_error(name, text, exc, dialect.delimiter)) from None
    return check_shape(frame, name, header_names(text, dialect.delimiter))


def _parse_plain(raw: bytes, name: str) -> pd.DataFrame:
    """A valid UTF-8 CSV with commas and decimal points, straight from its bytes."""
    import pandas as pd

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pd.read_csv(io.BytesIO(raw), engine="pyarrow", na_values=MARKERS)
    except Exception as exc:  # pyarrow raises several types for malformed CSV
        raise InputError(describe_parse_error(name, raw.decode("utf-8"), exc)) from None
    return check_shape(frame, name, header_names(raw))


def _read_plain_file(p: Path, hint: DialectHint | None) -> pd.DataFrame | None:
    """A plain CSV (UTF-8, commas, decimal points) as pandas' Arrow engine reads it, but from
    the file and each Arrow column freed once converted: no copy of the bytes or the data.
    None for other files and failed parses: `parse_csv_bytes` reads or describes those."""
    dialect = _file_dialect(p, hint)
    if dialect is None or not dialect.plain:
        return None
    try:
        table = pacsv.read_csv(
            p,
            convert_options=pacsv.ConvertOptions(null_values=NULL_VALUES, strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, OSError):
        return None
    header = names = table.column_names
    types = table.schema.types
    if "" in names or len(set(names)) < len(names) or any(getattr(t, "tz", None) for t in types):
        return None  # pandas names blanks, renames duplicates, converts zones: its own reader
    for i in [i for i, t in enumerate(types) if pa.types.is_null(t)]:
        table = table.set_column(i, names[i], table.column(i).cast(pa.float64()))
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    del table, names
    pa.default_memory_pool().release_unused()  # to the system, for the stages that follow
    return check_shape(frame, str(p), header)


def read_excel(raw: bytes, name: str) -> pd.DataFrame:
    """The first sheet of an .xlsx workbook (openpyxl, the optional extra ``[excel]``)."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise InputError(
            f"{name}: this is an Excel workbook: install normalization-advisor[excel] or "
            "export it as CSV"
        ) from None
    import pandas as pd

    try:
        frame = pd.read_excel(io.BytesIO(raw), engine="openpyxl")
    except Exception as exc:  # openpyxl raises several types for damaged workbooks
        raise InputError(f"{name}: cannot read the Excel workbook ({first_line(exc)})") from None
    return check_shape(frame, name)


# ----------------------------------------------------------------------------- Arrow


def read_arrow(path: str | os.PathLike[str], hint: DialectHint | None = None) -> pa.Table:
    """The whole file as an Arrow table (multi-threaded CSV parser; no pandas), with the
    same format checks and dialect sniffing as `read_frame`."""
    p = check_file(path)
    try:
        if file_format(p) == "parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(p)
        else:
            dialect = _file_dialect(p, hint)
            if dialect is None:  # an Excel workbook
                return pa.Table.from_pandas(read_frame(p), preserve_index=False)
            table = pacsv.read_csv(p, **csv_options(dialect))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(_arrow_error(p, exc)) from None
    if table.num_columns == 0:
        raise InputError(f"{path}: no columns found in the header line")
    check_names(table.column_names, str(path))
    if table.num_rows == 0:
        raise InputError(f"{path}: has a header but no data rows")
    return table


def _file_dialect(p: Path, hint: DialectHint | None = None) -> Dialect | None:
    """The CSV dialect of a (possibly gzip) file from its first bytes; None for an Excel
    workbook; an `InputError` for other binary formats."""
    opener = gzip.open if file_format(p) == "csv.gz" else open
    try:
        with opener(p, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except (OSError, EOFError) as exc:
        raise InputError(f"{p}: not a valid gzip file ({first_line(exc)})") from None
    if is_xlsx(head):
        return None
    check_not_binary(head, str(p))
    return dialect_of(head, str(p), hint)


def csv_options(dialect: Dialect, block_size: int | None = None, **convert: Any) -> dict[str, Any]:
    """Arrow's CSV reader options for a dialect (zero-padded code columns read as text)."""
    convert["column_types"] = {
        **{column: pa.string() for column in dialect.codes},
        **convert.get("column_types", {}),
    }
    read = pacsv.ReadOptions(use_threads=True, encoding=dialect.encoding.replace("-sig", ""))
    if block_size is not None:
        read.block_size = block_size
    return {
        "read_options": read,
        "parse_options": pacsv.ParseOptions(delimiter=dialect.delimiter),
        "convert_options": pacsv.ConvertOptions(
            decimal_point=dialect.decimal,
            null_values=NULL_VALUES,
            strings_can_be_null=True,
            **convert,
        ),
    }


class TextInColumn(Exception):
    """A later block of a CSV read in batches has text in a column its first block typed
    as numbers: the reader starts again with that column read as text."""

    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column


_CONVERSION = re.compile(r"In CSV column #(\d+): CSV conversion error")


@dataclass(frozen=True)
class Batch:
    """A slice of a file read in streaming mode, with how far into the file it reaches."""

    table: pa.Table
    bytes_done: int
    bytes_total: int


def iter_batches(
    path: str | os.PathLike[str],
    block_bytes: int = 4 << 20,
    hint: DialectHint | None = None,
    text_columns: tuple[str, ...] = (),
    only: str | None = None,
) -> Iterator[Batch]:
    """Read ``path`` in blocks of about ``block_bytes`` of text (or Parquet row groups),
    so memory stays bounded whatever the file's size (Arrow's streaming reader holds a few
    blocks; 4 MB blocks keep it near 100 MB where 32 MB blocks took 900 MB). Integer columns
    are read as float64 so a later block with decimals cannot change a column's type;
    ``text_columns`` of a CSV are read as text whatever their values look like; ``only``:
    read that one column of a CSV (to count rows)."""
    p = check_file(path)
    total = p.stat().st_size
    if file_format(p) == "parquet":
        import pyarrow.parquet as pq

        reader = pq.ParquetFile(p)
        # Batches of about 16 x block_bytes as float64 (64 MB by default).
        rows = max(1 << 14, 16 * block_bytes // (8 * max(len(reader.schema_arrow), 1)))
        done, count = 0, max(reader.metadata.num_rows, 1)
        for batch in reader.iter_batches(batch_size=rows):
            done += batch.num_rows
            yield Batch(pa.Table.from_batches([batch]), min(total, total * done // count), total)
        return
    dialect = _file_dialect(p, hint)
    if dialect is None:  # an Excel workbook: read whole (workbooks are small)
        yield Batch(read_arrow(p), total, total)
        return
    yield from _csv_batches(p, dialect, block_bytes, text_columns, only)


def _csv_batches(
    p: Path, dialect: Dialect, block_bytes: int, text_columns: tuple[str, ...], only: str | None
) -> Iterator[Batch]:
    """A CSV's batches (see `iter_batches`): the types of its first block, integers as
    float64, ``text_columns`` as text; a later block with text in a column typed as
    numbers raises `TextInColumn` naming it."""
    total = p.stat().st_size
    stream = pa.input_stream(str(p), compression="detect")
    try:
        first = pacsv.open_csv(stream, **csv_options(dialect, block_bytes))
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
    types.update({name: pa.string() for name in text_columns if name in types})
    raw = open(p, "rb")  # noqa: SIM115 - closed in finally; tells how far the reader got
    try:
        compressed = (
            pa.CompressedInputStream(pa.PythonFile(raw), "gzip")
            if (file_format(p) == "csv.gz")
            else pa.PythonFile(raw)
        )
        extra = {"include_columns": [only]} if only is not None else {}
        reader = pacsv.open_csv(
            compressed, **csv_options(dialect, block_bytes, column_types=types, **extra)
        )
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                found = _CONVERSION.search(str(exc))
                if found and only is None:
                    raise TextInColumn(reader.schema.names[int(found.group(1))]) from None
                raise InputError(_arrow_error(p, exc)) from None
            yield Batch(pa.Table.from_batches([batch]), min(raw.tell(), total), total)
    finally:
        raw.close()


def file_schema(path: str | os.PathLike[str], hint: DialectHint | None = None) -> pa.Schema:
    """The columns and types of a file, from its metadata (Parquet) or its first block
    (CSV; the same 4 MB block `iter_batches` infers its types from)."""
    p = check_file(path)
    try:
        if file_format(p) == "parquet":
            import pyarrow.parquet as pq

            return pq.read_schema(p)
        dialect = _file_dialect(p, hint)
        if dialect is None:
            return read_arrow(p).schema
        reader = pacsv.open_csv(
            pa.input_stream(str(p), compression="detect"), **csv_options(dialect, 4 << 20)
        )
        schema = reader.schema
        reader.close()
        check_names(schema.names, str(path))
        return schema
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(_arrow_error(p, exc)) from None


def _arrow_error(path: Path, exc: BaseException) -> str:
    text = first_line(exc)
    if "Empty CSV file" in text:
        return f"{path}: file is empty, expected a header line and data rows"
    if "Expected" in text and "columns" in text:
        return f"{path}: ragged rows ({text}); run `advise` on it for the line number"
    return f"{path}: cannot read ({text})"
