"""Loss anatomy: where a strategy's held-out score on one fold of the quality benchmark
comes from.

The quality benchmark scores each fold by one number (RMSE in target units, or accuracy).
On a heavy-tailed target a few held-out rows can carry a whole RMSE, and on a small table
one point of accuracy is a handful of rows; a loss to standardize-everything then says
little about the other rows. This script trains the reference MLP on one fold (the same
rows, batches and initial weights as the benchmark) for fixed strategies and, with
``--advisor``, for the advisor's advice on the fold's training part, and prints per
strategy: regression, the RMSE, the RMSE without the ``--top`` worst rows, the share of
the squared error in the worst 1% of the rows, and the worst rows' truth and prediction;
classification, the accuracy and how many held-out rows one point is.

    python benchmarks/loss_anatomy.py --dataset innovation --fold 4
    python benchmarks/loss_anatomy.py --dataset innovation --fold 4 --advisor --top 5

Folds are numbered from 1, as the benchmark's log does. Datasets of the validation half
are refused unless ``--allow-validation`` (the split is for deciding on the calibration
half only: ``benchmarks/split.json``).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import reference  # noqa: E402

DEFAULT_STRATEGIES = "standard,realmlp,realmlp+periodic"


@dataclass(frozen=True)
class Anatomy:
    """One strategy's held-out score on one fold, taken apart."""

    strategy: str
    score: float  # RMSE (regression) or accuracy in % (classification)
    without_top: float | None = None  # RMSE without the `top` worst rows
    top_share: float | None = None  # share of the squared error in the worst 1% of rows
    worst: tuple[tuple[float, float], ...] = ()  # (truth, prediction) of the worst rows


def regression_anatomy(
    strategy: str, truth: np.ndarray, predicted: np.ndarray, top: int
) -> Anatomy:
    """RMSE, RMSE without the ``top`` worst rows, the worst 1%'s share of the squared
    error, and the worst rows."""
    errors = (truth - predicted) ** 2
    order = np.argsort(-errors, kind="stable")
    rest = errors[order[top:]]
    worst_1pct = max(1, math.ceil(0.01 * len(errors)))
    total = float(errors.sum())
    return Anatomy(
        strategy,
        math.sqrt(float(errors.mean())),
        math.sqrt(float(rest.mean())) if rest.size else math.nan,
        float(errors[order[:worst_1pct]].sum()) / total if total > 0 else 0.0,
        tuple((float(truth[i]), float(predicted[i])) for i in order[:top]),
    )


def anatomies(
    data: reference.FoldData,
    prepared: Sequence[reference.Prepared],
    names: Sequence[str],
    settings: reference.Reference,
    top: int,
) -> list[Anatomy]:
    """Each prepared strategy's anatomy on the fold (trained as the benchmark trains)."""
    _, y_train, _, y_test = data.parts()
    out: list[Anatomy] = []
    for name, (output, transform) in zip(
        names, reference.train_and_predict(data, prepared, settings), strict=True
    ):
        if data.frame.task == "classification":
            truth = reference.encode(y_test, data.classes)
            accuracy = 100.0 * float(np.mean(np.argmax(output, axis=1) == truth))
            out.append(Anatomy(name, accuracy))
        else:
            predicted = reference.in_target_units(output, transform, y_train)
            out.append(regression_anatomy(name, y_test.to_numpy(dtype=float), predicted, top))
    return out


def render(anatomy: list[Anatomy], task: str, n_test: int, top: int) -> str:
    """The anatomies as a Markdown table."""
    if task == "classification":
        rows = ["| strategy | accuracy (%) |", "|---|---:|"]
        rows += [f"| {a.strategy} | {a.score:.2f} |" for a in anatomy]
        rows.append(f"\n{n_test} held-out rows: one point is {n_test / 100:.1f} rows.")
        return "\n".join(rows)
    rows = [
        f"| strategy | RMSE | without the {top} worst rows | worst 1%'s share of the "
        "squared error | worst rows (truth → prediction) |",
        "|---|---:|---:|---:|---|",
    ]
    for a in anatomy:
        worst = ", ".join(f"{t:.4g} → {p:.4g}" for t, p in a.worst)
        rows.append(
            f"| {a.strategy} | {a.score:.4g} | {a.without_top:.4g} | {a.top_share:.0%} | {worst} |"
        )
    rows.append(f"\n{n_test} held-out rows.")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--fold", type=int, action="append", help="1-5 (repeatable; default all)")
    parser.add_argument("--strategies", default=DEFAULT_STRATEGIES, help="fixed strategies")
    parser.add_argument("--advisor", action="store_true", help="also the advisor's advice")
    parser.add_argument("--budget", default="fast")
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--data", action="append", type=Path)
    parser.add_argument("--allow-validation", action="store_true")
    args = parser.parse_args(argv)
    folders = args.data or reference.DEFAULT_DATA
    datasets = reference.discover(folders)
    if args.dataset not in datasets:
        parser.error(f"--dataset: no dataset {args.dataset!r} in {', '.join(map(str, folders))}")
    if args.dataset in reference.load_split()["validation"] and not args.allow_validation:
        parser.error(
            f"--dataset: {args.dataset} is in the validation half; decisions are studied on "
            "the calibration half (--allow-validation to look anyway)"
        )
    names = [s for s in args.strategies.split(",") if s]
    unknown = [s for s in names if s not in reference.STRATEGIES]
    if unknown:
        parser.error(f"--strategies: unknown {', '.join(unknown)}")
    dataset = datasets[args.dataset]
    settings = reference.Reference()
    folds = reference.dataset_folds(dataset, settings)
    wanted = args.fold or list(range(1, len(folds) + 1))
    for number in wanted:
        if not 1 <= number <= len(folds):
            parser.error(f"--fold: {number} is not between 1 and {len(folds)}")
        data = folds[number - 1]
        prepared = [reference.prepare_fixed(reference.STRATEGIES[s], data) for s in names]
        labels = list(names)
        if args.advisor:
            import quality

            x_train, y_train, x_test, _ = data.parts()
            advised = quality.advise_fold(
                "advisor",
                x_train,
                y_train,
                x_test,
                dataset.task,
                args.budget,
                (),
                groups=dataset.groups,
                time_order=dataset.time if dataset.groups is None else None,
            )
            prepared.append(advised["prepared"][0])
            labels.append(f"advisor ({advised['winner']})")
        result = anatomies(data, prepared, labels, settings, args.top)
        print(f"\n#### {dataset.name}, fold {number}\n")
        print(render(result, dataset.task, len(data.test), args.top))


if __name__ == "__main__":
    main()
