"""What a file really is: its format by its first bytes, and a CSV's encoding, delimiter
and decimal mark.

In: the first bytes of a file (and the user's ``--encoding``, ``--sep``, ``--decimal``).
Out: a `Dialect` for the CSV readers, or one `InputError` line naming the format the file
really has (an Excel workbook renamed ``.csv``, a PDF, ...), never its bytes.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass

from advisor.errors import InputError
from advisor.io.codes import zero_padded_columns

#: Delimiters tried when sniffing, in order of preference on a tie.
DELIMITERS = ",;\t|"
#: Bytes of the file the sniffer reads.
SNIFF_BYTES = 1 << 16

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls) or other Office file"),
    (b"%PDF", "a PDF document"),
    (b"PAR1", "a Parquet file (name it .parquet)"),
    (b"\x1f\x8b", "a gzip file (name it .csv.gz)"),
    (b"BZh", "a bzip2 file"),
    (b"\xfd7zXZ", "an xz file"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"{\\rtf", "an RTF document"),
)


@dataclass(frozen=True)
class Dialect:
    """How to read a CSV: its text encoding, field delimiter and decimal mark."""

    encoding: str = "utf-8"
    delimiter: str = ","
    decimal: str = "."
    #: Columns of zero-padded digits, read as text (`advisor.io.codes`).
    codes: tuple[str, ...] = ()

    @property
    def plain(self) -> bool:
        """UTF-8, commas and decimal points: what every reader takes without options."""
        return self == Dialect()


@dataclass(frozen=True)
class DialectHint:
    """What the user said of a CSV (``--encoding``, ``--sep``, ``--decimal``); None: sniff."""

    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None

    def __post_init__(self) -> None:
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise InputError(f"unknown text encoding {self.encoding!r} (--encoding)") from None
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise InputError(f"--sep must be one character, got {self.delimiter!r}")
        if self.decimal is not None and self.decimal not in (".", ","):
            raise InputError(f"--decimal must be '.' or ',', got {self.decimal!r}")


def is_xlsx(head: bytes) -> bool:
    """A zip archive holding an Office Open XML workbook."""
    return head.startswith(b"PK\x03\x04") and (b"xl/" in head or b"[Content_Types]" in head)


def check_not_binary(head: bytes, name: str) -> None:
    """Refuse files whose first bytes name a binary format (Excel workbooks are read by
    `advisor.io.read` itself when openpyxl is installed)."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise InputError(f"{name}: this is {what}, not a CSV file")
    if head.startswith(b"PK\x03\x04"):
        raise InputError(f"{name}: this is a zip archive, not a CSV file; unpack it first")
    sample = head[:4096]
    if b"\x00" in sample and not _utf16_bom(sample):
        raise InputError(f"{name}: this is a binary file, not text; export the data as CSV (UTF-8)")


def _utf16_bom(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    return None


def detect_encoding(head: bytes, given: str | None = None) -> str:
    """``given`` if the user named one; else UTF-16 or UTF-8 (with or without BOM)."""
    if given:
        try:
            codecs.lookup(given)
        except LookupError:
            raise InputError(f"unknown text encoding {given!r} (--encoding)") from None
        return given
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return _utf16_bom(head) or "utf-8"


def sniff_dialect(
    text: str, delimiter: str | None = None, decimal: str | None = None
) -> tuple[str, str]:
    """The field delimiter (comma, semicolon, tab or pipe) and the decimal mark, from the
    first lines of ``text`` unless the user gave them."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if delimiter is None:
        delimiter = _sniff_delimiter(lines)
    if decimal is None:
        decimal = _sniff_decimal(lines, delimiter)
    if decimal == delimiter:
        raise InputError(f"the decimal mark and the delimiter are both {delimiter!r}")
    return delimiter, decimal


def _sniff_delimiter(lines: list[str]) -> str:
    if not lines:
        return ","
    best, best_score = ",", 0.0
    for candidate in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=candidate))) for line in lines]
        header = counts[0]
        if header < 2:
            continue
        # The share of lines with the header's field count, then the field count itself.
        score = sum(c == header for c in counts) / len(counts) + header / 1000.0
        if score > best_score + 1e-9:
            best, best_score = candidate, score
    return best


_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")
_DECIMAL_POINT = re.compile(r"^\s*-?\d+\.\d+\s*$")


def _sniff_decimal(lines: list[str], delimiter: str) -> str:
    """A decimal comma when the delimiter is not a comma and numbers are written ``3,14``
    more often than ``3.14``."""
    if delimiter == ",":
        return "."
    comma = point = 0
    for line in lines[1:]:
        for field in next(csv.reader([line], delimiter=delimiter)):
            comma += bool(_DECIMAL_COMMA.match(field))
            point += bool(_DECIMAL_POINT.match(field))
    return "," if comma > point else "."


def dialect_of(head: bytes, name: str, hint: DialectHint | None = None) -> Dialect:
    """The `Dialect` of a CSV file from its first bytes and the user's options."""
    hint = hint or DialectHint()
    encoding = hint.encoding
    chosen = detect_encoding(head, encoding)
    try:
        text = head.decode(chosen, errors="strict")
    except UnicodeDecodeError as exc:
        if len(head) >= SNIFF_BYTES and exc.start >= len(head) - 4:  # a character cut at the
            # end of the sample, not a bad byte
            text = head[: exc.start].decode(chosen)
        else:
            line = head[: exc.start].count(b"\n") + 1
            advice = (
                "" if encoding else "; save the file as UTF-8 or give --encoding (e.g. latin-1)"
            )
            raise InputError(
                f"{name}, line {line}: byte 0x{head[exc.start]:02x} is not valid "
                f"{chosen.upper().replace('-SIG', '')}{advice}"
            ) from None
    sep, mark = sniff_dialect(text, hint.delimiter, hint.decimal)
    return Dialect(chosen, sep, mark, zero_padded_columns(text, sep))
