"""The quality benchmark's losses to standardize-everything, measured under several seeds.

The quality benchmark counts a table as a loss when the advisor's mean score is worse than
standardize-everything's by more than 1 point of accuracy / 2% of RMSE (and, beyond that,
3 points / 6%). Each side of that gap rests on one seed of the reference MLP per fold, and
each is trained as a slot of its own pack (the fixed strategies' pack of ten, the
advisor's candidates' pack), whose shape moves the last bits. `benchmarks/noise_floor.py`
shows that this noise alone puts 5-7 tables beyond 1 pt / 2%.

This script measures the same gap with that noise averaged out. On the benchmark's folds
and rows, the advisor's advice and standardize-everything are each trained alone (a pack
of one slot) under the benchmark's seed and ``--replicas`` others (the seeds of
`noise_floor.Reseeded`: initial weights, batch order and early-stopping rows), and the
gap is taken between their means over every seed. Nothing is searched again: the advice
of each fold is the one the benchmark recorded (the winner of the advisor's search on the
fold's training part, at the ``--advisor`` digest, from ``benchmarks/results/advisor/``).
Its inputs are rebuilt from the rules' proposals on that training part, computed by the
current source (`advice_inputs`: the first stages of `advise`, before the search), so the
current source must have that digest. Standardize-everything's runs are
`noise_floor.py`'s, and they are shared with it.

    python benchmarks/seeded_losses.py --advisor eb97657d8caa --replicas 5 --jobs 2
    python benchmarks/seeded_losses.py --advisor eb97657d8caa --datasets penguins,wine

The advice's runs are appended to ``benchmarks/results/seeded_losses/<dataset>.jsonl`` and
reused; each names the winner it trained, so records of another search's winners are not
taken for these.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import noise_floor  # noqa: E402
import quality  # noqa: E402
import reference  # noqa: E402
from quality import STANDARD  # noqa: E402

BUDGET = "fast"  # the budget the quality benchmark scores


def _path(results: Path, dataset: str) -> Path:
    return results / "seeded_losses" / f"{dataset}.jsonl"


def _key(record: dict[str, Any]) -> tuple[Any, ...]:
    return (
        record["file_sha256"],
        record["advisor"],
        record["budget"],
        int(record["fold"]),
        int(record["replica"]),
        record["winner"],
        record["reference"],
        record.get("split", reference.KFOLD),
    )


def advice_records(dataset: reference.Dataset, digest: str, results: Path) -> list[dict[str, Any]]:
    """The benchmark's record of the advisor at ``digest``, fold by fold (per fold the last,
    as `quality.evaluate_subject` reads them); a clear error where a fold has none."""
    by_fold = noise_floor.advisor_folds(dataset, digest, results, BUDGET)
    missing = [f + 1 for f in range(reference.FOLDS) if f not in by_fold]
    if missing:
        raise SystemExit(
            f"{dataset.name}: no record of the advisor at {digest} for fold(s) {missing} in "
            f"{results / 'advisor'}; run benchmarks/quality.py first"
        )
    return [by_fold[f] for f in range(reference.FOLDS)]


def proposals_for(data: reference.FoldData) -> Any:
    """The rules' proposals on a fold's training part, as `advise` makes them there for the
    quality benchmark (`quality.advise_fold`'s options): the table loaded with its target,
    the profile, the target's links, the rules, with the split's columns set aside."""
    from advisor.options import AdviseOptions
    from advisor.profiling.profile import profile_table
    from advisor.rules.engine import apply_rules, load_rules
    from advisor.rules.target_links import with_target_links
    from advisor.search.budgets import BUDGETS
    from advisor.search.validate import split_columns
    from advisor.table.load import keep_learnable_classes, load_table

    x_train, y_train, _, _ = data.parts()
    if len(x_train) > BUDGETS[BUDGET].sample_rows:
        # The advice's pipeline was fitted on the search's sample then, not on these rows.
        raise SystemExit(
            f"{data.dataset.name} fold {data.fold + 1}: {len(x_train)} training rows, more "
            f"than the search's sample of {BUDGETS[BUDGET].sample_rows}"
        )
    groups = data.dataset.groups
    options = AdviseOptions.from_keywords(
        {
            "task": data.frame.task,
            "budget": BUDGET,
            "seed": quality.SEED,
            "groups": groups,
            "time_order": data.dataset.time if groups is None else None,
        }
    )
    frame = x_train.copy()
    frame["__target__"] = y_train.to_numpy()
    table = keep_learnable_classes(
        load_table(frame, target="__target__", task=options.task, hint=options.csv),
        folds=BUDGETS[options.budget].folds,
        drop_rare=options.drop_rare_classes,
    )
    profile = with_target_links(profile_table(table, seed=options.seed), table)
    ruleset = load_rules(options.rules, options.disable_rules)
    overrides = {**options.override_map, **split_columns(options)}
    return apply_rules(
        profile, ruleset, overrides=overrides, exportable_only=options.exportable_only
    )


def _candidates(data: reference.FoldData, record: dict[str, Any]) -> tuple[Any, Any]:
    """The search's candidates on the fold's training part, rebuilt (keyed, in the search's
    order), and the default target transform (None: classification); a clear error where
    they are not the record's."""
    from advisor.search.space import search_space

    proposals = proposals_for(data)
    candidates = {c.key: c for c in search_space(proposals, BUDGET).candidates()}
    recorded = set(record.get("candidates", {}))
    if recorded and recorded != set(candidates):
        raise SystemExit(
            f"{data.dataset.name} fold {data.fold + 1}: the rules now propose the candidates "
            f"{sorted(candidates)}, the record has {sorted(recorded)}"
        )
    where = f"{data.dataset.name} fold {data.fold + 1}"
    if record["winner"] not in candidates:
        raise SystemExit(f"{where}: no candidate {record['winner']!r}")
    winner = candidates[record["winner"]]
    if winner.in_network != record.get("in_network", winner.in_network):
        raise SystemExit(
            f"{where}: the winner's in-network normalization would be {winner.in_network!r}, "
            f"the record has {record['in_network']!r}"
        )
    if winner.in_network not in quality.TRAINABLE:
        raise SystemExit(f"{where}: the reference MLP has no {winner.in_network!r} layer")
    method = None
    if data.frame.task == "regression":
        method = proposals.target.top if proposals.target is not None else "standard"
        if (winner.target or method) != record.get("target_transform"):
            raise SystemExit(
                f"{where}: the advice's target transform "
                f"would be {winner.target or method!r}, the record has "
                f"{record.get('target_transform')!r}"
            )
    return candidates, method


def advice_inputs(data: reference.FoldData, record: dict[str, Any]) -> reference.Prepared:
    """The recorded advice's inputs for the reference MLP on one fold: the winner's plan
    rebuilt from the rules' proposals on the training part and fitted there, with its
    target transform (as `quality.prepared_candidates` prepares every candidate)."""
    candidates, method = _candidates(data, record)
    x_train, y_train, x_test, _ = data.parts()
    winner = record["winner"]
    _, prepared = quality.prepared_candidates(
        [candidates[winner]], {winner}, method, x_train, y_train, x_test
    )
    return prepared[0]


def retrain_benchmark_pack(data: reference.FoldData, record: dict[str, Any]) -> dict[str, float]:
    """The benchmark's own training of one fold rebuilt: the advice first, then every
    candidate the search ran, in the benchmark's pack (`quality.run_subject`), with the
    benchmark's seed. Where the rebuilt inputs are the ones the benchmark trained, each
    score equals the record's to the last bit (the reference MLP is deterministic):
    key -> retrained score, with ``"advice"`` for the advice."""
    candidates, method = _candidates(data, record)
    ok = {k for k, v in record.get("candidates", {}).items() if v.get("status") == "ok"}
    x_train, y_train, x_test, _ = data.parts()
    keys, prepared = quality.prepared_candidates(
        list(candidates.values()), ok, method, x_train, y_train, x_test
    )
    scored = reference.train_and_score(
        data, [advice_inputs(data, record), *prepared], reference.Reference()
    )
    name = "accuracy" if data.frame.task == "classification" else "rmse"
    return {k: s[name] for k, s in zip(["advice", *keys], scored, strict=True)}


def advice_runs(
    dataset: reference.Dataset, digest: str, replicas: int, results: Path
) -> list[list[dict[str, Any]]]:
    """The recorded advice of each fold trained alone, per replica (0: the benchmark's
    seed, 1 to ``replicas``: `noise_floor.Reseeded`'s); missing runs are trained and
    appended."""
    settings = reference.Reference()
    key = settings.key()
    advised = advice_records(dataset, digest, results)
    path = _path(results, dataset.name)
    have = {_key(r): r for r in reference.read_records(path)}
    folds: list[reference.FoldData] | None = None
    out: list[list[dict[str, Any]]] = [[] for _ in range(replicas + 1)]
    for fold, record in enumerate(advised):
        prepared = None
        for replica in range(replicas + 1):
            wanted = (dataset.sha256, digest, BUDGET, fold, replica, record["winner"], key,
                      dataset.split)  # fmt: skip
            if wanted not in have:
                if folds is None:
                    folds = reference.dataset_folds(dataset, settings)
                data = noise_floor.Reseeded.of(folds[fold], replica)
                started = time.perf_counter()
                if prepared is None:
                    prepared = advice_inputs(data, record)
                outcome = reference.train_and_score(data, [prepared], settings)[0]
                run = {
                    "dataset": dataset.name,
                    "file_sha256": dataset.sha256,
                    "strategy": "advisor",
                    "advisor": digest,
                    "budget": BUDGET,
                    "winner": record["winner"],
                    "fold": fold,
                    "replica": replica,
                    "task": dataset.task,
                    "reference": key,
                    **reference.split_field(dataset),
                    **outcome,
                    "seconds": round(time.perf_counter() - started, 3),
                    "environment": reference.environment(),
                }
                reference.append_record(path, run)
                have[wanted] = run
            out[replica].append(have[wanted])
    return out


@dataclasses.dataclass(frozen=True)
class Subject:
    """What is set against standardize-everything: the advisor's recorded advice at a
    digest, or a fixed strategy of the benchmark (by name)."""

    advisor: str | None = None
    strategy: str | None = None

    @property
    def label(self) -> str:
        return f"advisor `{self.advisor}`" if self.advisor else f"`{self.strategy}`"

    def benchmark(self, dataset: reference.Dataset, results: Path) -> list[dict[str, Any]]:
        """The quality benchmark's own records, fold by fold (never trained here)."""
        if self.advisor:
            return advice_records(dataset, self.advisor, results)
        return noise_floor.benchmark_records(dataset, results, str(self.strategy))

    def runs(
        self, dataset: reference.Dataset, replicas: int, results: Path
    ) -> list[list[dict[str, Any]]]:
        """Trained alone, per replica, fold by fold (missing runs trained and appended)."""
        if self.advisor:
            return advice_runs(dataset, self.advisor, replicas, results)
        runs = noise_floor.replica_records(dataset, replicas, results, str(self.strategy))
        return [runs[r] for r in range(replicas + 1)]


@dataclasses.dataclass(frozen=True)
class Row:
    dataset: str
    task: str
    benchmark_gap: float  # the quality benchmark's own gap (packed, one seed)
    gaps: tuple[float, ...]  # per seed, both trained alone (points, or % of RMSE)
    mean_gap: float  # between the means over every seed
    outcome: str  # win / tie / loss: the paired test on the seed-averaged fold scores

    @property
    def spread(self) -> float:
        """The standard error of the mean gap over seeds."""
        if len(self.gaps) < 2:
            return math.nan
        return float(np.std(self.gaps, ddof=1) / math.sqrt(len(self.gaps)))


def row_of(
    dataset: reference.Dataset,
    standard: dict[Any, list[dict[str, Any]]],
    advice: Sequence[Sequence[dict[str, Any]]],
    benchmark_advice: Sequence[dict[str, Any]],
) -> Row:
    """One table's gaps: ``standard`` is `noise_floor.replica_records`' (the benchmark's
    record and each replica alone), ``advice`` the subject's runs per replica and
    ``benchmark_advice`` its benchmark records."""
    task = dataset.task
    mean = noise_floor.table_mean  # accuracy % or RMSE, as the tables show it
    benchmark_gap = quality.regret(task, mean(task, standard["benchmark"]),
                                   mean(task, benchmark_advice))  # fmt: skip
    alone = [standard[r] for r in range(len(advice))]
    pairs = zip(alone, advice, strict=True)
    gaps = tuple(quality.regret(task, mean(task, s), mean(task, a)) for s, a in pairs)
    standard_mean, advice_mean = (
        noise_floor.seed_means(task, alone),
        noise_floor.seed_means(task, advice),
    )
    mean_gap = quality.regret(task, mean(task, standard_mean), mean(task, advice_mean))
    outcome = quality.paired_outcome(advice_mean, standard_mean)
    return Row(dataset.name, task, benchmark_gap, gaps, mean_gap, outcome)


def _unit(task: str, value: float) -> str:
    return f"{value:+.2f} pt" if task == "classification" else f"{value:+.1f}%"


def render(rows: Sequence[Row], replicas: int, label: str) -> str:
    """The tables beyond the small threshold by any measure, then the counts: the
    benchmark's, each seed's (both alone), and the means over every seed."""
    seeds = " | ".join(f"seed {r}" for r in range(replicas + 1))
    lines = [
        f"| dataset | task | benchmark (packed, seed 0) | {seeds} | mean of {replicas + 1} "
        "seeds ± se | paired test |",
        "|---|---|" + "---:|" * (replicas + 3) + "---|",
    ]
    for row in rows:
        if max(row.benchmark_gap, row.mean_gap, *row.gaps) <= quality.LOSS_SMALL[row.task]:
            continue
        cells = " | ".join(_unit(row.task, g) for g in row.gaps)
        spread = "" if math.isnan(row.spread) else f" ± {abs(row.spread):.1f}"
        lines.append(
            f"| {row.dataset} | {row.task} | {_unit(row.task, row.benchmark_gap)} | {cells} "
            f"| {_unit(row.task, row.mean_gap)}{spread} | {row.outcome} |"
        )
    heading = (
        f"| {label} against standardize-everything | tables "
        "| worse by > 1 pt / 2% | by > 3 pt / 6% | losses under the paired test |"
    )
    lines += ["", heading, "|---|---:|---:|---:|---:|"]
    small, large = noise_floor.loss_counts([(r.task, r.benchmark_gap) for r in rows])
    lines.append(f"| the benchmark (packed, seed 0) | {len(rows)} | {small} | {large} | |")
    for replica in range(replicas + 1):
        small, large = noise_floor.loss_counts([(r.task, r.gaps[replica]) for r in rows])
        lines.append(f"| both alone, seed {replica} | {len(rows)} | {small} | {large} | |")
    small, large = noise_floor.loss_counts([(r.task, r.mean_gap) for r in rows])
    losses = sum(r.outcome == "loss" for r in rows)
    lines.append(
        f"| both alone, the mean of {replicas + 1} seeds | {len(rows)} | {small} | {large} "
        f"| {losses} |"
    )
    return "\n".join(lines)


def _job(name: str, folders: Sequence[str], subject: Subject, replicas: int, results: str) -> str:
    datasets = reference.discover([Path(f) for f in folders])
    noise_floor.replica_records(datasets[name], replicas, Path(results))
    subject.runs(datasets[name], replicas, Path(results))
    return name


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    noise_floor.add_table_arguments(parser, replicas=5)
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--advisor",
                     help="the advisor digest whose recorded advice to train (the current "
                          "source's)")  # fmt: skip
    who.add_argument("--strategy", choices=sorted(set(reference.STRATEGIES) - {STANDARD}),
                     help="a fixed strategy to set against standardize-everything")  # fmt: skip
    args = parser.parse_args(argv)
    folders, datasets, names = noise_floor.selected_tables(args)
    if args.advisor and quality.advisor_digest() != args.advisor:
        raise SystemExit(
            f"the advice's inputs are rebuilt by the current source, whose advisor digest is "
            f"{quality.advisor_digest()}, not {args.advisor}: run this from a checkout at "
            "that digest"
        )
    subject = Subject(advisor=args.advisor, strategy=args.strategy)
    for name in names:  # every record is there before anything trains
        noise_floor.benchmark_records(datasets[name], args.results)
        subject.benchmark(datasets[name], args.results)
    started = time.perf_counter()
    jobs = [(n, folders, subject, args.replicas, str(args.results)) for n in names]
    noise_floor.run_jobs(_job, jobs, args.jobs)
    rows = []
    for name in names:  # all recorded now: nothing trains here
        dataset = datasets[name]
        standard = noise_floor.replica_records(dataset, args.replicas, args.results)
        runs = subject.runs(dataset, args.replicas, args.results)
        rows.append(row_of(dataset, standard, runs, subject.benchmark(dataset, args.results)))
    text = render(rows, args.replicas, subject.label)
    text += f"\n\nReference MLP key {reference.Reference().key()}; "
    text += f"{len(names)} datasets in {time.perf_counter() - started:.0f} s"
    print(text)
    if args.output:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
