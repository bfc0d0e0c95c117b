"""Whether text values are dates: one test for the loader, the target check and the
profiler, so `advise profile` and `advise` call the same columns datetime.

In: the present (non-missing) values of a text column. Out: True when at least 95% of a
sample of 200 parse as dates and every value has digits and a date separator.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported when a text column is tested, not to read numbers
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
