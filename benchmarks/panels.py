"""Do shuffled folds flatter the advisor more than the fixed strategies on panels?

For each dataset whose `targets.json` entry names ``groups`` (the corpus's panels), from
committed records only (nothing is trained): the advisor's and the best fixed strategy's
scores, the advisor's rank among the 16 fixed strategies, its regret and its paired test
against standardize-everything, once with the shuffled folds every table had before
(``--kfold-advisor``: the advisor digest scored then) and once with grouped folds
(``--grouped-advisor``). A strategy's score on grouped folds is what it does on units it
never saw; the difference to its shuffled-fold score is how much shuffled folds flattered
it.

    python benchmarks/panels.py --kfold-advisor b92246c399e3 --grouped-advisor e323baa58674
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import quality  # noqa: E402
import reference  # noqa: E402


def _records(dataset: reference.Dataset, split: str, digest: str, results: Path) -> list[Any]:
    """The fixed strategies' and the advisor's records of ``dataset`` under ``split``."""
    key = reference.Reference().key()
    fixed = [
        r
        for r in reference.read_records(reference.fixed_results_path(results, dataset.name))
        if r["reference"] == key and r.get("split", reference.KFOLD) == split
    ]
    advisor = [
        r
        for r in reference.read_records(results / "advisor" / f"{dataset.name}.jsonl")
        if r["reference"] == key
        and r["advisor"] == digest
        and r["budget"] == "fast"
        and r.get("split", reference.KFOLD) == split
    ]
    return fixed + advisor


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kfold-advisor", required=True, help="advisor digest, shuffled folds")
    parser.add_argument("--grouped-advisor", required=True, help="advisor digest, grouped")
    parser.add_argument("--results", type=Path, default=reference.RESULTS)
    args = parser.parse_args(argv)
    datasets = reference.discover(reference.DEFAULT_DATA)
    panels = sorted(n for n, d in datasets.items() if d.groups is not None)
    print("| panel | folds | advisor | best fixed | standard | advisor rank (of 17) "
          "| regret | vs standard |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for name in panels:
        dataset = datasets[name]
        for split, digest in ((reference.KFOLD, args.kfold_advisor),
                              (dataset.split, args.grouped_advisor)):  # fmt: skip
            records = _records(dataset, split, digest, args.results)
            counts = {r["strategy"]: 0 for r in records}
            for r in records:
                counts[r["strategy"]] += 1
            if counts.get("advisor") != reference.FOLDS or len(set(counts.values())) != 1:
                print(f"| {name} | {split} | not every fold scored yet | | | | | |")
                continue
            s = quality.summarize(name, records, "advisor")
            print(
                f"| {name} | {split} | {s.means['advisor']:.4g} | {s.means[s.best_fixed]:.4g} "
                f"({s.best_fixed}) | {s.means['standard']:.4g} | {s.ranks['advisor']:.1f} "
                f"| {s.regrets['advisor']:+.1f}% | {s.versus.get('standard', '')} |"
            )


if __name__ == "__main__":
    main()
