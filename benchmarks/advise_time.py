"""Cold `advise DATA --target COL` from the CLI on each shared dataset (default budget,
imports included, an empty search work directory so nothing is reused), one fresh process
per dataset: the seconds to the report's first line and to the end, and the advice (plan
and in-network choice), against the speed issue's targets on 2 cores: each dataset at most
30 s, the median at most 15 s, the first line within 5 s.

    python benchmarks/advise_time.py [--datasets digits,wine] [--budget fast]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
TARGET_SECONDS = 30.0
TARGET_MEDIAN = 15.0
TARGET_FIRST_LINE = 5.0


def _checkout_env() -> dict[str, str]:
    """The `advise` entry point, importing this checkout's advisor (not an older copy that
    `pip install .` left in site-packages)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", help="Comma-separated names (default: all).")
    parser.add_argument("--budget", default="fast")
    args = parser.parse_args()
    advise = shutil.which("advise") or sys.exit("install the project first: pip install .")
    meta = json.loads((DATASETS / "targets.json").read_text())
    names = args.datasets.split(",") if args.datasets else list(meta)
    print(
        f"{'dataset':16s} {'rows':>6s} {'cols':>5s} {'first line':>10s} {'seconds':>8s} "
        f"{'candidates':>10s}  advice (winner)"
    )
    totals, firsts = [], []
    for name in names:
        info = meta[name]
        with tempfile.TemporaryDirectory() as work:
            out = Path(work) / "advice.json"
            command = [
                advise,
                str(DATASETS / info["file"]),
                "--target",
                info["target"],
                "--task",
                info["task"],
                "--budget",
                args.budget,
                "--work-dir",
                str(Path(work) / "search"),
                "--json",
                str(out),
            ]
            started = time.perf_counter()
            with subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_checkout_env()
            ) as proc:
                assert proc.stdout is not None
                proc.stdout.readline()  # the report's first line
                first = time.perf_counter() - started
                proc.communicate()
            seconds = time.perf_counter() - started
            if proc.returncode != 0:
                sys.exit(f"{name}: advise exited {proc.returncode}")
            advice = json.loads(out.read_text())
        search = advice["search"]
        totals.append(seconds)
        firsts.append(first)
        print(
            f"{name:16s} {info['rows']:6d} {info['columns']:5d} {first:10.1f} {seconds:8.1f} "
            f"{len(search['candidates']):10d}  {advice['advice']['plan']['name']}+"
            f"{advice['advice']['in_network']} ({search['winner']})"
        )
    worst, median = max(totals), statistics.median(totals)
    print(
        f"slowest {worst:.1f} s (target {TARGET_SECONDS:.0f}), median {median:.1f} s (target "
        f"{TARGET_MEDIAN:.0f}), first line at most {max(firsts):.1f} s (target "
        f"{TARGET_FIRST_LINE:.0f})"
    )


if __name__ == "__main__":
    main()
