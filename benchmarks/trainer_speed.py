"""Milliseconds per epoch of the search's packed trainer, for checkouts side by side.

Each checkout (default: this one) runs in a fresh process, alternating, ``--repeat`` times:
a `PackedTrainer` per case (classification, 280 rows x 15 slots in 3 groups; regression,
1000 rows x 60 slots in 12 groups; none, BatchNorm, and LayerNorm for classification), one
epoch to trace, then
``--epochs`` timed epochs; then the three classification trainers side by side in three
threads, as the search trains its network shapes (ms per epoch of all three), and the
seconds from building a trainer to the end of its first epoch (the trace). The best repeat
is printed per checkout and case. Environment variables pass through, so
``TF_ENABLE_ONEDNN_OPTS=0`` measures Eigen's kernels and ``TF_NUM_INTRAOP_THREADS=0``
TensorFlow's default thread pools.

    python benchmarks/trainer_speed.py [--checkout ../before --checkout .] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = [
    ("classification", "none", 15, 3, 280, 8),
    ("classification", "batch", 15, 3, 280, 8),
    ("classification", "layer", 15, 3, 280, 8),
    ("regression", "none", 60, 12, 1000, 20),
    ("regression", "batch", 60, 12, 1000, 20),
]

CHILD = textwrap.dedent(
    """
    import json, os, sys, threading, time
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, sys.argv[1])
    import numpy as np
    from advisor.backend import import_keras
    from advisor.network.nets import NetSpec
    from advisor.network.train import make_trainer
    epochs = int(sys.argv[2])
    import_keras()  # not part of any trace
    out = {}
    rng = np.random.default_rng(0)
    side_by_side = []
    for task, norm, slots, groups, rows, d in json.loads(sys.argv[3]):
        spec = NetSpec(task, d, 3 if task == "classification" else 1, 128, 2, 1e-3, norm)
        built = time.perf_counter()
        trainer = make_trainer(spec, slots, 64, groups)
        x = rng.normal(size=(rows, slots, d)).astype("float32")
        if task == "classification":
            y = rng.integers(0, 3, size=(rows, slots)).astype("int32")
        else:
            y = rng.normal(size=(rows, slots, 1)).astype("float32")
        xt, yt = trainer.load(x, y)
        trainer.reset(list(range(slots)))
        order = np.stack([rng.permutation(rows) for _ in range(groups)])
        trainer.epoch(xt, yt, order)
        out[f"first epoch (trace), ms: {task} {norm} {slots}"] = 1e3 * (
            time.perf_counter() - built
        )
        started = time.perf_counter()
        for _ in range(epochs):
            trainer.epoch(xt, yt, order)
        out[f"{task} {norm} {slots}"] = 1e3 * (time.perf_counter() - started) / epochs
        if task == "classification":
            side_by_side.append((trainer, xt, yt, order))

    def train(case):
        trainer, xt, yt, order = case
        for _ in range(epochs):
            trainer.epoch(xt, yt, order)

    threads = [threading.Thread(target=train, args=(c,)) for c in side_by_side]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out["classification none, batch, layer side by side (3 threads)"] = (
        1e3 * (time.perf_counter() - started) / epochs
    )
    print(json.dumps(out))
    """
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkout", action="append", help="a checkout's root (repeatable)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    checkouts = [Path(c).resolve() for c in (args.checkout or [str(ROOT)])]
    best: dict[Path, dict[str, float]] = {c: {} for c in checkouts}
    for _ in range(args.repeat):
        for checkout in checkouts:
            run = subprocess.run(
                [sys.executable, "-c", CHILD, str(checkout), str(args.epochs), json.dumps(CASES)],
                capture_output=True, text=True,
            )  # fmt: skip
            if run.returncode:
                sys.exit(f"{checkout}: the timing process failed:\n{run.stderr}")
            for case, ms in json.loads(run.stdout.strip().splitlines()[-1]).items():
                best[checkout][case] = min(ms, best[checkout].get(case, float("inf")))
    names = [os.path.relpath(c) for c in checkouts]
    print("| case (task, normalization, slots) | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for case in sorted(best[checkouts[0]], key=lambda c: c.startswith("first")):
        row = " | ".join(f"{best[c][case]:.1f}" for c in checkouts)
        print(f"| {case} | {row} |")
    print(f"\nms per epoch, best of {args.repeat}, {args.epochs} epochs each")


if __name__ == "__main__":
    main()
