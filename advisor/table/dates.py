"""Whether text values are dates: one test for the loader, the target check and the
profiler, so `advise profile` and `advise` call the same columns datetime.

In: the present (non-missing) values of a text column. Out: True when at least 95% of a
sample of 200 parse as dates and every value has digits and a date separator. And each
value as a date (`date_values`), for the table's layout.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported when a text column is tested, not to read numbers
    import numpy as np
    import pandas as pd


def looks_like_datetime(present: pd.Series) -> bool:
    import pandas as pd

    sample = present.iloc[: min(len(present), 200)].astype(str)
    if sample.empty or not sample.str.contains(r"\d", regex=True).all():
        return False
    if not sample.str.contains(r"[-/:]", regex=True).all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= 0.95)


def date_values(values: list[str]) -> np.ndarray:
    """Text as dates: int64 microseconds since 1970 (UTC; a time without a zone is taken
    as UTC), the smallest int64 where a value is no date. ISO 8601 first, then pandas'
    mixed formats, value by value: a value's date never depends on the others."""
    import numpy as np
    import pandas as pd

    text = pd.Series(values, dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
        failed = parsed.isna().to_numpy()
        if failed.any():
            parsed[failed] = pd.to_datetime(text[failed], format="mixed", errors="coerce", utc=True)
    return np.asarray(pd.DatetimeIndex(parsed).as_unit("us").asi8, dtype=np.int64)
