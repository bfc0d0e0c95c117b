"""Do two versions of the advisor give the same advice? Per fold, from committed records.

Reads the quality benchmark's per-fold advisor records (`benchmarks/results/advisor/`) of
two advisor digests and compares, fold by fold, the advice each gave: the winning candidate
(its input plan and in-network normalization). Only folds both versions have scored count.
Prints a table per dataset and the share of folds with the same advice (the speed issue's
condition: at least 95% on the calibration half), the held-out scores side by side with
the change (accuracy points, or % of RMSE) and the harness's paired test of after against
before (corrected resampled t, two-sided, alpha 0.05), and the regression target
transform each fold's advice trained on (records before issue 32 do not say: z-score).

    python benchmarks/same_advice.py --before 6bf7517814b3 --after c8c9bdd80119 \\
        [--half calibration] [--subject advisor] [--task regression]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import reference  # noqa: E402
from quality import paired_outcome  # noqa: E402

TARGET_SHARE = 0.95


def _records(folder: Path, digest: str, names: set[str] | None) -> dict[tuple[str, int], Any]:
    out: dict[tuple[str, int], Any] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record.get("advisor") != digest:
                continue
            if names is not None and record["dataset"] not in names:
                continue
            out[(record["dataset"], int(record["fold"]))] = record
    return out


def _advice(record: dict[str, Any]) -> str:
    """The advice of one fold: the winning candidate, else the plan the rules chose."""
    winner = record.get("winner")
    return str(winner) if winner else f"rules+{record.get('in_network')}"


def _score(record: dict[str, Any]) -> float:
    return float(record["accuracy"] if "accuracy" in record else record["rmse"])


def _change(task: str, before: float, after: float) -> str:
    if task == "classification":
        return f"{100 * (after - before):+.2f} pt"
    return f"{100 * (after - before) / before:+.2f}%" if before else "n/a"


def _target_of(winner: str | None) -> str:
    """The target transform a winning candidate's key names (records that do not say)."""
    if winner and "@target=" in winner:
        return winner.split("@target=", 1)[1].split("@", 1)[0]
    return "standard"


def _targets(records: list[dict[str, Any]]) -> str:
    """The target transforms of a regression dataset's folds, e.g. "log1p_standard 3/5"."""
    methods = [r.get("target_transform") or _target_of(r.get("winner")) for r in records]
    counts = {m: methods.count(m) for m in sorted(set(methods))}
    return ", ".join(f"{m} {n}/{len(methods)}" for m, n in counts.items())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", required=True, help="the advisor digest to compare with")
    parser.add_argument("--after", required=True, help="the advisor digest compared")
    parser.add_argument("--half", choices=("calibration", "validation"))
    parser.add_argument("--subject", default="advisor", choices=("advisor", "rules"))
    parser.add_argument("--results", type=Path, default=reference.RESULTS)
    parser.add_argument("--task", choices=("classification", "regression"))
    args = parser.parse_args(argv)
    names = None
    if args.half:
        split = json.loads((ROOT / "benchmarks" / "split.json").read_text())
        names = set(split["halves"][args.half])
    folder = args.results / args.subject
    before = _records(folder, args.before, names)
    after = _records(folder, args.after, names)
    both = sorted(k for k in set(before) & set(after) if args.task in (None, before[k]["task"]))
    if not both:
        sys.exit(f"no fold has records of both {args.before} and {args.after}")
    print(f"| dataset | folds | same advice | differing folds ({args.before} → {args.after}) "
          "| score before (mean) | score after (mean) | change | after vs before "
          "| target transform after |")  # fmt: skip
    print("|---|---:|---:|---|---:|---:|---:|---|---|")
    same_total = 0
    for dataset in sorted({d for d, _ in both}):
        folds = [f for d, f in both if d == dataset]
        same = [f for f in folds if _advice(before[dataset, f]) == _advice(after[dataset, f])]
        same_total += len(same)
        differing = ", ".join(
            f"{f}: {_advice(before[dataset, f])} → {_advice(after[dataset, f])}"
            for f in folds
            if f not in same
        )
        score_before = statistics.fmean(_score(before[dataset, f]) for f in folds)
        score_after = statistics.fmean(_score(after[dataset, f]) for f in folds)
        task = before[dataset, folds[0]]["task"]
        outcome = paired_outcome(
            [after[dataset, f] for f in folds], [before[dataset, f] for f in folds]
        )
        targets = _targets([after[dataset, f] for f in folds]) if task == "regression" else ""
        print(
            f"| {dataset} | {len(folds)} | {len(same)} | {differing} | {score_before:.4g} | "
            f"{score_after:.4g} | {_change(task, score_before, score_after)} | {outcome} "
            f"| {targets} |"
        )
    share = same_total / len(both)
    datasets = len({d for d, _ in both})
    verdict = "met" if share >= TARGET_SHARE else "missed"
    print(
        f"\nthe same advice on {same_total} of {len(both)} folds ({share:.1%}; "
        f"{datasets} datasets); target at least {TARGET_SHARE:.0%}: {verdict}"
    )


if __name__ == "__main__":
    main()
