"""Profiler speed and memory, side by side in one run.

Generates a seeded 1,000,000-row x 50-column numeric CSV of mixed shapes (about 310 MB)
and times, each in a fresh process (so peak RSS is its own):

* pyarrow's CSV read (the floor);
* our profile of the file, read included (`advisor.profiling.profile.profile_path`), and
  its peak RSS;
* the same file through our streaming path (bounded memory);
* a cold `advise DATA --json out.json` (no target: profile, rules, fit, report), imports
  included, and its peak RSS;
* pandas read + describe() + scipy skew/kurtosis;
* ydata-profiling in minimal mode, when an interpreter that has it is given
  (`--ydata-python`): it is installed only for this benchmark, in its own environment.

    python benchmarks/profile_speed.py [--rows 1000000] [--big-gb 5] [--ydata-python PATH]
    python benchmarks/profile_speed.py --dask local:2 [--dask-rows 12000000 --dask-files 24]

`--big-gb N` also writes an N GB CSV and profiles it (streaming), reporting peak RSS.

`--dask ADDRESS` instead writes a seeded partitioned Parquet dataset (the same 50 column
shapes as float32, `--dask-files` files, about 2 GB for 12 million rows) and profiles it
twice, each in a fresh process: the single-process streaming path over the partitions, and
the Dask engine (`profile_dataset(..., dask=ADDRESS)`), whose client's own peak RSS is
reported (the scheduler and the workers are other processes); it checks that both give
the same profile (exact statistics within 1e-9 relative, the rest equal).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def make_columns(rows: int, seed: int) -> dict[str, np.ndarray]:
    """50 columns of mixed shapes, 10 families x 5."""
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    for i in range(5):
        cols[f"gauss_{i}"] = np.round(rng.normal(100 * i, 10 + i, rows), 4)
        cols[f"lognorm_{i}"] = np.round(rng.lognormal(i * 0.5, 1.0, rows), 4)
        cols[f"unit_{i}"] = np.round(rng.uniform(0, 1, rows), 5)
        cols[f"pixel_{i}"] = rng.integers(0, 256, rows).astype(np.float64)
        cols[f"cauchy_{i}"] = np.round(rng.standard_cauchy(rows), 4)
        zi = np.where(rng.random(rows) < 0.7, 0.0, rng.poisson(3 + i, rows))
        cols[f"zeroinfl_{i}"] = zi.astype(np.float64)
        cols[f"binary_{i}"] = rng.integers(0, 2, rows).astype(np.float64)
        cols[f"count_{i}"] = rng.poisson(20 * (i + 1), rows).astype(np.float64)
        cols[f"expo_{i}"] = np.round(rng.exponential(1 + i, rows), 4)
        bimodal = np.where(rng.random(rows) < 0.5, rng.normal(-3, 1, rows), rng.normal(3, 1, rows))
        cols[f"bimodal_{i}"] = np.round(bimodal, 4)
    return cols


def write_csv(path: Path, rows: int, seed: int) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    chunk = 1_000_000
    with pacsv.CSVWriter(path, schema=_schema()) as writer:
        done = 0
        part = 0
        while done < rows:
            n = min(chunk, rows - done)
            cols = make_columns(n, seed + part)
            table = pa.table({k: pa.array(v) for k, v in cols.items()})
            writer.write_table(table.cast(_schema()))
            done += n
            part += 1


def _schema():  # type: ignore[no-untyped-def]
    import pyarrow as pa

    names = list(make_columns(2, 0))
    return pa.schema([(n, pa.float64()) for n in names])


SNIPPETS = {
    "pyarrow read": """
        import pyarrow.csv as c
        t = c.read_csv(PATH)
    """,
    "advisor profile (in memory)": """
        from advisor.profiling.profile import profile_path
        p = profile_path(PATH, streaming=False)
        assert len(p.features) == 50
    """,
    "advisor profile (streaming)": """
        from advisor.profiling.profile import profile_path
        p = profile_path(PATH, streaming=True)
        assert len(p.features) == 50
    """,
    "advise DATA --json out.json (no target)": """
        import os, tempfile
        from advisor.cli import main
        out = os.path.join(tempfile.mkdtemp(), "advice.json")
        try:
            main([PATH, "--json", out, "-q"])
        except SystemExit as exit:
            assert not exit.code, exit.code
    """,
    "pandas read + describe + scipy moments": """
        import pandas as pd
        from scipy import stats
        df = pd.read_csv(PATH)
        d = df.describe()
        s = stats.skew(df.to_numpy(), axis=0, nan_policy="omit")
        k = stats.kurtosis(df.to_numpy(), axis=0, nan_policy="omit")
    """,
    "ydata-profiling minimal (after read)": """
        import pandas as pd
        df = pd.read_csv(PATH)
        import time as _t
        from ydata_profiling import ProfileReport
        START = _t.perf_counter()
        r = ProfileReport(df, minimal=True, progress_bar=False)
        r.get_description()
    """,
}


DASK_SNIPPETS = {
    "streaming, one process": """
        from advisor.profiling.profile import profile_path
        p = profile_path(PATH, streaming=True)
        open(OUT, "w").write(json.dumps(p.to_dict()))
    """,
    "Dask engine (client process)": """
        from advisor import profile_dataset
        p = profile_dataset(PATH, dask=ADDRESS)
        open(OUT, "w").write(json.dumps(p.to_dict()))
    """,
}


def write_partitions(folder: Path, rows: int, files: int, seed: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for index, part in enumerate(np.array_split(np.arange(rows), files)):
        cols = make_columns(part.size, seed + index)
        table = pa.table({k: pa.array(v.astype(np.float32)) for k, v in cols.items()})
        pq.write_table(table, folder / f"part-{index:03d}.parquet")


def same_profile(a: dict, b: dict, rel: float = 1e-9) -> list[str]:  # type: ignore[type-arg]
    """Where two profiles (as dicts) differ beyond ``rel`` (floats) or at all."""
    out = []

    def walk(x: object, y: object, where: str) -> None:
        if isinstance(x, dict) and isinstance(y, dict):
            for key in sorted(set(x) | set(y)):
                walk(x.get(key), y.get(key), f"{where}.{key}")
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (u, v) in enumerate(zip(x, y, strict=True)):
                walk(u, v, f"{where}[{i}]")
        elif isinstance(x, float) and isinstance(y, float):
            if abs(x - y) > rel * max(abs(x), abs(y), 1e-300):
                out.append(where)
        elif x != y and where != ".source":
            out.append(where)

    walk(a, b, "")
    return out


def dask_benchmark(args: argparse.Namespace, work: Path) -> None:
    folder = work / f"profile_speed_parts_{args.dask_rows}_{args.dask_files}_{args.seed}"
    if not folder.exists():
        started = time.perf_counter()
        write_partitions(folder, args.dask_rows, args.dask_files, args.seed)
        print(f"wrote {folder.name} in {time.perf_counter() - started:.0f} s")
    size = sum(p.stat().st_size for p in folder.glob("*.parquet"))
    results, profiles = {}, {}
    for name, snippet in DASK_SNIPPETS.items():
        out = work / f"profile_speed_{abs(hash(name)) % 10**6}.json"
        body = textwrap.dedent(snippet).replace("OUT", repr(str(out)))
        body = body.replace("ADDRESS", repr(args.dask))
        results[name] = measure(name, folder, body=body)
        if out.exists():
            profiles[name] = json.loads(out.read_text())
    print(
        f"\n{args.dask_rows} rows x 50 columns in {args.dask_files} Parquet files, "
        f"{size / 1e9:.2f} GB on disk; Dask: {args.dask}\n"
    )
    print("| what | seconds | x one process | peak RSS of this process MiB |")
    print("|---|---:|---:|---:|")
    base = results["streaming, one process"]
    for name, r in results.items():
        if "seconds" not in r:
            print(f"| {name} | failed: {r.get('error')} | | |")
            continue
        ratio = float(r["seconds"]) / float(base["seconds"]) if "seconds" in base else float("nan")
        print(f"| {name} | {float(r['seconds']):.1f} | {ratio:.2f} | {float(r['rss_mb']):.0f} |")
    if len(profiles) == 2:
        differ = same_profile(*profiles.values())
        print(f"\nsame profile: {'yes' if not differ else 'no: ' + ', '.join(differ[:5])}")
    print(
        "targets (issue 19): the Dask engine at most 1.5x the one-process time, its client's "
        "peak RSS at most 300 MB, the same profile"
    )


def measure(
    name: str, path: Path, python: str = sys.executable, body: str | None = None
) -> dict[str, float | str]:
    if body is None:
        body = textwrap.dedent(SNIPPETS[name])
    body = body.replace("PATH", repr(str(path)))
    code = (
        "import time, resource, json, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "START = time.perf_counter()\n"
        + body
        + "\nprint(json.dumps({'seconds': time.perf_counter() - START, "
        "'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": tail[:160]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--ydata-python", help="an interpreter with ydata-profiling installed")
    parser.add_argument("--big-gb", type=float, default=0.0, help="also profile a CSV this big")
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    parser.add_argument("--dask", metavar="ADDRESS", help="the partitioned Dask benchmark")
    parser.add_argument("--dask-rows", type=int, default=12_000_000)
    parser.add_argument("--dask-files", type=int, default=24)
    args = parser.parse_args()
    work = Path(args.workdir)
    if args.dask:
        dask_benchmark(args, work)
        return
    path = work / f"profile_speed_{args.rows}_{args.seed}.csv"
    if not path.exists():
        started = time.perf_counter()
        write_csv(path, args.rows, args.seed)
        print(
            f"wrote {path.name}: {path.stat().st_size / 1e6:.0f} MB "
            f"in {time.perf_counter() - started:.0f} s"
        )
    float64_mb = args.rows * 50 * 8 / 2**20
    names = [
        "pyarrow read",
        "advisor profile (in memory)",
        "advisor profile (streaming)",
        "advise DATA --json out.json (no target)",
        "pandas read + describe + scipy moments",
    ]
    # The rows take turns, repeat after repeat, so that a slow spell of a shared machine
    # falls on all of them alike rather than on one row's runs.
    runs: dict[str, list[dict[str, float | str]]] = {name: [] for name in names}
    for repeat in range(args.repeat):
        for name in names if repeat == 0 else names[:-1]:
            runs[name].append(measure(name, path))
    results: dict[str, dict[str, float | str]] = {}
    for name in names:
        ok = [r for r in runs[name] if "seconds" in r]
        results[name] = min(ok, key=lambda r: float(r["seconds"])) if ok else runs[name][0]
    if args.ydata_python:
        results["ydata-profiling minimal (after read)"] = measure(
            "ydata-profiling minimal (after read)", path, args.ydata_python
        )
    floor = float(results["pyarrow read"]["seconds"])
    print(
        f"\nfile: {path.stat().st_size / 1e6:.0f} MB CSV, {args.rows} rows x 50 columns "
        f"(float64 size {float64_mb:.0f} MiB)\n"
    )
    print("| what | seconds | x pyarrow read | peak RSS MiB | x float64 size |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        if "seconds" not in r:
            print(f"| {name} | failed: {r.get('error')} | | | |")
            continue
        s, rss = float(r["seconds"]), float(r["rss_mb"])
        print(f"| {name} | {s:.2f} | {s / floor:.2f} | {rss:.0f} | {rss / float64_mb:.2f} |")
    advise = results["advise DATA --json out.json (no target)"]
    if "seconds" in advise:
        print(
            f"\ntargets (speed issue): in-memory profile at most 1.5x the read; the cold advise "
            f"at most 2.5x the cold read ({float(advise['seconds']) / floor:.2f}x) and its peak "
            f"RSS at most 1.5x the read's "
            f"({float(advise['rss_mb']) / float(results['pyarrow read']['rss_mb']):.2f}x)"
        )
    if args.big_gb:
        big = work / f"profile_speed_big_{args.big_gb:g}gb.csv"
        if not big.exists():
            rows = int(args.big_gb * 1e9 / (path.stat().st_size / args.rows))
            started = time.perf_counter()
            write_csv(big, rows, args.seed + 1)
            print(
                f"\nwrote {big.name}: {big.stat().st_size / 1e9:.2f} GB "
                f"in {time.perf_counter() - started:.0f} s"
            )
        r = measure("advisor profile (streaming)", big)
        if "seconds" in r:
            print(
                f"\n| {big.stat().st_size / 1e9:.2f} GB CSV, streaming "
                f"| {float(r['seconds']):.1f} s | "
                f"peak RSS {float(r['rss_mb']):.0f} MiB |"
            )
        else:
            print(f"\nbig file failed: {r.get('error')}")


if __name__ == "__main__":
    main()
