"""Cold start of the CLI: `advise --help` (must stay well under a second, no TensorFlow)
beside a full `advise DATA --target COL` run on the bundled sample, in one run. Each run
gets an empty search cache, so nothing an earlier run stored is reused.

    python benchmarks/cli_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str]) -> float:
    # This checkout's advisor, not an older copy `pip install .` left in site-packages.
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PYTHONPATH": path, "ADVISOR_CACHE_DIR": cache}
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env=env)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    advise = shutil.which("advise") or sys.exit("install the project first: pip install .")
    sample = str(ROOT / "sample_data" / "penguins.csv")
    rows = [
        ("advise --help", [advise, "--help"], args.repeat),
        ("python -c 'import tensorflow'", [sys.executable, "-c", "import tensorflow"], 2),
        ("advise penguins.csv (profile + rules)", [advise, sample, "-q"], 2),
        ("advise penguins.csv -t species (full)", [advise, sample, "-t", "species", "-q"], 1),
    ]
    print(f"{'command':42s} {'median s':>9s} {'min s':>7s} {'runs':>5s}")
    for name, command, repeat in rows:
        times = [timed(command) for _ in range(repeat)]
        print(f"{name:42s} {statistics.median(times):9.2f} {min(times):7.2f} {repeat:5d}")


if __name__ == "__main__":
    main()
