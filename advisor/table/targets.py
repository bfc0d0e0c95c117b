"""What a target may look like: checked before any training.

In: the target column (missing rows already left out), its name, the source, the task the
user asked for and the task inferred. Out: nothing, or one `InputError` line naming the
column, what it looks like and what to do instead. Refused: dates, free text, identifiers
(every value different, or a row index), a single value, too few rows; and classes with
fewer rows than the search's folds (`rare_classes`), unless the user lets their rows go.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from advisor.errors import InputError
from advisor.table.dates import looks_like_datetime
from advisor.vocab import Task, TaskArg

#: A target needs at least this many rows: two per fold of the smallest search.
MIN_ROWS = 10
#: Text whose values average more words than this reads as free text, not labels.
FREE_TEXT_WORDS = 4.0


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (messages never show ``np.int64(3)``)."""
    return value.item() if isinstance(value, np.generic) else value


def _shown(values: pd.Series, count: int = 2) -> str:
    return ", ".join(repr(plain(v)) for v in values.drop_duplicates().head(count))


def check_target(y: pd.Series, column: str, source: str, requested: TaskArg, task: Task) -> None:
    """Refuse a target no network can learn from, before any training."""
    where = f"{source}, column {column!r}"
    n = len(y)
    if n < MIN_ROWS:
        return  # too few rows to say; `check_rows` refuses them before any training
    numeric = pd.api.types.is_numeric_dtype(y.dtype) and not pd.api.types.is_bool_dtype(y.dtype)
    distinct = int(y.nunique())
    if distinct == 1:
        kind = "number" if numeric or task == "regression" else "value"
        raise InputError(
            f"{where}: every row has the same {kind} ({_shown(y, 1)}): nothing to learn; "
            "pick another column as the target"
        )
    if pd.api.types.is_datetime64_any_dtype(y.dtype):
        raise InputError(
            f"{where}: target holds dates ({_shown(y)}); pick another column as the target "
            "(dates are features, not something to predict here)"
        )
    if numeric:
        values = y.to_numpy(dtype=float)
        if distinct == n and n > 20 and np.all(np.diff(values) == 1.0):
            raise InputError(
                f"{where}: target counts rows ({_shown(y)}, ... one more each row): a row "
                "index, not something to predict; pick another column as the target"
            )
        return
    if task == "regression":
        if pd.to_numeric(y, errors="coerce").notna().all():
            # Numbers written as text: checked as the numbers they are.
            check_target(pd.to_numeric(y), column, source, requested, task)
        return  # otherwise the regression target's own check names the first non-number
    text = y.astype(str).str.strip()
    if looks_like_datetime(text):
        raise InputError(
            f"{where}: target looks like dates ({_shown(text)}); pick another column as the "
            "target (dates are features, not something to predict here)"
        )
    words = float(text.str.count(r"\S+").mean())
    if words > FREE_TEXT_WORDS and distinct > 0.5 * n:
        raise InputError(
            f"{where}: target is free text ({distinct} different texts, {words:.0f} words on "
            "average); pick a column of labels or numbers as the target"
        )
    if distinct > 20 and distinct > 0.5 * n:
        numbers = pd.to_numeric(text, errors="coerce")
        hint = (
            "; it holds numbers: --task regression (task='regression') predicts them"
            if numbers.notna().all() and requested != "regression"
            else ""
        )
        raise InputError(
            f"{where}: {distinct} different values in {n} rows ({_shown(text)}, ...): an "
            f"identifier, not classes; pick another column as the target{hint}"
        )


def rare_classes(y: pd.Series, folds: int) -> dict[str, int]:
    """Classes with fewer rows than ``folds`` (each fold's validation part needs one)."""
    counts = y.astype(str).value_counts(sort=False)
    return {str(c): int(k) for c, k in counts.items() if k < folds}


def refuse_rare(where: str, rare: dict[str, int], folds: int) -> InputError:
    shown = ", ".join(f"{c!r} ({k} row{'s' if k != 1 else ''})" for c, k in list(rare.items())[:5])
    more = f" and {len(rare) - 5} more" if len(rare) > 5 else ""
    return InputError(
        f"{where}: {len(rare)} class{'es' if len(rare) != 1 else ''} with fewer rows than "
        f"the {folds} folds: {shown}{more}; --drop-rare-classes (drop_rare_classes=True) "
        "leaves their rows out"
    )


def check_rows(where: str, n: int) -> None:
    """Refuse a table too small to validate on (two rows per fold of the smallest search)."""
    if n < MIN_ROWS:
        raise InputError(
            f"{where}: {n} row{'s' if n != 1 else ''} with a target value; validating advice "
            f"needs at least {MIN_ROWS} (profile the file without --target to see its columns)"
        )
