"""Cold `advise DATA --target COL` from the CLI on tables of real size (default budget,
imports included, an empty search work directory so nothing is reused), one fresh process
per table: the seconds to the report's first line and to the end, the rows and folds the
decision rests on, and the advice (plan and in-network choice).

The tables: the ten development tables (shared/datasets), the fifteen largest or widest of
the corpus (the ten with the most rows, then the five with the most columns among the
rest) and a generated 300,000 x 60 table (`generated_table`, seeded, written once under
benchmarks/.cache/). Targets on 2 cores (issue 30): every table at most 60 s, the median
at most 25 s, the generated table at most 90 s, the first line within 5 s.

Each table's figures are appended to ``benchmarks/results/advise_time/<commit>.jsonl`` as
it finishes, so a run that is stopped resumes where it was (``--resume``), and
``--checkout DIR`` times another checkout (a `git worktree` of the commit before a
change) with this script, so before and after are timed the same way:

    python benchmarks/advise_time.py                       # this checkout, every table
    python benchmarks/advise_time.py --checkout ../before --resume
    python benchmarks/advise_time.py --tables penguins,flights --no-record
    python benchmarks/advise_time.py --table-of 89a22fc,HEAD   # print a recorded comparison
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
RESULTS = ROOT / "benchmarks" / "results" / "advise_time"
CACHE = ROOT / "benchmarks" / ".cache"
TARGET_SECONDS = 60.0
TARGET_MEDIAN = 25.0
TARGET_GENERATED = 90.0
TARGET_FIRST_LINE = 5.0
#: How many corpus tables, by rows, then by columns.
LARGEST, WIDEST = 10, 5
GENERATED = "generated_300k_60"


@dataclass(frozen=True)
class Table:
    name: str
    path: Path
    target: str
    task: str
    rows: int
    columns: int


def generated_table(path: Path, rows: int = 300_000, seed: int = 0) -> None:
    """A 300,000 x 60 classification table written to ``path`` (CSV): 44 numeric columns of
    the shapes real tables have (Gaussian, log-normal, heavy-tailed, bounded 0-1 and
    0-100, counts, zero-inflated, with a few missing cells), 8 integer codes, 7 text
    categoricals (3 to 40 levels) and a binary target from a nonlinear function of them."""
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    signal = np.zeros(rows)
    for i in range(44):
        kind = i % 8
        if kind == 0:
            x = rng.normal(50, 10, rows)
        elif kind == 1:
            x = rng.lognormal(2, 1, rows)
        elif kind == 2:
            x = rng.standard_t(2, rows) * 5
        elif kind == 3:
            x = rng.beta(2, 5, rows)
        elif kind == 4:
            x = np.round(rng.uniform(0, 100, rows), 1)
        elif kind == 5:
            x = rng.poisson(3, rows).astype(float)
        elif kind == 6:
            x = np.where(rng.random(rows) < 0.7, 0.0, rng.exponential(1000, rows))
        else:
            x = rng.normal(0, 1, rows) ** 3
        z = (x - np.median(x)) / (np.percentile(x, 75) - np.percentile(x, 25) + 1e-9)
        if i < 12:
            signal += (0.6 if i % 2 else -0.4) * np.tanh(z)
        if i in (3, 9, 17):
            x = x.copy()
            x[rng.random(rows) < 0.02] = np.nan
        cols[f"num_{i:02d}"] = x
    for i in range(8):
        code = rng.integers(0, 5 + 3 * i, rows)
        cols[f"code_{i}"] = code.astype(float)
        if i < 2:
            signal += 0.3 * (code % 3 == 0)
    for i, levels in enumerate((3, 5, 8, 12, 20, 30, 40)):
        codes = rng.integers(0, levels, rows)
        cols[f"cat_{i}"] = np.array([f"level_{c}" for c in range(levels)])[codes]
        if i < 3:
            signal += 0.5 * np.sin(codes)
    signal += 0.5 * np.tanh(cols["num_00"] / 10 - 5) * np.tanh(np.log1p(cols["num_01"]) - 2)
    cols["target"] = np.where(signal + rng.normal(0, 1, rows) > np.median(signal), "yes", "no")
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pd.DataFrame(cols).to_csv(tmp, index=False, float_format="%.6g")
    tmp.replace(path)


def tables() -> list[Table]:
    out = []
    for folder in (SHARED, SHARED / "corpus"):
        meta = json.loads((folder / "targets.json").read_text())
        chosen = list(meta)
        if folder.name == "corpus":
            by_rows = sorted(chosen, key=lambda n: (-meta[n]["rows"], n))[:LARGEST]
            rest = [n for n in chosen if n not in by_rows]
            by_cols = sorted(rest, key=lambda n: (-meta[n]["columns"], n))[:WIDEST]
            chosen = by_rows + by_cols
        for name in chosen:
            info = meta[name]
            out.append(
                Table(
                    name,
                    folder / info["file"],
                    info["target"],
                    info["task"],
                    info["rows"],
                    info["columns"],
                )
            )
    out.append(
        Table(GENERATED, CACHE / f"{GENERATED}.csv", "target", "classification", 300_000, 60)
    )
    return out


def _env(checkout: Path) -> dict[str, str]:
    """The `advise` entry point, importing ``checkout``'s advisor (not an older copy that
    `pip install .` left in site-packages)."""
    path = os.pathsep.join(p for p in (str(checkout), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


def _commit(checkout: Path) -> str:
    out = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short=7", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    )
    dirty = subprocess.run(
        ["git", "-C", str(checkout), "status", "--porcelain", "--untracked-files=no", "advisor"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return out.stdout.strip() + ("-dirty" if dirty else "")


def time_table(table: Table, checkout: Path, budget: str) -> dict[str, object]:
    advise = shutil.which("advise") or sys.exit("install the project first: pip install .")
    if table.name == GENERATED and not table.path.exists():
        generated_table(table.path)
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "advice.json"
        command = [
            advise,
            str(table.path),
            "--target",
            table.target,
            "--task",
            table.task,
            "--budget",
            budget,
            "--work-dir",
            str(Path(work) / "search"),
            "--json",
            str(out),
        ]
        started = time.perf_counter()
        with subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(checkout),
            cwd=work,
        ) as proc:
            assert proc.stdout is not None
            proc.stdout.readline()  # the report's first line
            first = time.perf_counter() - started
            _, err = proc.communicate()
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            tail = err.decode(errors="replace").strip().splitlines()[-1:]
            sys.exit(f"{table.name}: advise exited {proc.returncode}: {' '.join(tail)}")
        advice = json.loads(out.read_text())
    search = advice["search"]
    sample = search.get("sample") or {}
    evidence = search.get("evidence") or {}
    rows_used = evidence.get("rows") or sample.get("rows") or table.rows
    return {
        "table": table.name,
        "rows": table.rows,
        "columns": table.columns,
        "budget": budget,
        "first_line": round(first, 2),
        "seconds": round(seconds, 2),
        "rows_used": rows_used,
        "folds": evidence.get("folds") or search.get("n_folds"),
        "candidates": len(search["candidates"]),
        "advice": f"{advice['advice']['plan']['name']}+{advice['advice']['in_network']}",
        "winner": search["winner"],
    }


def _load(commit: str) -> dict[str, dict[str, object]]:
    path = RESULTS / f"{commit}.jsonl"
    if not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {r["table"]: r for r in rows}


def _row(r: dict[str, object]) -> str:
    return (
        f"{r['table']:18s} {r['rows']:>7} {r['columns']:>4} {r['first_line']:>6.1f} "
        f"{r['seconds']:>7.1f} {r['rows_used']!s:>7} {r['folds']!s:>5} {r['candidates']!s:>5}  "
        f"{r['advice']} ({r['winner']})"
    )


def summary(records: list[dict[str, object]]) -> str:
    totals = [float(r["seconds"]) for r in records]  # type: ignore[arg-type]
    if not totals:
        return "no tables timed"
    generated = [float(r["seconds"]) for r in records if r["table"] == GENERATED]  # type: ignore[arg-type]
    others = [float(r["seconds"]) for r in records if r["table"] != GENERATED]  # type: ignore[arg-type]
    firsts = [float(r["first_line"]) for r in records]  # type: ignore[arg-type]
    text = (
        f"slowest {max(others or [0]):.1f} s (target {TARGET_SECONDS:.0f}), median "
        f"{statistics.median(totals):.1f} s (target {TARGET_MEDIAN:.0f}), first line at most "
        f"{max(firsts):.1f} s (target {TARGET_FIRST_LINE:.0f})"
    )
    if generated:
        text += f", generated {generated[0]:.1f} s (target {TARGET_GENERATED:.0f})"
    return text


def compare(before: str, after: str) -> None:
    a, b = _load(before), _load(after)
    print(
        f"{'table':18s} {'rows':>7s} {'cols':>4s} {'before':>7s} {'after':>7s} {'ratio':>6s}"
        f"  advice before -> after"
    )
    for name, r in a.items():
        if name not in b:
            continue
        s = b[name]
        print(
            f"{name:18s} {r['rows']:>7} {r['columns']:>4} {r['seconds']:>7.1f} "
            f"{s['seconds']:>7.1f} {float(s['seconds']) / float(r['seconds']):>6.2f}  "  # type: ignore[arg-type]
            f"{r['advice']} -> {s['advice']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", help="Comma-separated names (default: all).")
    parser.add_argument("--budget", default="fast")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the checkout to time")
    parser.add_argument("--resume", action="store_true", help="skip tables already recorded")
    parser.add_argument("--no-record", action="store_true", help="print only")
    parser.add_argument("--table-of", help="BEFORE,AFTER: print recorded commits side by side")
    args = parser.parse_args()
    if args.table_of:
        before, after = args.table_of.split(",")
        compare(before, after)
        return
    checkout = args.checkout.resolve()
    commit = _commit(checkout)
    chosen = tables()
    if args.tables:
        wanted = args.tables.split(",")
        chosen = [t for t in chosen if t.name in wanted]
    done = _load(commit) if args.resume else {}
    print(f"commit {commit}, budget {args.budget}")
    print(
        f"{'table':18s} {'rows':>7s} {'cols':>4s} {'first':>6s} {'total':>7s} {'rows':>7s} "
        f"{'folds':>5s} {'cands':>5s}  advice (winner)"
    )
    records = []
    for table in chosen:
        if table.name in done and done[table.name].get("budget") == args.budget:
            record = done[table.name]
        else:
            record = time_table(table, checkout, args.budget)
            if not args.no_record:
                RESULTS.mkdir(parents=True, exist_ok=True)
                with (RESULTS / f"{commit}.jsonl").open("a") as f:
                    f.write(json.dumps(record, sort_keys=True) + "\n")
        records.append(record)
        print(_row(record), flush=True)
    print(summary(records))


if __name__ == "__main__":
    main()
