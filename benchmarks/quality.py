"""Quality benchmark: does the advice beat what people use instead, on data it was not tuned to?

For each dataset (any folder with a ``targets.json`` naming target and task; by default
shared/datasets and its corpus, 58 tables) and each of 5 folds (seed 0, stratified for
classification): the advisor runs on the training part only (default budget) and a fixed
reference MLP -- independent of the advisor's own search model -- is trained on the advised
features with the advised in-network normalization and scored on the held-out part. The
same reference MLP scores the fixed strategies people use instead; those come from
`benchmarks/reference.py`, which does not import the advisor, and their per-fold results
are committed as JSONL under ``benchmarks/results/fixed/``. The advisor's per-fold results
go to ``benchmarks/results/<subject>/``, keyed by the data file's hash, the fold, the
reference settings, the budget and a digest of the advisor's code and rule files, so a run
resumes from what was committed and a code change re-scores the advisor only.

    python benchmarks/quality.py --half calibration --jobs 2     # decide changes on this half
    python benchmarks/quality.py --half validation --jobs 2      # only at the start and end
    python benchmarks/quality.py --subject rules                 # the rules' plan alone
    python benchmarks/quality.py --datasets wine,cars --output q.md

Run it from a checkout that does not change while it runs (a `git worktree` of the commit
to measure): the advisor reads its rule files at run time. The split into halves is
`benchmarks/split.json` (made once by `benchmarks/split.py`).

A dataset whose ``targets.json`` entry names ``groups`` or ``time`` (the panels) is split
by group or in time order instead (``Dataset.split``, see `benchmarks/reference.py`); the
advisor gets the same folds and its ``groups`` (or ``time_order``) option, the split is
part of the records' key (absent, as before, for kfold), and such datasets get tables of
their own beside the shuffled-fold tables, each titled with its protocol.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import reference  # noqa: E402
from reference import (  # noqa: E402
    FIXED,
    FOLDS,
    SEED,
    Dataset,
    FoldData,
    Reference,
)

ALPHA = 0.05
SUBJECTS = ("advisor", "rules")
#: The baseline "standardize everything" and the thresholds of the safety targets.
STANDARD = "standard"
LOSS_SMALL = {"classification": 1.0, "regression": 2.0}  # accuracy points, % of RMSE
LOSS_LARGE = {"classification": 3.0, "regression": 6.0}
#: The in-network normalizations the reference MLP has (the candidates it scores).
TRAINABLE = ("none", "batch", "layer")


#: Parts of the package that present or export the advice but cannot change which plan it
#: advises or how that plan transforms rows: edits there keep the advisor's results valid.
PRESENTATION = (
    "advisor/report/",
    "advisor/cli/",
    "advisor/check/",
    "advisor/export/",
    "advisor/keras_export.py",  # the deprecated re-export of advisor/export/
)


def advisor_digest(extra_rules: Sequence[str] = (), root: Path = ROOT) -> str:
    """A digest of every source and rule file the advice depends on (with the extra rule
    files of an experiment, ``--advise-rules``); the presentation modules are left out."""
    digest = hashlib.sha256()
    for extra in extra_rules:
        digest.update(Path(extra).read_bytes())
    for folder in (root / "advisor", root / "rules"):
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(root).as_posix()
            if path.suffix not in (".py", ".toml", ".json") or "__pycache__" in path.parts:
                continue
            if name.startswith(PRESENTATION):
                continue
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# ----------------------------------------------------------------------------- the subject


#: The environment's own TensorFlow settings, before the reference MLP sets its own: the
#: advisor runs in a process of its own with these (its defaults, as a user's run has
#: them), the reference MLP here with oneDNN off, as the committed fixed results were.
_USER_TF_ENV = {k: os.environ.get(k) for k in ("TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MIN_LOG_LEVEL")}
_ADVISOR_PROCESS: Any = None


def _user_tf_env(saved: dict[str, str | None]) -> None:
    """In the advisor's process: the settings this process had before any training (passed
    in: a spawned process would take its own snapshot from an environment that the
    reference MLP may have changed by then)."""
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _advisor_process() -> Any:
    """One process for every fold's advice (its compiled trainers are reused)."""
    global _ADVISOR_PROCESS
    if _ADVISOR_PROCESS is None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _ADVISOR_PROCESS = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_user_tf_env,
            initargs=(dict(_USER_TF_ENV),),
        )
        atexit.register(_ADVISOR_PROCESS.shutdown)
    return _ADVISOR_PROCESS


def run_subject(
    subject: str,
    data: FoldData,
    settings: Reference,
    budget: str,
    extra_rules: Sequence[str] = (),
) -> dict[str, Any]:
    """The advisor (or the rules' plan alone) on one fold, scored by the reference MLP."""
    x_train, y_train, x_test, _ = data.parts()
    advised = (
        _advisor_process()
        .submit(
            advise_fold,
            subject,
            x_train,
            y_train,
            x_test,
            data.frame.task,
            budget,
            extra_rules,
            # the dataset's split as the advisor's option: groups first, as in the folds
            groups=data.dataset.groups,
            time_order=data.dataset.time if data.dataset.groups is None else None,
        )
        .result()
    )
    scored = reference.train_and_score(data, advised["prepared"], settings)
    return {
        **scored[0],
        "in_network": advised["in_network"],
        "winner": advised["winner"],
        "target_transform": advised.get("target_transform"),
        "seconds": advised["seconds"],
        "candidates": {
            key: {**record, **dict(zip(advised["keys"], scored[1:], strict=True)).get(key, {})}
            for key, record in advised["candidates"].items()
        },
    }


def advise_fold(
    subject: str,
    x_train: Any,
    y_train: Any,
    x_test: Any,
    task: str,
    budget: str,
    extra_rules: Sequence[str],
    groups: str | None = None,
    time_order: str | None = None,
) -> dict[str, Any]:
    """The advice on one fold's training part (in the advisor's process): the advised and
    the validated candidates' inputs for the reference MLP, and what the search found.
    ``groups`` and ``time_order``: the advisor's options of those names (columns of
    ``x_train``; the advisor drops a group column from the features)."""
    from advisor import advise

    started = time.perf_counter()
    frame = x_train.copy()
    target = "__target__"
    frame[target] = y_train.to_numpy()
    advice = advise(
        frame,
        target=target,
        task=task,  # type: ignore[arg-type]
        budget=budget,
        seed=SEED,
        max_trials=1 if subject == "rules" else None,
        rules=list(extra_rules),
        groups=groups,
        time_order=time_order,
    )
    seconds = time.perf_counter() - started
    prepared = reference.Prepared(
        np.asarray(advice.pipeline.transform(x_train), dtype=np.float64),
        np.asarray(advice.pipeline.transform(x_test), dtype=np.float64),
        advice.in_network,
        target=advice.target_transformer,
        **encoded(advice.encoding, advice.plan),
    )
    keys, extra = (
        candidate_inputs(advice, x_train, y_train, x_test) if subject == "advisor" else ([], [])
    )
    tt = advice.target_transformer
    return {
        "prepared": [prepared, *extra],
        "keys": keys,
        "in_network": advice.in_network,
        "winner": (advice.search or {}).get("winner"),
        "target_transform": None if tt is None else tt.method,
        "seconds": round(seconds, 3),
        "candidates": candidate_records(advice),
    }


def encoded(encoding: str, plan: Any) -> dict[str, Any]:
    """How the reference MLP takes an encoded candidate: periodic embeddings of the scaled
    numbers (the first columns of the pipeline's output), or PLE inputs in a pack of
    their own; nothing for a candidate without an encoding."""
    if encoding == "periodic":
        return {"encoding": "periodic", "embedded": len(plan.numeric)}
    if encoding == "ple":
        return {"encoding": "ple"}
    return {}


def candidate_inputs(
    advice: Any, x_train: Any, y_train: Any, x_test: Any
) -> tuple[list[str], list[Any]]:
    """Every candidate the search validated, prepared for the reference MLP (each with its
    own target transform): so that the decision rule can be studied on the calibration
    half from one run (which candidate the inner folds favoured, and how it scored on the
    held-out fold)."""
    from advisor.search.space import search_space

    if advice.search_obj is None or advice.proposals_obj is None:
        return [], []
    ok = {r.key for r in advice.search_obj.candidates if r.status == "ok"}
    method = None
    if advice.target_transformer is not None:
        method = advice.search_obj.target_method or "standard"
    candidates = search_space(advice.proposals_obj, advice.budget).candidates()
    return prepared_candidates(candidates, ok, method, x_train, y_train, x_test)


def prepared_candidates(
    candidates: Sequence[Any],
    ok: set[str],
    target_method: str | None,
    x_train: Any,
    y_train: Any,
    x_test: Any,
) -> tuple[list[str], list[Any]]:
    """The search's ``candidates`` whose keys are in ``ok`` and whose in-network
    normalization the reference MLP has, each fitted on the training part (one fit per
    plan and bins) with its target transform (its own, else ``target_method``; None:
    classification): their keys, and their inputs in that order."""
    from advisor.plan.target import TargetTransformer
    from advisor.rules.autoscaler import AutoScaler

    keys, prepared = [], []
    fitted: dict[Any, Any] = {}
    for candidate in candidates:
        if candidate.key not in ok or candidate.in_network not in TRAINABLE:
            continue
        name = (candidate.plan.name, candidate.bins)
        if name not in fitted:
            pipe = AutoScaler(plan=candidate.plan, seed=SEED, bins=candidate.bins).fit(x_train)
            fitted[name] = (
                np.asarray(pipe.transform(x_train), dtype=np.float64),
                np.asarray(pipe.transform(x_test), dtype=np.float64),
            )
        keys.append(candidate.key)
        x_fit, x_held = fitted[name]
        target = None
        if target_method is not None:
            target = TargetTransformer(candidate.target or target_method).fit(y_train)
        coding = encoded(candidate.encoding, candidate.plan)
        prepared.append(reference.Prepared(x_fit, x_held, candidate.in_network, target, **coding))
    return keys, prepared


def candidate_records(advice: Any) -> dict[str, dict[str, Any]]:
    """Per candidate: the search's fold losses (inner folds of the training part); the
    reference MLP's score on the held-out fold joins them."""
    if advice.search_obj is None:
        return {}
    return {
        r.key: {"status": r.status, "inner": [round(float(v), 6) for v in r.fold_scores]}
        for r in advice.search_obj.candidates
    }


def evaluate_subject(
    dataset: Dataset,
    subject: str,
    settings: Reference,
    results: Path,
    budget: str,
    log: Callable[[str], None] = print,
    extra_rules: Sequence[str] = (),
) -> list[dict[str, Any]]:
    path = results / subject / f"{dataset.name}.jsonl"
    key = settings.key()
    code = advisor_digest(extra_rules)
    have = {subject_key(r): r for r in reference.read_records(path)}
    split = dataset.split
    wanted = [f for f in range(FOLDS) if (dataset.sha256, f, key, budget, code, split) not in have]
    if wanted:
        folds = reference.dataset_folds(dataset, settings)
        for fold in wanted:
            outcome = run_subject(subject, folds[fold], settings, budget, extra_rules)
            record = {
                "dataset": dataset.name,
                "file_sha256": dataset.sha256,
                "strategy": subject,
                "fold": fold,
                "task": dataset.task,
                "reference": key,
                **reference.split_field(dataset),
                "budget": budget,
                "advisor": code,
                "advise_rules": [Path(r).name for r in extra_rules],
                "environment": reference.environment(),
                **outcome,
            }
            reference.append_record(path, record)
            have[subject_key(record)] = record
            primary = record.get("accuracy", record.get("rmse"))
            log(f"  {dataset.name} fold {fold + 1} {subject}: {primary:.4f} "
                f"({outcome['seconds']:.1f} s, {outcome['in_network']})")  # fmt: skip
    return [have[(dataset.sha256, f, key, budget, code, split)] for f in range(FOLDS)]


def subject_key(record: dict[str, Any]) -> tuple[str, int, str, str, str, str]:
    """What a subject's record depends on; a record without ``split`` was made with kfold."""
    return (
        record["file_sha256"],
        int(record["fold"]),
        record["reference"],
        record["budget"],
        record["advisor"],
        record.get("split", reference.KFOLD),
    )


# ----------------------------------------------------------------------------- summaries


def primary(record: dict[str, Any]) -> float:
    """Higher is better: accuracy, or minus RMSE."""
    if record["task"] == "classification":
        return float(record["accuracy"])
    return -float(record["rmse"])


@dataclass
class DatasetSummary:
    dataset: str
    task: str
    means: dict[str, float]  # accuracy % or RMSE per strategy
    ranks: dict[str, float]
    regrets: dict[str, float]  # vs the best fixed strategy: accuracy points, or % of RMSE
    best_fixed: str
    versus: dict[str, str]  # baseline -> "win" | "tie" | "loss" (the subject against it)
    subject_seconds: float
    in_network: str
    split: str = reference.KFOLD


def regret(task: str, best: float, value: float) -> float:
    """How much worse than ``best``: accuracy points, or % of RMSE (means as displayed)."""
    if task == "classification":
        return best - value
    return 100.0 * (value - best) / best if best > 0 else 0.0


def summarize(dataset: str, records: list[dict[str, Any]], subject: str) -> DatasetSummary:
    task = records[0]["task"]
    by: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by.setdefault(r["strategy"], []).append(r)
    for runs in by.values():
        runs.sort(key=lambda r: r["fold"])
    names = list(by)
    scores = {n: float(np.mean([primary(r) for r in by[n]])) for n in names}
    means = {n: (100.0 * v if task == "classification" else -v) for n, v in scores.items()}
    ranked = stats.rankdata([-scores[n] for n in names], method="average")
    ranks = {n: float(r) for n, r in zip(names, ranked, strict=True)}
    fixed = [n for n in names if n not in SUBJECTS]
    best = max(fixed, key=lambda n: scores[n])
    regrets = {n: regret(task, means[best], means[n]) for n in names}
    versus: dict[str, str] = {}
    seconds = 0.0
    in_network = ""
    if subject in by:
        seconds = float(np.mean([r["seconds"] for r in by[subject]]))
        in_network = ",".join(sorted({r["in_network"] for r in by[subject]}))
        for baseline in (STANDARD, best):
            versus[baseline if baseline == STANDARD else "best"] = paired_outcome(
                by[subject], by[baseline]
            )
    split = records[0].get("split", reference.KFOLD)
    return DatasetSummary(
        dataset, task, means, ranks, regrets, best, versus, seconds, in_network, split
    )


def paired_outcome(subject: list[dict[str, Any]], baseline: list[dict[str, Any]]) -> str:
    """win / tie / loss by the corrected resampled t-test on the fold scores (two-sided,
    alpha 0.05): a tie is a difference within paired fold noise."""
    d = np.array([primary(a) - primary(b) for a, b in zip(subject, baseline, strict=True)])
    mean = float(d.mean())
    var = float(d.var(ddof=1))
    if var <= 1e-24:
        return "tie" if mean == 0 else ("win" if mean > 0 else "loss")
    ratio = (1.0 / FOLDS) / (1.0 - 1.0 / FOLDS)
    t = mean / math.sqrt((1.0 / len(d) + ratio) * var)
    p = 2.0 * float(stats.t.sf(abs(t), df=len(d) - 1))
    if p < ALPHA:
        return "win" if mean > 0 else "loss"
    return "tie"


def overall(summaries: list[DatasetSummary], strategies: Sequence[str]) -> dict[str, Any]:
    """Mean rank and median regret per strategy; the subject's outcomes and safety counts."""
    out: dict[str, Any] = {"mean_rank": {}, "median_regret": {}}
    for name in strategies:
        ranks = [s.ranks[name] for s in summaries if name in s.ranks]
        if ranks:
            out["mean_rank"][name] = float(np.mean(ranks))
        for task in ("classification", "regression"):
            values = [s.regrets[name] for s in summaries if s.task == task and name in s.regrets]
            if values:
                out["median_regret"].setdefault(name, {})[task] = float(np.median(values))
    return out


def losses_to_standard(summaries: list[DatasetSummary], subject: str) -> tuple[int, int, int]:
    """Datasets where the subject is worse than standardize-everything by more than the
    small threshold (1 point / 2% of RMSE), by more than the large one (3 / 6%), of all."""
    small = large = total = 0
    for s in summaries:
        if subject not in s.means or STANDARD not in s.means:
            continue
        total += 1
        loss = regret(s.task, s.means[STANDARD], s.means[subject])
        small += loss > LOSS_SMALL[s.task]
        large += loss > LOSS_LARGE[s.task]
    return small, large, total


def _cell(task: str, value: float) -> str:
    return f"{value:.2f}" if task == "classification" else f"{value:.4g}"


def render(summaries: list[DatasetSummary], strategies: Sequence[str], subject: str) -> str:
    """The tables of the shuffled-fold (kfold) datasets, then those of the grouped or
    time-ordered ones (the panels): each section's headings name its folds; with both,
    a last overall table of every dataset together."""
    sections = [
        [s for s in summaries if s.split == reference.KFOLD],
        [s for s in summaries if s.split != reference.KFOLD],
    ]
    out = "\n".join(render_section(part, strategies, subject) for part in sections if part)
    if subject and all(sections):
        # Every table once, whatever its folds: the figure the targets are stated on.
        out += "\n" + render_overall(summaries, strategies, subject)
    return out


def folds_label(summaries: list[DatasetSummary]) -> str:
    return "folds: " + ", ".join(sorted({s.split for s in summaries}))


def _name(s: DatasetSummary) -> str:
    """The dataset's row label: with its folds where they are not kfold."""
    return s.dataset if s.split == reference.KFOLD else f"{s.dataset} ({s.split})"


def render_section(summaries: list[DatasetSummary], strategies: Sequence[str], subject: str) -> str:
    if not subject:
        return render_fixed(summaries, strategies)
    lines = [
        f"#### Per dataset, {folds_label(summaries)} (classification: accuracy %; regression: "
        "RMSE in target units)\n"
    ]
    head = " | ".join(strategies)
    lines.append(
        f"| dataset | {head} | {subject} rank | regret | vs standard | vs best | best fixed "
        f"| {subject} s/fold | in-network |"
    )
    lines.append("|" + "---|" * (len(strategies) + 8))
    for s in summaries:
        cells = []
        for name in strategies:
            value = s.means.get(name)
            text = "" if value is None else _cell(s.task, value)
            if name == s.best_fixed:
                text = f"**{text}**"
            cells.append(text)
        r = s.regrets.get(subject)
        reg = "" if r is None else (f"{r:+.2f} pt" if s.task == "classification" else f"{r:+.1f}%")
        lines.append(
            f"| {_name(s)} | " + " | ".join(cells)
            + f" | {s.ranks.get(subject, '')} | {reg} | {s.versus.get(STANDARD, '')}"
            + f" | {s.versus.get('best', '')} | {s.best_fixed} | {s.subject_seconds:.1f}"
            + f" | {s.in_network} |"
        )  # fmt: skip
    lines.append("")
    lines.append(render_overall(summaries, strategies, subject))
    return "\n".join(lines) + "\n"


def render_fixed(summaries: list[DatasetSummary], strategies: Sequence[str]) -> str:
    """The fixed strategies alone (``--subject none``): scores per dataset, the best in bold."""
    lines = [
        f"#### Per dataset, {folds_label(summaries)}\n",
        "| dataset | task | " + " | ".join(strategies) + " | best |",
        "|" + "---|" * (len(strategies) + 3),
    ]
    for s in summaries:
        cells = []
        for name in strategies:
            text = _cell(s.task, s.means[name])
            cells.append(f"**{text}**" if name == s.best_fixed else text)
        lines.append(f"| {_name(s)} | {s.task[:3]} | " + " | ".join(cells) + f" | {s.best_fixed} |")
    lines.append("")
    lines.append(render_overall(summaries, strategies, ""))
    return "\n".join(lines) + "\n"


def render_overall(summaries: list[DatasetSummary], strategies: Sequence[str], subject: str) -> str:
    figures = overall(summaries, strategies)
    n_cls = sum(s.task == "classification" for s in summaries)
    n_reg = len(summaries) - n_cls
    lines = [
        f"#### Overall, {folds_label(summaries)} ({len(summaries)} datasets: {n_cls} "
        f"classification, {n_reg} regression)\n",
        "| strategy | mean rank | median regret, classification (pt) | median regret, "
        "regression (% RMSE) |",
        "|---|---:|---:|---:|",
    ]
    for name, rank in sorted(figures["mean_rank"].items(), key=lambda kv: kv[1]):
        regrets = figures["median_regret"].get(name, {})
        cls = regrets.get("classification")
        reg = regrets.get("regression")
        label = f"**{name}**" if name == subject else name
        lines.append(
            f"| {label} | {rank:.2f} | {'' if cls is None else f'{cls:.2f}'} "
            f"| {'' if reg is None else f'{reg:.2f}'} |"
        )
    lines.append("")
    for baseline, title in ((STANDARD, "standardize everything"), ("best", "the best fixed")):
        outcomes = [s.versus.get(baseline) for s in summaries if baseline in s.versus]
        if outcomes:
            w, t, l_ = (outcomes.count(k) for k in ("win", "tie", "loss"))
            lines.append(
                f"- {subject} vs {title}: {w} wins, {t} ties, {l_} losses (corrected "
                "resampled t-test on the 5 fold scores, two-sided, alpha 0.05)"
            )
    small, large, total = losses_to_standard(summaries, subject)
    if total:
        lines.append(
            f"- {subject} worse than standardize-everything by more than 1 point / 2% of RMSE "
            f"on {small} of {total} datasets ({100.0 * small / total:.1f}%), by more than "
            f"3 points / 6% on {large}"
        )
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- harness


def committed_fixed(dataset: Dataset, settings: Reference, results: Path) -> list[dict[str, Any]]:
    """The fixed strategies' records already in the results file (none are computed)."""
    key = settings.key()
    wanted = {s.name for s in FIXED}
    return [
        r
        for r in reference.read_records(reference.fixed_results_path(results, dataset.name))
        if r["file_sha256"] == dataset.sha256
        and r["reference"] == key
        and r["strategy"] in wanted
        and r.get("split", reference.KFOLD) == dataset.split
    ]


def _job(
    dataset: Dataset,
    subject: str | None,
    budget: str,
    results: str,
    quiet: bool,
    compute_fixed: bool = True,
    extra_rules: tuple[str, ...] = (),
) -> tuple[str, list[dict[str, Any]]]:
    log = (lambda _m: None) if quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    settings = Reference()
    started = time.perf_counter()
    if compute_fixed:
        records = reference.evaluate_fixed(dataset, FIXED, settings, Path(results), log=log)
    else:
        records = committed_fixed(dataset, settings, Path(results))
    if subject is not None:
        records += evaluate_subject(
            dataset, subject, settings, Path(results), budget, log, extra_rules
        )
    log(f"{dataset.name}: {time.perf_counter() - started:.0f} s")
    return dataset.name, records


def _passthrough(args: argparse.Namespace, datasets: list[str]) -> list[str]:
    """The command-line options of a job over ``datasets`` (`main` with ``--jobs``)."""
    out = ["--datasets", ",".join(datasets), "--subject", args.subject]
    out += ["--budget", args.budget, "--results", str(args.results)]
    for folder in args.data or ():
        out += ["--data", str(folder)]
    for rules in args.advise_rules:
        out += ["--advise-rules", rules]
    if args.no_fixed:
        out.append("--no-fixed")
    if args.quiet:
        out.append("--quiet")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", action="append", type=Path,
                        help="a folder with a targets.json (repeatable; default: "
                        "shared/datasets and shared/datasets/corpus)")  # fmt: skip
    parser.add_argument("--datasets", help="comma-separated subset of the datasets' names")
    parser.add_argument("--half", choices=("calibration", "validation"))
    parser.add_argument(
        "--subject",
        choices=(*SUBJECTS, "none"),
        default="advisor",
        help="compared with the fixed strategies: the advisor (rules + search), the rules' "
        "plan alone, or none (fixed strategies only)",
    )
    parser.add_argument("--budget", default="fast", help="the advisor's search budget")
    parser.add_argument("--results", type=Path, default=reference.RESULTS)
    parser.add_argument("--jobs", type=int, default=1, help="datasets in parallel processes")
    parser.add_argument("--output", help="also write the markdown tables to this file")
    parser.add_argument(
        "--no-fixed",
        action="store_true",
        help="score only the subject; tables use the fixed strategies' committed results "
        "(datasets whose fixed results are incomplete are left out of the tables)",
    )
    parser.add_argument(
        "--advise-rules",
        action="append",
        default=[],
        metavar="FILE",
        help="an experiment: extra rule files (TOML) given to the advisor; they are part of "
        "the results' key (repeatable)",
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    extra_rules = tuple(str(Path(r).resolve()) for r in args.advise_rules)
    datasets = reference.discover(args.data or reference.DEFAULT_DATA)
    names = reference.select(datasets, args.datasets, args.half)
    subject = None if args.subject == "none" else args.subject
    started = time.perf_counter()
    jobs = [
        (
            datasets[n],
            subject,
            args.budget,
            str(args.results),
            args.quiet,
            not args.no_fixed,
            extra_rules,
        )
        for n in names
    ]
    # The largest tables first, so the parallel jobs finish together.
    jobs.sort(key=lambda job: -job[0].path.stat().st_size)
    if args.jobs > 1:
        # Each share of the datasets (the largest first, dealt in turn) in a process of
        # its own, which starts the advisor's own process as a single job does (a pool's
        # workers are daemonic or, with one task each, hang on exit with that process);
        # then this process reads every record back.
        shares = [[job[0].name for job in jobs[i :: args.jobs]] for i in range(args.jobs)]
        children = [
            subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), *_passthrough(args, share)],
                stdout=subprocess.DEVNULL,
            )
            for share in shares
            if share
        ]
        if any(child.wait() for child in children):
            sys.exit("a job failed: see its lines above")
    results = dict(_job(*job) for job in jobs)
    strategies = [s.name for s in FIXED] + ([subject] if subject else [])
    complete = [
        n
        for n in names
        if all(sum(r["strategy"] == s for r in results[n]) == FOLDS for s in strategies)
    ]
    left_out = [n for n in names if n not in complete]
    if left_out:
        print(f"left out (fixed results incomplete): {', '.join(left_out)}", file=sys.stderr)
    names = complete
    summaries = [summarize(n, results[n], subject or "") for n in names]
    text = render(summaries, strategies, subject or "")
    elapsed = time.perf_counter() - started
    text += (
        f"\nReference MLP: {json.dumps(Reference().__dict__)} (key {Reference().key()}); "
        f"advisor {advisor_digest(extra_rules)}, budget {args.budget}; wall time {elapsed:.0f} s\n"
    )
    print(text)
    if args.output:
        Path(args.output).write_text(text)


if __name__ == "__main__":
    main()
