"""Less work per candidate: would validating less often, or stopping a losing challenger
early, change the advice? A study on recorded validation curves.

Validating every few epochs and stopping a challenger once it trails the default do not
change how a network trains, only when its training stops and which epochs are looked at.
So both can be simulated exactly from curves recorded without early stopping:

    python benchmarks/stopping_study.py --record --half calibration    # ~25 min on 2 cores
    python benchmarks/stopping_study.py                                 # the table

``--record`` runs the advisor's search (default budget, seed 0) on fold 0's training part
of each dataset, as the quality benchmark does, but with early stopping off, and appends
every candidate's per-fold validation curves (every epoch to the budget's end) to
``benchmarks/results/stopping/<dataset>.jsonl``, keyed by the advisor's digest, so a run
resumes. The simulation replays the runner's early stopping (`advisor.search.runner`) on
those curves: the recorded epochs up to where the rule stops, the best observed epoch per
fold, capped at the trivial predictor's loss; then the decision rule itself
(`advisor.search.decision.decide`). Its first row, the rule as it is, must give the
advice the quality benchmark recorded on the same fold (printed as a check).

Run ``--record`` from a `git worktree` of a fixed commit (see benchmarks/quality.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import math
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import reference  # noqa: E402
from quality import SEED, advisor_digest  # noqa: E402
from reference import Reference, dataset_folds, discover, select  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
#: "Many small epochs": at most this many optimizer steps per epoch.
SMALL_EPOCH_STEPS = 10


def record(names: Sequence[str], datasets: dict[str, Any], results: Path, fold: int) -> None:
    import advisor.search.run as run_module
    from advisor import advise
    from advisor.search.budgets import BUDGETS

    digest = advisor_digest()
    out_dir = results / "stopping"
    out_dir.mkdir(parents=True, exist_ok=True)
    patience = BUDGETS["fast"].patience
    BUDGETS["fast"] = dataclasses.replace(BUDGETS["fast"], patience=10**9)
    captured: dict[str, Any] = {}
    real_decide = run_module.decide

    def capture(results_: Any, candidates: Any, setup: Any, *args: Any, **kwargs: Any) -> Any:
        captured.update(results=results_, candidates=candidates, setup=setup)
        return real_decide(results_, candidates, setup, *args, **kwargs)

    run_module.decide = capture  # type: ignore[assignment]
    os.environ["ADVISOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="stopping-")
    for name in names:
        path = out_dir / f"{name}.jsonl"
        done = {
            (r["fold"], r["advisor"])
            for r in map(json.loads, path.read_text().splitlines() if path.exists() else [])
        }
        if (fold, digest) in done:
            continue
        data = dataset_folds(datasets[name], Reference())[fold]
        x_train, y_train, _, _ = data.parts()
        frame = x_train.copy()
        frame["__target__"] = y_train.to_numpy()
        captured.clear()
        advise(frame, target="__target__", task=data.frame.task, seed=SEED)  # type: ignore[arg-type]
        setup = captured["setup"]
        complexity = {c.key: c.complexity for c in captured["candidates"]}
        n_train = max(len(tr) for tr, _ in setup.folds)
        entry = {
            "dataset": name,
            "fold": fold,
            "advisor": digest,
            "task": setup.task,
            "k": setup.k,
            "steps_per_epoch": math.ceil(n_train / setup.batch_size),
            "max_epochs": setup.max_epochs,
            "min_epochs": setup.min_epochs,
            "patience": patience,
            "test_fraction": setup.test_fraction,
            "baselines": list(setup.baselines),
            "candidates": [
                {
                    "key": r.key,
                    "status": r.status,
                    "message": r.message,
                    "complexity": complexity[r.key],
                    "curves": [list(c) for c in r.curves],
                }
                for r in captured["results"]
            ],
        }
        with path.open("a") as handle:
            handle.write(json.dumps(entry) + "\n")
        print(f"{name}: recorded {len(entry['candidates'])} candidates", file=sys.stderr)


@dataclasses.dataclass(frozen=True)
class Rule:
    name: str
    every: int = 1  # validate every this many epochs (tables with small epochs only)
    trail_t: float | None = None  # stop a challenger whose t against the default is below -t
    after: float = 0.0  # ... only once this share of the budget's epochs has been trained


RULES = (
    Rule("as today"),
    Rule("validate every 2nd epoch", every=2),
    Rule("validate every 3rd epoch", every=3),
    Rule("stop a challenger at t < -3", trail_t=3.0),
    Rule("stop a challenger at t < -2", trail_t=2.0),
    Rule("stop a challenger at t < -1", trail_t=1.0),
    Rule("stop at t < -3 after a third of the epochs", trail_t=3.0, after=1 / 3),
    Rule("stop at t < -3 after half of the epochs", trail_t=3.0, after=1 / 2),
    Rule("stop at t < -5", trail_t=5.0),
)


def replay(
    curves: list[list[float]],
    entry: dict[str, Any],
    every: int,
    stop: Any = None,
) -> tuple[list[float] | None, int, list[list[float]]]:
    """The runner's early stopping on recorded curves: (fold scores or None if diverged,
    epochs trained, best-so-far per epoch per fold). ``stop(epoch, best)`` may end it."""
    k, baselines = entry["k"], entry["baselines"]
    observed: list[list[float]] = [[] for _ in range(k)]
    history: list[list[float]] = []
    since = 0
    epochs = 0
    for epoch in range(entry["max_epochs"]):
        epochs = epoch + 1
        last = epoch + 1 == entry["max_epochs"]
        if (epoch + 1) % every and not last:
            history.append([min(o) if o else math.inf for o in observed])
            continue
        improved = False
        for fold in range(k):
            if epoch >= len(curves[fold]) or not math.isfinite(curves[fold][epoch]):
                return None, epochs, history
            loss = curves[fold][epoch]
            if not observed[fold] or loss < min(observed[fold]) - 1e-7:
                improved = True
            observed[fold].append(loss)
        history.append([min(o) for o in observed])
        since = 0 if improved else since + every
        if epoch + 1 >= entry["min_epochs"] and since >= entry["patience"]:
            break
        if stop is not None and epoch + 1 >= entry["min_epochs"] and stop(epoch, history[-1]):
            break
    scores = [min(min(o), b) for o, b in zip(observed, baselines, strict=True)]
    return scores, epochs, history


def _trails(
    entry: dict[str, Any],
    default: list[list[float]],
    limit: float,
    after: float,
    epoch: int,
    best: list[float],
) -> bool:
    """Whether a challenger's best losses so far trail the default's at the same epoch by
    a corrected resampled t below ``-limit`` (both capped at the trivial predictor's),
    once ``after`` of the budget's epochs have been trained."""
    from advisor.search.stats import corrected_resampled_ttest

    if epoch + 1 < after * entry["max_epochs"]:
        return False
    baselines = entry["baselines"]
    ref = [min(v, b) for v, b in zip(default[min(epoch, len(default) - 1)], baselines, strict=True)]
    mine = [min(v, b) for v, b in zip(best, baselines, strict=True)]
    test = corrected_resampled_ttest(ref, mine, entry["test_fraction"])
    if test.t is None:
        return test.mean_improvement < 0
    return test.t < -limit


def simulate(entry: dict[str, Any], rule: Rule) -> tuple[str, dict[str, int]]:
    """(winner, epochs each candidate trained) of one recorded search under ``rule``."""
    from advisor.search.decision import decide
    from advisor.search.results import CandidateResult

    every = validation_interval(entry, rule)
    cands = entry["candidates"]
    results, epochs = [], {}
    default_history: list[list[float]] = []
    for index, c in enumerate(cands):
        stop = None
        if index and rule.trail_t is not None and default_history:
            stop = functools.partial(_trails, entry, default_history, rule.trail_t, rule.after)
        if c["status"] != "ok" and not c["curves"]:
            results.append(CandidateResult(c["key"], "", "none", c["status"], message=c["message"]))
            continue
        scores, n, history = replay(c["curves"], entry, every, stop)
        epochs[c["key"]] = n
        if index == 0:
            default_history = history
        status = "ok" if scores is not None else "failed"
        results.append(
            CandidateResult(c["key"], "", "none", status, fold_scores=tuple(scores or ()))
        )
    setup = SimpleNamespace(
        task=entry["task"], test_fraction=entry["test_fraction"], k=entry["k"], batch_size=0
    )
    candidates = tuple(SimpleNamespace(key=c["key"], complexity=c["complexity"]) for c in cands)
    result = decide(tuple(results), candidates, setup, None, "fast", 0.0)  # type: ignore[arg-type]
    return result.winner_key, epochs


def validation_interval(entry: dict[str, Any], rule: Rule) -> int:
    return rule.every if entry["steps_per_epoch"] <= SMALL_EPOCH_STEPS else 1


def packed_cost(entry: dict[str, Any], epochs: dict[str, int], every: int) -> tuple[int, int]:
    """(slot-steps trained, slot-validations) of the packed models, one per in-network
    choice, with the runner's repacking rule (`advisor.search.runner.REPACK_SLOT_STEPS`)."""
    from advisor.search.runner import REPACK_SLOT_STEPS

    k, steps, max_epochs = entry["k"], entry["steps_per_epoch"], entry["max_epochs"]
    shapes: dict[str, list[int]] = {}
    for key, n in epochs.items():
        shapes.setdefault(key.rsplit("+", 1)[1], []).append(n)
    trained = validated = 0
    for members in shapes.values():
        placed = list(members)
        for epoch in range(max_epochs):
            trained += len(placed) * k * steps
            if (epoch + 1) % every == 0 or epoch + 1 == max_epochs:
                validated += len(placed) * k
            running = [n for n in placed if n > epoch + 1]
            if not running:
                break
            freed = (len(placed) - len(running)) * k * steps * (max_epochs - epoch - 1)
            if len(running) <= len(placed) // 2 and freed >= REPACK_SLOT_STEPS:
                placed = running
    return trained, validated


def recorded_winner(results: Path, name: str, fold: int) -> str | None:
    path = results / "advisor" / f"{name}.jsonl"
    if not path.exists():
        return None
    winners = [
        r.get("winner")
        for r in map(json.loads, path.read_text().splitlines())
        if r.get("fold") == fold and r.get("advisor") == "c8c9bdd80119"
    ]
    return winners[-1] if winners else None


def table(results: Path, names: Sequence[str] | None) -> str:
    entries = []
    for path in sorted((results / "stopping").glob("*.jsonl")):
        for entry in map(json.loads, path.read_text().splitlines()):
            if names is None or entry["dataset"] in names:
                entries.append(entry)
    base = {id(e): simulate(e, RULES[0]) for e in entries}
    checks = []
    for e in entries:
        w = recorded_winner(results, e["dataset"], e["fold"])
        if w is not None:
            checks.append(f"{e['dataset']} {'=' if w == base[id(e)][0] else '≠ ' + w}")
    lines = [
        f"{len(entries)} recorded searches. 'As today' against the winner the quality "
        f"benchmark recorded (advisor c8c9bdd80119, same fold): {', '.join(checks)}",
        "",
        "| rule | candidate-epochs | packed slot-steps | packed slot-validations "
        "| searches with another winner |",
        "|---|---:|---:|---:|---|",
    ]
    today = [0, 0, 0]
    for e in entries:
        trained, validated = packed_cost(e, base[id(e)][1], 1)
        today = [today[0] + sum(base[id(e)][1].values()), today[1] + trained, today[2] + validated]
    for rule in RULES:
        totals = [0, 0, 0]
        moved = []
        for e in entries:
            winner, epochs = simulate(e, rule)
            trained, validated = packed_cost(e, epochs, validation_interval(e, rule))
            totals = [totals[0] + sum(epochs.values()), totals[1] + trained, totals[2] + validated]
            if winner != base[id(e)][0]:
                moved.append(f"{e['dataset']} ({base[id(e)][0]} → {winner})")
        cells = " | ".join(
            f"{t} ({t / max(b, 1):.2f}×)" for t, b in zip(totals, today, strict=True)
        )
        lines.append(
            f"| {rule.name} | {cells} | "
            f"{len(moved)} of {len(entries)}{': ' + ', '.join(moved) if moved else ''} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="run and record the searches")
    parser.add_argument("--half", choices=("calibration", "validation"), default=None)
    parser.add_argument("--datasets", default=None, help="comma-separated names")
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--results", default=str(RESULTS))
    args = parser.parse_args(argv)
    results = Path(args.results)
    datasets = discover(reference.DEFAULT_DATA)
    names = select(datasets, args.datasets, args.half)
    if args.record:
        order = sorted(names, key=lambda n: datasets[n].path.stat().st_size)
        record(order, datasets, results, args.fold)
    print(table(results, set(names)))


if __name__ == "__main__":
    main()
