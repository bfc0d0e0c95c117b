"""Where the search chose a numeric encoding, which features it encoded and why.

From the committed advisor records of one advisor digest (nothing is trained): for each
dataset where at least one outer fold's search chose an encoded candidate (a winner key
ending ``@ple`` or ``@periodic``), the folds that did, and -- from the rules alone on the
whole table without its target (the profile and rule engine; no search) -- for how many
numbers the rules proposed that encoding and which encoding rules fired on them (a
periodic embedding, once chosen, embeds every number of the plan; PLE bins the numbers
it was proposed for), with the evidence
each rule used (summarised: e.g. "NRM300 on 5 (tail ratio 1.7-15)").

    python benchmarks/encoding_reasons.py --advisor c7ae94075dc7
    python benchmarks/encoding_reasons.py --advisor c7ae94075dc7 --half calibration
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import reference  # noqa: E402

#: The evidence field each encoding rule's summary shows (its range over the columns).
SHOWN = {
    "NRM300": "tail_ratio",
    "NRM301": "bimodality",
    "NRM302": "n_distinct",
    "NRM303": "n_distinct",
}


def encoding_of(winner: str) -> str:
    """``ple``, ``periodic`` or ``none``: the encoding a winner key names."""
    for kind in ("ple", "periodic"):
        if winner.endswith("@" + kind):
            return kind
    return "none"


def winners(results: Path, dataset: str, digest: str) -> list[str]:
    """The winner of each outer fold's search, in fold order."""
    records = reference.read_records(results / "advisor" / f"{dataset}.jsonl")
    chosen = sorted((r["fold"], r["winner"]) for r in records if r["advisor"] == digest)
    return [w for _, w in chosen]


def _number(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:.3g}"


def rule_summary(dataset: reference.Dataset, kind: str) -> tuple[int, int, str]:
    """(numbers ``kind`` was proposed for, numbers, "rule on n (field a-b)" for each rule)."""
    from advisor.api import advise

    frame = reference.read_frame(dataset)
    features = frame.features.drop(columns=[c for c in (dataset.groups,) if c])
    proposals = advise(features).to_dict()["proposals"]
    encoded = 0
    fired: Counter[str] = Counter()
    values: dict[str, list[float]] = defaultdict(list)
    for entry in proposals.get("encodings", []):
        if not any(choice["choice"] == kind for choice in entry["ranked"]):
            continue
        encoded += 1
        for finding in entry["findings"]:
            rule = finding["rule"]
            fired[rule] += 1
            field = SHOWN.get(rule)
            value = finding["evidence"].get(field) if field else None
            if value is not None:
                values[rule].append(float(value))
    parts = []
    for rule in sorted(fired):
        seen = values.get(rule)
        span = ""
        if seen:
            low, high = min(seen), max(seen)
            span = f" ({SHOWN[rule]} {_number(low)}" + (
                f"-{_number(high)})" if high != low else ")"
            )
        parts.append(f"{rule} on {fired[rule]}{span}")
    return encoded, len(frame.numeric), "; ".join(parts)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisor", required=True, help="the advisor digest of the records")
    parser.add_argument("--half", choices=("calibration", "validation"))
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    shared = ROOT.parent / "shared" / "datasets"
    datasets = reference.discover([shared, shared / "corpus"])
    names = reference.select(datasets, None, args.half)
    print("| dataset | folds encoded | encoding | proposed for | why (encoding rules fired) |")
    print("|---|---|---|---|---|")
    for name in names:
        chosen = [encoding_of(w) for w in winners(args.results, name, args.advisor)]
        kinds = Counter(k for k in chosen if k != "none")
        if not kinds:
            continue
        kind, count = kinds.most_common(1)[0]
        encoded, numbers, why = rule_summary(datasets[name], kind)
        others = ", ".join(f"{k} {n}" for k, n in kinds.items() if k != kind)
        folds = f"{count}/{len(chosen)}" + (f" ({others})" if others else "")
        print(f"| {name} | {folds} | {kind} | {encoded} of {numbers} | {why} |")


if __name__ == "__main__":
    main()
