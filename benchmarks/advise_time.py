"""Cold `advise DATA --target COL` from the CLI on each shared dataset (default budget,
imports included, an empty search work directory so nothing is reused), one fresh process
per dataset, against the calibration target of 60 s each on 2 cores.

    python benchmarks/advise_time.py [--datasets digits,wine] [--budget fast]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
TARGET_SECONDS = 60.0


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
    print(f"{'dataset':16s} {'rows':>6s} {'cols':>5s} {'seconds':>8s} {'candidates':>10s}  winner")
    worst = 0.0
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
                "-q",
            ]
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=_checkout_env())
            seconds = time.perf_counter() - started
            search = json.loads(out.read_text())["search"]
        worst = max(worst, seconds)
        print(
            f"{name:16s} {info['rows']:6d} {info['columns']:5d} {seconds:8.1f} "
            f"{len(search['candidates']):10d}  {search['winner']}"
        )
    verdict = "meets" if worst <= TARGET_SECONDS else "misses"
    print(f"slowest {worst:.1f} s: {verdict} the target of {TARGET_SECONDS:.0f} s per dataset")


if __name__ == "__main__":
    main()
