"""Missing-value markers: the text people write into a cell that has no value.

In: text values (a pandas Series of strings). Out: a mask of the cells that are empty or a
marker. The loader, the target check and the profiler all read missing values through
this one test, so ``advise``, ``advise profile`` and ``advise check`` agree on them.

Besides what the CSV readers already read as missing (``NA``, ``N/A``, ``n/a``, ``NaN``,
``nan``, ``null``, ``NULL``, ``#N/A`` and empty cells), a cell that holds only one of
`MISSING_MARKERS` (surrounding spaces ignored) is missing, whatever the column's share of
them: ``?`` (UCI's marker), ``-`` and ``--`` (spreadsheets' "nothing here"), ``.`` (SAS and
Stata's numeric missing value).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the test runs on pandas text; reading numbers does not import it
    import pandas as pd

MISSING_MARKERS: tuple[str, ...] = ("?", "-", "--", ".")
#: pandas' own missing-value strings (its CSV readers' defaults), which the Arrow reader
#: that stands in for pandas' reads as missing too (`advisor.io.read`).
PANDAS_NULLS: tuple[str, ...] = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)  # fmt: skip


def missing_cells(values: pd.Series) -> pd.Series:
    """True where a cell has no value: null, or (in a text column) empty or a marker. The
    one test of a missing cell, for the loader, its target and the cluster's sample."""
    import pandas as pd

    mask = values.isna()
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        mask = mask | missing_text(values)
    return mask


def missing_text(text: pd.Series) -> pd.Series:
    """True where a stripped text value is missing, empty or a marker (a bool Series)."""
    stripped = text.astype("string").str.strip()
    mask = stripped.isna() | stripped.eq("") | stripped.isin(MISSING_MARKERS)
    return mask.fillna(True).astype(bool)
