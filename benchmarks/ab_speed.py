"""Speed of two checkouts side by side: profile and advise, runs alternating between them.

Each item runs in a fresh process, ``--runs`` times per checkout, before and after taking
turns (before first on odd runs, after first on even ones) so that a noisy machine weighs
on both alike; the table gives each item's median seconds per checkout and their ratio
(after / before). Items:

* the profiler on `profile_speed`'s seeded 1,000,000 x 50 numeric CSV, in memory and
  streaming (`benchmarks/profile_speed.py` times the same calls);
* the streaming profiler on a seeded 300,000-row table of text columns (categories, ids,
  dates, numbers with junk cells, booleans as text) beside numbers: the column
  classifier's cost on the streaming path;
* a cold ``advise DATA --json`` without a target on the numeric CSV;
* a cold ``advise DATA --target COL`` on tables of `advise_time` (``--tables``).

    python benchmarks/ab_speed.py --before ../before --runs 5
    python benchmarks/ab_speed.py --before ../before --runs 5 --tables penguins,flights
    python benchmarks/ab_speed.py --before ../before --no-profile --tables fair --target 1.25

Each run's figures are appended to ``benchmarks/results/ab_speed/<before>_<after>.jsonl``.
Targets: every item's ratio of medians at most 1.10 (issue 31), at most 1.25 for the
advise items (issue 32: `--target 1.25`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import advise_time
import profile_speed

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "ab_speed"
CACHE = ROOT / "benchmarks" / ".cache"
DEFAULT_TABLES = "penguins,seattle_weather,star98,flights,tv16,callback,generated_300k_60"

PROFILE = {
    "profile in memory (1M x 50 numbers)": profile_speed.SNIPPETS["advisor profile (in memory)"],
    "profile streaming (1M x 50 numbers)": profile_speed.SNIPPETS["advisor profile (streaming)"],
    "profile streaming (300k rows, text columns)": """
        from advisor.profiling.profile import profile_path
        profile_path(TEXT, streaming=True)
    """,
    "advise DATA --json (no target)": profile_speed.SNIPPETS[
        "advise DATA --json out.json (no target)"
    ],
}


def text_table(path: Path, rows: int = 300_000, seed: int = 0) -> None:
    """A seeded table of text columns beside numbers (written once)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    numbers = rng.normal(50, 10, rows).round(3).astype(object)
    numbers[rng.choice(rows, 30, replace=False)] = "n.a."
    days = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3000, rows), unit="D")
    frame = pd.DataFrame(
        {
            "colour": rng.choice(["red", "green", "blue", "grey"], rows),
            "city": np.array([f"city_{i}" for i in range(300)])[rng.integers(0, 300, rows)],
            "user": [f"u{i:07d}" for i in rng.permutation(rows)],
            "day": days.strftime("%Y-%m-%d"),
            "junk_numbers": numbers,
            "flag": rng.choice(["true", "false"], rows),
            **{f"x{i}": rng.lognormal(0, 1, rows).round(4) for i in range(10)},
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    frame.to_csv(tmp, index=False)
    tmp.replace(path)


def measure(body: str, checkout: Path, numbers: Path, text: Path) -> float:
    """Seconds of ``body`` in a fresh process importing ``checkout``'s advisor."""
    import textwrap

    code = (
        "import sys, time\n"
        f"sys.path.insert(0, {str(checkout)!r})\n"
        "START = time.perf_counter()\n"
        + textwrap.dedent(body).replace("PATH", repr(str(numbers))).replace("TEXT", repr(str(text)))
        + "\nprint(time.perf_counter() - START)\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(checkout))
    with tempfile.TemporaryDirectory() as work:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=work
        )
    if done.returncode != 0:
        sys.exit(f"{checkout}: {(done.stderr.strip().splitlines() or ['failed'])[-1]}")
    return float(done.stdout.strip().splitlines()[-1])


def one(item: str, checkout: Path, numbers: Path, text: Path, tables: dict) -> float:
    if item in PROFILE:
        return measure(PROFILE[item], checkout, numbers, text)
    name = item.removeprefix("advise --target: ")
    return float(advise_time.time_table(tables[name], checkout, "fast")["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="checkout before")
    parser.add_argument("--after", type=Path, default=ROOT, help="checkout after")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--tables", default=DEFAULT_TABLES, help="advise_time tables ('' none)")
    parser.add_argument("--no-profile", action="store_true", help="time the tables only")
    parser.add_argument("--target", type=float, default=1.10, help="largest ratio allowed")
    args = parser.parse_args()
    before, after = args.before.resolve(), args.after.resolve()
    names = (advise_time._commit(before), advise_time._commit(after))
    numbers = CACHE / f"profile_{args.rows}.csv"
    if not numbers.exists():
        numbers.parent.mkdir(parents=True, exist_ok=True)
        profile_speed.write_csv(numbers, args.rows, 0)
    text = CACHE / "text_300k.csv"
    if not text.exists():
        text_table(text)
    tables = {t.name: t for t in advise_time.tables()}
    chosen = [n for n in args.tables.split(",") if n]
    profile = [] if args.no_profile else list(PROFILE)
    items = [*profile, *(f"advise --target: {n}" for n in chosen)]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{names[0]}_{names[1]}.jsonl"
    seconds: dict[str, dict[str, list[float]]] = {i: {"before": [], "after": []} for i in items}
    for run in range(args.runs):
        order = (("before", before), ("after", after))
        order = order if run % 2 == 0 else order[::-1]
        for item in items:
            for side, checkout in order:
                value = one(item, checkout, numbers, text, tables)
                seconds[item][side].append(value)
                with out.open("a") as handle:
                    record = {
                        "run": run,
                        "item": item,
                        "side": side,
                        "commit": names[side == "after"],
                        "seconds": round(value, 3),
                        "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    }
                    handle.write(json.dumps(record) + "\n")
        print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
    print(f"\n{'item':48s} {'before':>8s} {'after':>8s} {'ratio':>6s}   ({names[0]} -> {names[1]}, "
          f"medians of {args.runs} alternating runs)")  # fmt: skip
    worst = 0.0
    for item in items:
        b, a = statistics.median(seconds[item]["before"]), statistics.median(seconds[item]["after"])
        worst = max(worst, a / b)
        print(f"{item:48s} {b:8.2f} {a:8.2f} {a / b:6.2f}")
    print(f"\nlargest ratio of medians: {worst:.2f} (target at most {args.target:.2f})")


if __name__ == "__main__":
    main()
