"""Generated files of tricky columns: what tells the column classifier's paths apart.

Each file holds columns that once got other kinds in memory, streamed or on Dask: junk
cells under and over the numeric share (early, and late enough that a stream's first
block has typed the column as numbers), dates in four formats, ids, zero-padded codes,
booleans as text, markers, an empty column; and a directory of partitions whose column
is digits in one partition and codes in another.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROWS = 400


def tricky_frame(n: int = ROWS, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    numbers = rng.normal(50, 10, n).round(3).astype(object)
    junk_three = numbers.copy()
    junk_three[rng.choice(n, 3, replace=False)] = "n.a."
    junk_late = numbers.copy()
    junk_late[n - 3 :] = "n.a."
    junk_over = numbers.copy()
    junk_over[rng.choice(n, n // 10, replace=False)] = "unknown"
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    markers = rng.integers(0, 100, n).astype(object)
    markers[rng.choice(n, 20, replace=False)] = "?"
    markers[rng.choice(n, 5, replace=False)] = " - "
    flags = rng.choice(["true", "false", "True", "FALSE"], n).astype(object)
    flags[rng.choice(n, 4, replace=False)] = None
    return pd.DataFrame(
        {
            "junk_three": junk_three,
            "junk_late": junk_late,
            "junk_over": junk_over,
            "iso_date": days.strftime("%Y-%m-%d"),
            "iso_time": days.strftime("%Y-%m-%d %H:%M:%S"),
            "us_date": days.strftime("%m/%d/%Y"),
            "iso_zone": days.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "user_id": [f"u{i:05d}x" for i in rng.permutation(n)],
            "zip_code": [f"{z:05d}" for z in rng.integers(0, 3000, n)],
            "flag": flags,
            "markers": markers,
            "empty": [None] * n,
            "colour": rng.choice(["red", "green", "blue"], n),
            "amount": rng.lognormal(3, 1, n).round(2),
            "count": rng.poisson(3, n),
        }
    )


def write_tricky(directory: Path) -> dict[str, Path]:
    """The tricky files under ``directory``: one CSV, its Parquet twin and a directory of
    partitions (a column of digits in one partition, codes in the other)."""
    directory.mkdir(parents=True, exist_ok=True)
    frame = tricky_frame()
    csv = directory / "tricky.csv"
    frame.to_csv(csv, index=False)
    parts = directory / "parts"
    parts.mkdir(exist_ok=True)
    half = len(frame) // 2
    first, second = frame.iloc[:half].copy(), frame.iloc[half:].copy()
    first["mixed_code"] = [str(i % 50) for i in range(len(first))]
    second["mixed_code"] = [f"A{i % 7}" if i % 3 else str(i % 50) for i in range(len(second))]
    first.to_csv(parts / "part-0.csv", index=False)
    second.to_csv(parts / "part-1.csv", index=False)
    return {"tricky": csv, "parts": parts}
