"""The quality benchmark's noise floor: how far standardize-everything moves from itself
when only the reference MLP's seed changes.

The quality benchmark counts a table as a loss to standardize-everything when the
advisor's mean score is worse than standardization's by more than 1 point of accuracy /
2% of RMSE (and, beyond that, 3 points / 6%). Both scores come from one seed of the
reference MLP per fold: its initial weights, its batch order and its early-stopping rows.
The benchmark also trains the fixed strategies of a fold together, as slots of one packed
model, and the advisor's advice in a pack of its own: the floating-point summation order
follows the pack's shape, so the same inputs score differently in another pack. A
preprocessing that changed nothing would still move the score by this noise. The script
measures it: it retrains the reference MLP on standardized inputs alone (a pack of one
slot), first with the benchmark's seed (the pack's effect alone), then with
``--replicas`` other seeds (the folds, the training rows and the held-out rows unchanged),
and counts, per run, the tables where it is "worse than standardize-everything" by the
benchmark's own thresholds (`quality.losses_to_standard`'s). Beside each table: the
advisor's gap to standardization at an advisor digest (from its committed records,
nothing is rerun), and the largest gap a reseeding produced there.

    python benchmarks/noise_floor.py --advisor eb97657d8caa --replicas 2 --jobs 2
    python benchmarks/noise_floor.py --advisor eb97657d8caa --datasets meats,forbes

Scores are appended to ``benchmarks/results/noise_floor/<dataset>.jsonl`` and reused
(replica 0: the benchmark's seed, alone); the baseline is the benchmark's own record of
standardize-everything (``benchmarks/results/fixed/``).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import multiprocessing
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import quality  # noqa: E402
import reference  # noqa: E402

STRATEGY = quality.STANDARD


@dataclasses.dataclass(frozen=True)
class Reseeded(reference.FoldData):
    """A fold whose reference MLP trains under another seed (replica 0: the benchmark's)."""

    replica: int = 0

    @classmethod
    def of(cls, base: reference.FoldData, replica: int) -> Reseeded:
        """``base`` under the seed of ``replica``."""
        fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(reference.FoldData)}
        return cls(**fields, replica=replica)

    @property
    def seed(self) -> int:
        if self.replica == 0:
            return super().seed
        return reference.derive_seed(
            reference.SEED, self.dataset.name, self.fold, "reference", "replica", self.replica
        )


def _path(results: Path, dataset: str) -> Path:
    return results / "noise_floor" / f"{dataset}.jsonl"


def _key(record: dict[str, Any]) -> tuple[Any, ...]:
    return (
        record["file_sha256"],
        record["strategy"],
        int(record["fold"]),
        int(record["replica"]),
        record["reference"],
        record.get("split", reference.KFOLD),
    )


def benchmark_records(
    dataset: reference.Dataset, results: Path, name: str = STRATEGY
) -> list[dict[str, Any]]:
    """A fixed strategy's records of the quality benchmark (standardize-everything's by
    default), fold by fold (trained in the fixed strategies' pack: `benchmarks/reference.py`
    makes them; this script never does, so that a record of a pack of one cannot pass for
    one)."""
    key = reference.Reference().key()
    have = {
        reference.record_key(r): r
        for r in reference.read_records(reference.fixed_results_path(results, dataset.name))
    }
    strategy = reference.STRATEGIES[name]
    wanted = [reference._wanted_key(dataset, strategy, f, key) for f in range(reference.FOLDS)]
    missing = [w[2] + 1 for w in wanted if w not in have]
    if missing:
        raise SystemExit(
            f"{dataset.name}: no record of {name!r} for fold(s) {missing} under reference "
            f"key {key} in {results / 'fixed'}; run benchmarks/reference.py first"
        )
    return [have[w] for w in wanted]


def replica_records(
    dataset: reference.Dataset, replicas: int, results: Path, name: str = STRATEGY
) -> dict[Any, list[dict[str, Any]]]:
    """A fixed strategy's record of each fold (standardize-everything's by default): the
    benchmark's own (key ``"benchmark"``) and, trained alone, under the benchmark's seed
    (0) and ``replicas`` others (1 to ``replicas``); missing ones are trained and
    appended."""
    settings = reference.Reference()
    key = settings.key()
    strategy = reference.STRATEGIES[name]
    out: dict[Any, list[dict[str, Any]]] = {"benchmark": benchmark_records(dataset, results, name)}
    path = _path(results, dataset.name)
    have = {_key(r): r for r in reference.read_records(path)}
    folds: list[reference.FoldData] | None = None
    for replica in range(replicas + 1):
        runs = []
        for fold in range(reference.FOLDS):
            wanted = (dataset.sha256, name, fold, replica, key, dataset.split)
            if wanted not in have:
                if folds is None:
                    folds = reference.dataset_folds(dataset, settings)
                data = Reseeded.of(folds[fold], replica)
                started = time.perf_counter()
                outcome = reference.train_and_score(
                    data, [reference.prepare_fixed(strategy, data)], settings
                )[0]
                record = {
                    "dataset": dataset.name,
                    "file_sha256": dataset.sha256,
                    "strategy": name,
                    "fold": fold,
                    "replica": replica,
                    "task": dataset.task,
                    "reference": key,
                    **reference.split_field(dataset),
                    **outcome,
                    "seconds": round(time.perf_counter() - started, 3),
                    "environment": reference.environment(),
                }
                reference.append_record(path, record)
                have[wanted] = record
            runs.append(have[wanted])
        out[replica] = runs
    return out


def advisor_folds(
    dataset: reference.Dataset, digest: str, results: Path, budget: str = "fast"
) -> dict[int, dict[str, Any]]:
    """The advisor's records at ``digest`` by fold (per fold the last, as
    `quality.evaluate_subject` reads them, by `quality.subject_key`); folds without one are
    absent."""
    key = reference.Reference().key()
    have = {
        quality.subject_key(r): r
        for r in reference.read_records(results / "advisor" / f"{dataset.name}.jsonl")
    }
    wanted = {f: (dataset.sha256, f, key, budget, digest, dataset.split)
              for f in range(reference.FOLDS)}  # fmt: skip
    return {f: have[w] for f, w in wanted.items() if w in have}


def advisor_mean(dataset: reference.Dataset, digest: str, results: Path) -> float | None:
    """The advisor's mean score (accuracy % or RMSE) at ``digest``, from its records."""
    by_fold = advisor_folds(dataset, digest, results)
    if len(by_fold) < reference.FOLDS:
        return None
    return table_mean(dataset.task, list(by_fold.values()))


def table_mean(task: str, records: Sequence[dict[str, Any]]) -> float:
    """Mean over folds, as the quality tables show it: accuracy in %, or RMSE."""
    value = float(np.mean([quality.primary(r) for r in records]))
    return 100.0 * value if task == "classification" else -value


@dataclasses.dataclass(frozen=True)
class Row:
    dataset: str
    task: str
    alone: float  # the benchmark's seed, trained alone: its loss to the benchmark's record
    gaps: tuple[float, ...]  # each reseeding's loss to it (points, or % of RMSE)
    advisor_gap: float | None  # the advisor's loss to it


def row_of(
    dataset: reference.Dataset, runs: dict[Any, list[dict[str, Any]]], advisor: float | None
) -> Row:
    task = dataset.task
    base = table_mean(task, runs["benchmark"])
    replicas = sorted(r for r in runs if r != "benchmark")
    losses = [quality.regret(task, base, table_mean(task, runs[r])) for r in replicas]
    gap = None if advisor is None else quality.regret(task, base, advisor)
    return Row(dataset.name, task, losses[0], tuple(losses[1:]), gap)


def _unit(task: str, value: float) -> str:
    return f"{value:+.2f} pt" if task == "classification" else f"{value:+.1f}%"


def render(rows: Sequence[Row], replicas: int, digest: str | None) -> str:
    """Per table with a gap beyond the small threshold (a replica's or the advisor's), then
    the counts per replica beside the advisor's."""
    seeds = " | ".join(f"seed {r}" for r in range(1, replicas + 1))
    lines = [
        f"| dataset | task | seed 0 alone | {seeds} | largest reseeding loss "
        f"| advisor {digest or ''} |",
        "|---|---|" + "---:|" * (replicas + 3),
    ]
    for row in rows:
        small = quality.LOSS_SMALL[row.task]
        shown = [row.alone, *row.gaps, row.advisor_gap if row.advisor_gap is not None else -np.inf]
        if max(shown) <= small:
            continue
        cells = [_unit(row.task, g) for g in (row.alone, *row.gaps)]
        worst = _unit(row.task, max(row.gaps))
        advisor = "" if row.advisor_gap is None else _unit(row.task, row.advisor_gap)
        lines.append(f"| {row.dataset} | {row.task} | {' | '.join(cells)} | {worst} | {advisor} |")
    heading = "| who | tables | worse than standardize-everything by > 1 pt / 2% | by > 3 pt / 6% |"
    lines += ["", heading, "|---|---:|---:|---:|"]
    small, large = loss_counts([(r.task, r.alone) for r in rows])
    lines.append(f"| standardize-everything alone, seed 0 | {len(rows)} | {small} | {large} |")
    for replica in range(replicas):
        gaps = [(r.task, r.gaps[replica]) for r in rows]
        small, large = loss_counts(gaps)
        lines.append(f"| standardize-everything alone, seed {replica + 1} | {len(gaps)} | {small} "
                     f"| {large} |")  # fmt: skip
    either = [(r.task, max(r.gaps)) for r in rows]
    small, large = loss_counts(either)
    lines.append(f"| the worse of the {replicas} reseedings | {len(either)} | {small} | {large} |")
    if digest:
        mine = [(r.task, r.advisor_gap) for r in rows if r.advisor_gap is not None]
        small, large = loss_counts(mine)  # type: ignore[arg-type]
        lines.append(f"| advisor `{digest}` | {len(mine)} | {small} | {large} |")
    return "\n".join(lines)


def loss_counts(gaps: Sequence[tuple[str, float]]) -> tuple[int, int]:
    small = sum(g > quality.LOSS_SMALL[t] for t, g in gaps)
    large = sum(g > quality.LOSS_LARGE[t] for t, g in gaps)
    return small, large


def seed_means(task: str, runs: Sequence[Sequence[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per fold, a record of the mean score over several runs of the fold (what
    `quality.primary`, `quality.paired_outcome` and `table_mean` read)."""
    name = "accuracy" if task == "classification" else "rmse"
    return [
        {"task": task, name: float(np.mean([run[fold][name] for run in runs]))}
        for fold in range(reference.FOLDS)
    ]


def split_counts(
    tables: Sequence[tuple[str, dict[Any, list[dict[str, Any]]]]], seeds: int
) -> Counter[tuple[int, int]]:
    """A subject no different from standardize-everything, measured on a mean of seeds:
    for every way to split the replicas ``0 .. seeds - 1`` of each table (``(task,
    replica_records(...))``) into two halves, and both ways round, how many tables one
    half's mean is worse than the other's beyond the benchmark's two thresholds."""
    half = seeds // 2
    out: Counter[tuple[int, int]] = Counter()
    for first in itertools.combinations(range(seeds), half):
        if 0 not in first:  # each split once
            continue
        second = tuple(r for r in range(seeds) if r not in first)
        for a, b in ((first, second), (second, first)):
            gaps = []
            for task, runs in tables:
                mean_a = table_mean(task, seed_means(task, [runs[r] for r in a]))
                mean_b = table_mean(task, seed_means(task, [runs[r] for r in b]))
                gaps.append((task, quality.regret(task, mean_a, mean_b)))
            out[loss_counts(gaps)] += 1
    return out


def render_halves(counts: Counter[tuple[int, int]], seeds: int) -> str:
    """`split_counts` as two distributions, and how often both counts stay within issue
    33's loss targets (at most 2 tables beyond 1 pt / 2%, none beyond 3 pt / 6%)."""
    total = sum(counts.values())
    top = max(max(small, large) for small, large in counts)
    lines = [
        f"Standardize-everything's mean over {seeds // 2} seeds against its mean over the "
        f"{seeds // 2} others ({total} comparisons: every split, both ways round):",
        "",
        "| tables beyond | " + " | ".join(str(n) for n in range(top + 1)) + " |",
        "|---|" + "---:|" * (top + 1),
    ]
    for label, which in (("1 pt / 2%", 0), ("3 pt / 6%", 1)):
        row = [sum(c for k, c in counts.items() if k[which] == n) for n in range(top + 1)]
        lines.append(f"| {label} | " + " | ".join(str(n) for n in row) + " |")
    within = sum(c for (small, large), c in counts.items() if small <= 2 and large == 0)
    lines += ["", f"At most 2 beyond 1 pt / 2% and none beyond 3 pt / 6%: {within} of {total} "
                  f"({100 * within / total:.1f}%)."]  # fmt: skip
    return "\n".join(lines)


def _job(name: str, folders: Sequence[str], replicas: int, results: str) -> str:
    datasets = reference.discover([Path(f) for f in folders])
    replica_records(datasets[name], replicas, Path(results))
    return name


def add_table_arguments(parser: argparse.ArgumentParser, replicas: int) -> None:
    """The options this script and `seeded_losses` share: which tables, how many seeds
    besides the benchmark's (``replicas`` by default), where the records are, how many
    processes, and an output file."""
    parser.add_argument("--data", action="append", type=Path,
                        help="a folder with targets.json (repeatable; default: the shared "
                             "datasets and the corpus)")  # fmt: skip
    parser.add_argument("--datasets", help="comma-separated subset of the datasets' names")
    parser.add_argument("--half", choices=("calibration", "validation"))
    parser.add_argument("--replicas", type=int, default=replicas,
                        help="seeds besides the benchmark's")  # fmt: skip
    parser.add_argument("--results", type=Path, default=reference.RESULTS)
    parser.add_argument("--jobs", type=int, default=1, help="datasets in parallel processes")
    parser.add_argument("--output", type=Path, help="also write the tables to this file")


def selected_tables(
    args: argparse.Namespace,
) -> tuple[list[str], dict[str, reference.Dataset], list[str]]:
    """The data folders, every dataset found there, and the names the options select."""
    if args.replicas < 1:
        raise SystemExit("--replicas must be at least 1")
    folders = [str(f) for f in (args.data or reference.DEFAULT_DATA)]
    datasets = reference.discover([Path(f) for f in folders])
    return folders, datasets, reference.select(datasets, args.datasets, args.half)


def _call(job: tuple[Any, ...]) -> str:
    function, *arguments = job
    return str(function(*arguments))


def run_jobs(function: Any, jobs: Sequence[tuple[Any, ...]], processes: int) -> None:
    """``function(*job)`` for every job (a module-level function returning a dataset's
    name): in ``processes`` spawned processes, one job each, naming each done on stderr, or
    here in turn."""
    if processes > 1:
        with multiprocessing.get_context("spawn").Pool(processes, maxtasksperchild=1) as pool:
            for name in pool.imap_unordered(_call, [(function, *job) for job in jobs]):
                print(f"{name} done", file=sys.stderr, flush=True)
    else:
        for job in jobs:
            function(*job)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_table_arguments(parser, replicas=2)
    parser.add_argument("--advisor", help="an advisor digest whose records to set beside")
    parser.add_argument("--halves", action="store_true",
                        help="also split the seeds (0 to --replicas, an even number of them) "
                             "into two halves every way and count the tables where one "
                             "half's mean is worse than the other's")  # fmt: skip
    args = parser.parse_args(argv)
    if args.halves and (args.replicas + 1) % 2:
        raise SystemExit("--halves needs an even number of seeds: an odd --replicas")
    folders, datasets, names = selected_tables(args)
    started = time.perf_counter()
    run_jobs(_job, [(n, folders, args.replicas, str(args.results)) for n in names], args.jobs)
    rows = []
    for name in names:
        runs = replica_records(datasets[name], args.replicas, args.results)  # all recorded now
        mean = advisor_mean(datasets[name], args.advisor, args.results) if args.advisor else None
        rows.append(row_of(datasets[name], runs, mean))
    text = render(rows, args.replicas, args.advisor)
    if args.halves:
        tables = [(datasets[n].task, replica_records(datasets[n], args.replicas, args.results))
                  for n in names]  # fmt: skip
        text += "\n\n" + render_halves(split_counts(tables, args.replicas + 1), args.replicas + 1)
    text += f"\n\nReference MLP key {reference.Reference().key()}; "
    text += f"{len(names)} datasets in {time.perf_counter() - started:.0f} s"
    print(text)
    if args.output:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
