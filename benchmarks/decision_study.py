"""Decision study: which rule should pick the winner among the search's candidates?

Reads the advisor's per-fold records of the quality benchmark (``benchmarks/results/
advisor/``), where each fold keeps every candidate's inner fold losses (the search's
cross-validation on the training part) and its held-out score (the reference MLP). A
decision rule maps the inner losses to a chosen candidate; its held-out score then follows
without training anything, so rules can be compared on the calibration half from one run.
The table gives each rule's mean rank among the fixed strategies (the rule counted as one
more strategy), its median regret and its losses to standardize-everything, like
``benchmarks/quality.py``.

    python benchmarks/decision_study.py --half calibration
    python benchmarks/decision_study.py --half calibration --advisor 1a2b3c4d5e6f

Only the calibration half may be studied while deciding (``benchmarks/split.json``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import quality  # noqa: E402
import reference  # noqa: E402

from advisor.search.space import FAST_NORMALIZED  # noqa: E402
from advisor.search.stats import corrected_resampled_ttest  # noqa: E402

#: inner fold losses per candidate key (the default first) -> the chosen key
Rule = Callable[[dict[str, list[float]], str], str]
TEST_FRACTION = 0.2  # 5 folds
#: The search's default candidate (records keep the candidates sorted by key): the rules'
#: plan with the baseline encoding where one fired, else the plan alone.
DEFAULT = "rules+none"
EMBEDDED = "rules+none@periodic"


def default_of(keys: Collection[str]) -> str:
    """The record's default candidate among ``keys``: the embedded plan where the
    baseline encoding fired, else the plain one (else the first key)."""
    return next((k for k in (EMBEDDED, DEFAULT) if k in keys), min(keys))


def one_se(
    default_key: str | None = None, threshold: float = 1.0, plans: Sequence[str] = ()
) -> Rule:
    """Keep the default unless a challenger's corrected t exceeds ``threshold``; among those
    passing, the lowest mean loss. ``plans``: only candidates of these plans compete."""

    def rule(inner: dict[str, list[float]], first: str) -> str:
        default = default_key or first
        if default not in inner:
            default = first
        best, best_mean = default, float(np.mean(inner[default]))
        for key, losses in inner.items():
            if key == default or (plans and key.split("+")[0] not in plans):
                continue
            test = corrected_resampled_ttest(inner[default], losses, TEST_FRACTION)
            passes = test.mean_improvement > 0 and (test.t is None or test.t > threshold)
            if passes and float(np.mean(losses)) < best_mean:
                best, best_mean = key, float(np.mean(losses))
        return best

    return rule


def lower_baseline(threshold: float = 1.0) -> Rule:
    """Two baselines: the embedded plan and the plain one; the lower mean inner loss of
    the two is the default the others must beat by one standard error."""

    def rule(inner: dict[str, list[float]], first: str) -> str:
        base = first
        if first == EMBEDDED and DEFAULT in inner:
            base = min((EMBEDDED, DEFAULT), key=lambda k: float(np.mean(inner[k])))
        return one_se(base, threshold)(
            {k: v for k, v in inner.items() if k not in (EMBEDDED, DEFAULT) or k == base}, base
        )

    return rule


def keys_only(rule: Rule, keep: Callable[[str], bool]) -> Rule:
    """``rule`` among the candidates ``keep`` accepts (and the default)."""

    def restricted(inner: dict[str, list[float]], first: str) -> str:
        return rule({k: v for k, v in inner.items() if k == first or keep(k)}, first)

    return restricted


def normalized_with(*plans: str) -> Callable[[str], bool]:
    """Keeps a candidate key without in-network normalization, or with it on ``plans``."""

    def keep(key: str) -> bool:
        plan, _, rest = key.partition("+")
        return plan in plans or not rest.startswith(("batch", "layer"))

    return keep


def lowest(plans: Sequence[str] = ()) -> Rule:
    """The lowest mean inner loss, no preference for the default."""

    def rule(inner: dict[str, list[float]], first: str) -> str:
        keys = [k for k in inner if not plans or k.split("+")[0] in plans or k == first]
        return min(keys, key=lambda k: (float(np.mean(inner[k])), k != first))

    return rule


RULES: dict[str, Rule] = {
    "one-SE, default rules (today)": one_se(),
    "one-SE, default the plain plan (periodic a challenger)": one_se(DEFAULT),
    "one-SE, default the lower of plain and periodic": lower_baseline(),
    "one-SE, BatchNorm/LayerNorm only with the rules' plan": keys_only(
        one_se(), normalized_with("rules")
    ),
    "one-SE, BatchNorm/LayerNorm with the rules' and no scaling plans (the fast budget's)": (
        keys_only(one_se(), normalized_with(*FAST_NORMALIZED))
    ),
    "one-SE, default realmlp": one_se("realmlp+none"),
    "one-SE, default realmlp, t > 0.5": one_se("realmlp+none", threshold=0.5),
    "one-SE, default realmlp, t > 1.5": one_se("realmlp+none", threshold=1.5),
    "two-SE, default realmlp": one_se("realmlp+none", threshold=2.0),
    "one-SE, default realmlp, no in-network challengers": one_se(
        "realmlp+none", plans=("rules", "realmlp", "standard", "none")
    ),
    "two-SE, default rules": one_se(threshold=2.0),
    "one-SE, no in-network challengers": one_se(plans=("rules", "realmlp", "standard", "none")),
    "lowest inner loss": lowest(),
    "fixed: rules+none": lambda inner, first: first,
    "fixed: realmlp+none": lambda inner, first: (
        "realmlp+none" if "realmlp+none" in inner else first
    ),
}


def chosen_records(records: list[dict[str, Any]], rule: Rule, name: str) -> list[dict[str, Any]]:
    """Per fold, the chosen candidate's held-out score as a record of strategy ``name``."""
    out = []
    for record in records:
        candidates = record["candidates"]
        inner = {k: v["inner"] for k, v in candidates.items() if v["status"] == "ok" and v["inner"]}
        key = rule(inner, default_of(inner))
        scored = (
            candidates[key]
            if "accuracy" in candidates[key] or "rmse" in candidates[key]
            else record
        )
        out.append({**record, **{m: scored[m] for m in ("accuracy", "rmse") if m in scored},
                    "strategy": name})  # fmt: skip
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--half", choices=("calibration", "validation"), default="calibration")
    parser.add_argument("--advisor", help="the advisor digest to read (default: the newest)")
    parser.add_argument("--results", type=Path, default=reference.RESULTS)
    args = parser.parse_args(argv)
    names = reference.load_split()[args.half]
    settings_key = reference.Reference().key()
    per_dataset: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        rows = [
            r for r in reference.read_records(args.results / "advisor" / f"{name}.jsonl")
            if r.get("candidates") and r["reference"] == settings_key
            and (args.advisor is None or r["advisor"] == args.advisor)
        ]  # fmt: skip
        if args.advisor is None and rows:
            newest = rows[-1]["advisor"]
            rows = [r for r in rows if r["advisor"] == newest]
        if rows:  # one split: the newest record's (a panel's file holds kfold records too)
            split = rows[-1].get("split", reference.KFOLD)
            rows = [r for r in rows if r.get("split", reference.KFOLD) == split]
        folds = {int(r["fold"]): r for r in rows}
        if len(folds) == reference.FOLDS:
            per_dataset[name] = [folds[f] for f in range(reference.FOLDS)]
    print(f"{len(per_dataset)} of {len(names)} {args.half} datasets have every fold recorded")
    today = RULES["one-SE, default rules (today)"]
    folds = [r for records in per_dataset.values() for r in records]
    inner = [{k: v["inner"] for k, v in r["candidates"].items() if v["inner"]} for r in folds]
    same = sum(today(i, default_of(i)) == r["winner"] for i, r in zip(inner, folds, strict=True))
    print(f"the simulated decision of today picks the advisor's own winner on {same} of "
          f"{len(folds)} folds\n")  # fmt: skip
    print("| decision rule | mean rank | median regret, cla (pt) | median regret, reg (% RMSE) "
          "| > 1 pt / 2% worse than standard | > 3 pt / 6% | best fixed: mean rank "
        "| best fixed median regret, cla / reg |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for rule_name, rule in RULES.items():
        summaries = []
        for name, records in per_dataset.items():
            fixed = [
                r for r in reference.read_records(reference.fixed_results_path(args.results, name))
                if r["reference"] == settings_key and r["file_sha256"] == records[0]["file_sha256"]
                and r.get("split", reference.KFOLD) == records[0].get("split", reference.KFOLD)
            ]  # fmt: skip
            subject = chosen_records(records, rule, "advisor")
            summaries.append(quality.summarize(name, fixed + subject, "advisor"))
        strategies = sorted({k for s in summaries for k in s.ranks})
        figures = quality.overall(summaries, strategies)
        fixed_ranks = {k: v for k, v in figures["mean_rank"].items() if k != "advisor"}
        best_fixed = min(fixed_ranks, key=fixed_ranks.__getitem__)
        fixed_regret = {
            task: min(v[task] for k, v in figures["median_regret"].items()
                      if k != "advisor" and task in v)
            for task in ("classification", "regression")
        }  # fmt: skip
        regrets = figures["median_regret"].get("advisor", {})
        small, large, total = quality.losses_to_standard(summaries, "advisor")
        print(
            f"| {rule_name} | {figures['mean_rank'].get('advisor', float('nan')):.2f} "
            f"| {regrets.get('classification', float('nan')):.2f} "
            f"| {regrets.get('regression', float('nan')):.2f} | {small} of {total} | {large} "
            f"| {best_fixed} {fixed_ranks[best_fixed]:.2f} "
            f"| {fixed_regret['classification']:.2f} / {fixed_regret['regression']:.2f} |"
        )


if __name__ == "__main__":
    main()
