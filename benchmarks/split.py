"""Split the benchmark datasets once into a calibration half and a validation half.

    python benchmarks/split.py            # writes benchmarks/split.json (committed)

The ten development datasets (shared/datasets) were used to calibrate the advisor before
the split existed, so they belong to the calibration half: scoring them as validation would
flatter the advice. The corpus datasets are split by a fixed seed, stratified by task, so
that the two halves hold the same number of datasets (29 and 29 for 10 + 48). Every change
to the rules, scores, thresholds, controls, decision or search network is decided on the
calibration half alone; the validation half is scored only at the start and at the end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import SHARED, SPLIT_FILE

SPLIT_SEED = 20261130


def make_split() -> dict[str, object]:
    development = json.loads((SHARED / "targets.json").read_text())
    corpus = json.loads((SHARED / "corpus" / "targets.json").read_text())
    total = len(development) + len(corpus)
    rng = np.random.default_rng(SPLIT_SEED)
    calibration = sorted(development)
    validation: list[str] = []
    need = total // 2  # datasets the validation half takes from the corpus
    by_task: dict[str, list[str]] = {}
    for name in sorted(corpus):
        by_task.setdefault(corpus[name]["task"], []).append(name)
    # Share the validation places between the tasks in proportion to the corpus.
    shares = {t: len(v) * need / len(corpus) for t, v in by_task.items()}
    places = {t: int(s) for t, s in shares.items()}
    for t in sorted(shares, key=lambda t: shares[t] - places[t], reverse=True):
        if sum(places.values()) < need:
            places[t] += 1
    for task in sorted(by_task):
        names = by_task[task]
        order = rng.permutation(len(names))
        chosen = {names[i] for i in order[: places[task]]}
        validation += sorted(chosen)
        calibration += sorted(set(names) - chosen)
    return {
        "seed": SPLIT_SEED,
        "note": "development datasets in calibration; corpus split by seed, stratified by task",
        "halves": {"calibration": sorted(calibration), "validation": sorted(validation)},
    }


if __name__ == "__main__":
    SPLIT_FILE.write_text(json.dumps(make_split(), indent=2) + "\n")
    print(SPLIT_FILE.read_text())
