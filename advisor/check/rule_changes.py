"""Would the rules now advise otherwise? `advise check` reruns the built-in rules on the
new data's profile: another scaler for a feature (CHK010), another in-network
normalization ranked first (CHK011)."""

from __future__ import annotations

from typing import Any

from advisor.advice.advice import Advice
from advisor.check.codes import NETWORK_FLIP, SCALER_FLIP
from advisor.check.findings import Finding, jsonable
from advisor.profiling.types import DatasetProfile
from advisor.rules.engine import apply_rules, load_rules

#: The profile fields of the target's links (`advisor.rules.target_links`): absent from an
#: advice of schema 5 and before.
LINK_FIELDS = frozenset({"target_r2", "target_r2_clipped"})


def rule_findings(
    baseline: Advice,
    base: dict[str, Any],
    profile: DatasetProfile,
    drifted: set[str],
    retyped: set[str],
) -> list[Finding]:
    """Rerun the built-in rules on the new profile; a flip on a feature that also drifted
    is a warning, on one that did not (a borderline statistic) only information. Where the
    advice uses the shapes plan (the rules without their baseline), its choices are what
    is compared."""
    # The built-in rules, less any baseline rule the advice was made without (an advice
    # from before it, or made with it disabled): its flips would be noise.
    used = {r for e in base["proposals"]["features"] for p in e["ranked"] for r in p["rules"]}
    rules = load_rules()
    absent = [r.id for r in rules.rules if r.baseline and r.id not in used]
    # An advice from before the target's links (schema 5): the rules that read them could
    # not fire then, so their flips now would be the rule's, not the data's.
    if not any(LINK_FIELDS & set(f) for f in (base.get("profile") or {}).get("features", ())):
        absent += [r.id for r in rules.rules if LINK_FIELDS & set(r.condition.fields)]
    proposals = apply_rules(profile, load_rules(disable=absent) if absent else rules)
    plan = baseline.plan
    base_top = {e["subject"]: e["ranked"][0]["choice"] for e in base["proposals"]["features"]}
    if plan.name == "shapes":
        shapes_now = dict(proposals.shapes)
        base_top = {c: plan.scaler_for(c) for c in base_top if c in plan.numeric}
    out = []
    for entry in proposals.features:
        column = entry.subject
        if column not in plan.numeric or column not in base_top or column in retyped:
            continue
        now, before = entry.top, base_top[column]
        if plan.name == "shapes":
            now = shapes_now.get(column, now)
        if now == before or (now in ("drop", "onehot") and before in ("drop", "onehot")):
            continue
        evidence = {f.rule_id: dict(f.evidence) for f in entry.findings}
        out.append(
            Finding.of(
                SCALER_FLIP,
                column,
                f"on the new data the rules propose {now} for {column!r} (the advice uses "
                f"{plan.scaler_for(column)}; the rules proposed {before} then)",
                {"now": now, "baseline": before, "rules": jsonable(evidence)},
                severity="warning" if column in drifted else "info",
            )
        )
    network_now = proposals.in_network.top
    network_before = base["proposals"]["in_network"]["ranked"][0]["choice"]
    if network_now != network_before:
        out.append(
            Finding.of(
                NETWORK_FLIP,
                None,
                f"on the new data the rules rank {network_now} first (they ranked "
                f"{network_before} first for the advice, which uses {baseline.in_network})",
                {"now": network_now, "baseline": network_before},
            )
        )
    return out
