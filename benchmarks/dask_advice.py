"""Same advice on a cluster: `advise --dask` against one process, on partitioned copies.

For the three largest corpus tables (by file size) and a seeded 2,000,000-row generated
table (where the search samples), writes the table as one file and as a directory of
partitions (CSV and Parquet alternating), then runs `advise(file, target)` in this process
and `advise(directory, target, dask=ADDRESS)`, and prints the plan, the in-network choice
and the search's winner of each, and the time.

    python benchmarks/dask_advice.py [--dask local:2] [--workdir DIR] [--tables a,b,c]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "datasets" / "corpus"
PARTS = 8


def generated(rows: int, seed: int) -> pd.DataFrame:
    """A seeded classification table whose signal sits in skewed and bounded columns."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(10, 1, rows),
            "age": rng.integers(18, 90, rows).astype(float),
            "share": rng.uniform(0, 1, rows),
            "visits": rng.poisson(3, rows).astype(float),
            "noise": rng.normal(0, 1, rows),
            "region": rng.choice(["north", "south", "east", "west"], rows),
        }
    )
    score = np.log(frame.income) - 10 + 2 * frame.share - 0.03 * (frame.age - 50)
    frame["bought"] = np.where(score + rng.normal(0, 0.8, rows) > 0.5, "yes", "no")
    return frame


def write(frame: pd.DataFrame, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    whole = folder / "whole.parquet"
    frame.to_parquet(whole, index=False)
    parts = folder / "parts"
    parts.mkdir(exist_ok=True)
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), PARTS)):
        piece = frame.iloc[rows]
        if i % 2:
            piece.to_csv(parts / f"part-{i:02d}.csv", index=False)
        else:
            piece.to_parquet(parts / f"part-{i:02d}.parquet", index=False)
    return whole, parts


def main() -> None:
    from advisor import advise

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dask", default="local:2")
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    parser.add_argument("--tables", help="comma-separated corpus tables (default: the 3 largest)")
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows of the generated table")
    args = parser.parse_args()
    meta = json.loads((CORPUS / "targets.json").read_text())
    if args.tables:
        names = args.tables.split(",")
    else:
        names = sorted(meta, key=lambda n: -(CORPUS / meta[n]["file"]).stat().st_size)[:3]
    cases = [(n, meta[n]["target"], meta[n]["task"]) for n in names]
    cases.append((f"generated {args.rows:,} rows", "bought", "classification"))
    print("| table | rows | plan (one process) | plan (Dask) | in-network | winner | same | "
          "seconds one / Dask |")  # fmt: skip
    print("|---|---:|---|---|---|---|---|---|")
    for name, target, task in cases:
        if name.startswith("generated"):
            frame = generated(args.rows, 0)
        else:
            frame = pd.read_csv(CORPUS / meta[name]["file"], low_memory=False)
        folder = Path(args.workdir) / f"dask_advice_{name.split()[0]}"
        whole, parts = write(frame, folder)
        started = time.perf_counter()
        one = advise(whole, target=target, task=task, use_cache=False)
        middle = time.perf_counter()
        many = advise(parts, target=target, task=task, dask=args.dask, use_cache=False)
        done = time.perf_counter()
        same = (one.plan, one.in_network) == (many.plan, many.in_network)
        counts = {}
        for key in set(dict(one.plan.scalers).values()):
            counts[key] = sum(1 for _, k in one.plan.scalers if k == key)
        plan = f"{one.plan.name} ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})"
        print(
            f"| {name} | {len(frame)} | {plan} | {many.plan.name} | {one.in_network} / "
            f"{many.in_network} | {(one.search or {}).get('winner')} / "
            f"{(many.search or {}).get('winner')} | {'yes' if same else 'NO'} | "
            f"{middle - started:.0f} / {done - middle:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
