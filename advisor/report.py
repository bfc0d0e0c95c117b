"""Rendering: the advice as a readable plain-text report (from its JSON form, so a saved
advice file renders the same as a fresh one)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from advisor.catalog import CATALOG
from advisor.plan import IN_NETWORK_LABELS


def render_text(data: dict[str, Any], timings: dict[str, float] | None = None) -> str:
    """The terminal report for an advice dictionary (`Advice.to_dict()`)."""
    lines: list[str] = []
    profile = data["profile"]
    settings = data["settings"]
    proposals = data["proposals"]
    advice = data["advice"]
    search = data.get("search")
    features = {f["name"]: f for f in profile["features"]}

    head = f"Normalization advice for {data.get('source') or '<data>'}"
    lines += [head, "=" * len(head)]
    shape = (
        f"{profile['n_rows']} rows; {profile['n_numeric']} numeric and "
        f"{profile['n_categorical']} categorical feature columns"
    )
    if settings.get("target"):
        task = settings["task"]
        extra = f", {profile['n_classes']} classes" if task == "classification" else ""
        shape += f"; target {settings['target']!r} ({task}{extra})"
    else:
        shape += "; no target"
    lines.append(shape)
    if profile.get("excluded"):
        lines.append(f"Set aside by the loader: {', '.join(profile['excluded'])}")
    lines.append("")

    lines.append("Features")
    table = [("column", "kind", "profile", "scaler", "rules")]
    reasons: list[tuple[str, str, str]] = []
    for entry in proposals["features"]:
        name = entry["subject"]
        feature = features[name]
        top = entry["ranked"][0]
        scaler = _scaler_label(top["choice"])
        table.append(
            (name, feature["kind"], _highlights(feature), scaler, (top["rules"] or ["-"])[0])
        )
        why = _reason(entry)
        others = ", ".join(
            f"{_scaler_label(p['choice'])} ({p['score']:g})" for p in entry["ranked"][1:3]
        )
        reasons.append((name, why, others))
    lines += _table(table, indent="  ")
    lines.append("")
    lines.append("Why")
    for name, why, others in reasons:
        if not why:
            continue
        lines.append(f"  {name}: {why}")
        if others:
            lines.append(f"    runners-up: {others}")
    lines.append("")

    if proposals.get("target"):
        target = proposals["target"]
        lines.append(
            f"Target transform: {_scaler_label(target['ranked'][0]['choice'])} ({_reason(target)})"
        )
        lines.append("")

    network = proposals["in_network"]
    ranked = ", ".join(
        f"{p['choice']} ({p['score']:g}, {','.join(p['rules'])})" for p in network["ranked"]
    )
    lines.append(f"In-network candidates from the rules: {ranked}")
    lines.append("")

    if search is not None:
        lines += _search_lines(search, timings or {})
    else:
        lines.append(
            "Validation: not run. Validation needs a target: advise DATA.csv --target COLUMN"
        )
        lines.append("")

    lines.append("Advice")
    plan_name = advice["plan"]["name"]
    plan_text = {
        "rules": "the rules' plan (top proposal per feature, above)",
        "standard": "standardize every numeric feature",
        "none": "no scaling of numeric features",
    }.get(plan_name, plan_name)
    lines.append(f"  input scaling : {plan_text}")
    lines.append(
        f"  in-network    : {IN_NETWORK_LABELS.get(advice['in_network'], advice['in_network'])}"
    )
    if advice.get("target_transform"):
        lines.append(f"  target        : {_scaler_label(advice['target_transform'])}")
    lines.append(f"  validated     : {'yes' if advice['validated'] else 'no'}")
    for note in data.get("notes", []):
        lines.append(f"  note: {note}")
    return "\n".join(lines) + "\n"


def _search_lines(search: dict[str, Any], timings: dict[str, float]) -> list[str]:
    lines = [
        f"Validation: {search['n_folds']}-fold cross-validation, score = {search['score']} "
        f"(lower is better), {search['metric']} beside it; budget {search['budget']}"
    ]
    rows = [("candidate", "score mean ± sd", f"{search['metric']} mean ± sd", "")]
    skipped = [c for c in search["candidates"] if c["status"] == "skipped"]
    for c in search["candidates"]:
        if c["status"] == "skipped":
            continue
        mark = []
        if c["key"] == search["winner"]:
            mark.append("winner")
        if c["key"] == search["default"]:
            mark.append("default")
        if c["status"] != "ok":
            rows.append((c["key"], "failed", c["message"][:60], " ".join(mark)))
            continue
        metric = c["metric_mean"]
        metric_sd = c["metric_sd"]
        if search["metric"] == "accuracy":
            metric_text = f"{100 * metric:.1f}% ± {100 * metric_sd:.1f}"
        else:
            metric_text = f"{metric:.3f} ± {metric_sd:.3f}"
        rows.append((c["key"], f"{c['mean']:.4f} ± {c['sd']:.4f}", metric_text, " ".join(mark)))
    lines += _table(rows, indent="  ")
    if skipped:
        lines.append(f"  {len(skipped)} more candidates not tried: {skipped[0]['message']}.")
    lines.append(f"  Decision: {search['decision']}.")
    if "seconds" in timings:
        lines.append(f"  Search time: {timings['seconds']:.1f} s")
    lines.append("")
    return lines


def _reason(entry: dict[str, Any]) -> str:
    top = entry["ranked"][0]
    findings = {f["rule"]: f for f in entry.get("findings", [])}
    if not top["rules"] or top["rules"][0] not in findings:
        return ""
    first = findings[top["rules"][0]]
    evidence = ", ".join(f"{k}={_fmt(v)}" for k, v in first["evidence"].items())
    text = f"{first['rule']} {first['name']}: {evidence} -> {top['choice']}"
    if len(top["rules"]) > 1:
        text += f" (also {', '.join(top['rules'][1:])})"
    return text


def _highlights(f: dict[str, Any]) -> str:
    if f["kind"] == "categorical":
        text = f"{f['n_distinct']} categories"
        return text + (f", {f['missing_share']:.0%} missing" if f["missing"] else "")
    if f["count"] == 0:
        return "no finite values"
    parts = [f"[{_fmt(f['min'])}, {_fmt(f['max'])}]"]
    if f.get("skew") is not None:
        parts.append(f"skew {f['skew']:+.2f}")
    if f.get("kurtosis") is not None:
        parts.append(f"kurt {f['kurtosis']:+.1f}")
    if f.get("outlier_share_3"):
        parts.append(f"{f['outlier_share_3']:.1%} far out")
    if f.get("zero_share") and f["zero_share"] >= 0.2:
        parts.append(f"{f['zero_share']:.0%} zeros")
    if f.get("missing_share"):
        parts.append(f"{f['missing_share']:.0%} missing")
    return ", ".join(parts)


def _scaler_label(key: str) -> str:
    if key == "onehot":
        return "one-hot"
    spec = CATALOG.get(key)
    return spec.label if spec else key


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return f"{value:.4g}"
    return str(value)


def _table(rows: Sequence[tuple[str, ...]], indent: str = "") -> list[str]:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [str(c).ljust(w) for c, w in zip(row, widths, strict=True)]
        out.append((indent + "  ".join(cells)).rstrip())
        if n == 0:
            out.append(indent + "  ".join("-" * w for w in widths))
    return out


def render_profile_text(profile: dict[str, Any]) -> str:
    """The `advise profile` report: one row per column, then the dataset-level facts."""
    head = f"Profile of {profile['source']}"
    lines = [head, "=" * len(head)]
    mode = profile.get("mode", "in-memory")
    extra = (
        f"; order statistics from a {profile['sample_rows']}-row sample"
        if mode == "streaming"
        else ""
    )
    lines.append(f"{profile['n_rows']} rows, {len(profile['features'])} columns ({mode}{extra})")
    lines.append("")
    rows: list[tuple[str, ...]] = [
        ("column", "kind", "missing", "mean", "std", "skew", "kurt", "q01 .. q99", "far out",
         "normal p", "bounds", "flags"),
    ]  # fmt: skip
    for f in profile["features"]:
        if f["kind"] in ("categorical", "datetime", "id-like") and f.get("min") is None:
            top = ", ".join(f"{k} ({v})" for k, v in f.get("top_categories", [])[:3])
            rows.append((f["name"], f["kind"], _share(f["missing_share"]), "", "", "", "", top,
                         "", "", "", f"{f['n_distinct']} distinct"))  # fmt: skip
            continue
        flags = []
        if f.get("zero_inflated"):
            flags.append("zero-inflated")
        if f.get("multimodal"):
            flags.append("multimodal")
        if f.get("piles_at_bound"):
            flags.append("piles at bound")
        if f.get("gaussian_like"):
            flags.append("gaussian-like")
        if f.get("non_finite"):
            flags.append(f"{f['non_finite']} non-finite")
        rows.append(
            (
                f["name"],
                f["kind"],
                _share(f["missing_share"]),
                _fmt(f.get("mean")),
                _fmt(f.get("std")),
                _fmt(f.get("skew")),
                _fmt(f.get("kurtosis")),
                f"{_fmt(f.get('q01'))} .. {_fmt(f.get('q99'))}",
                _share(f.get("outlier_share_3")),
                _fmt(f.get("normality_p")),
                f.get("bounds") or "",
                ", ".join(flags),
            )
        )
    lines += _table(rows, indent="  ")
    lines.append("")
    ratio = profile.get("scale_ratio")
    lines.append(
        "Scales: largest std / smallest std = "
        + (f"{ratio:.3g}" if ratio is not None else "n/a")
        + f"; skewed columns {profile['share_skewed']:.0%}; "
        f"outlier-heavy columns {profile['share_outlier_heavy']:.0%}"
        + ("; rows look like flattened images" if profile.get("image_like") else "")
    )
    return "\n".join(lines) + "\n"


def _share(value: float | None) -> str:
    if value is None:
        return ""
    return "0" if value == 0 else f"{100 * value:.1f}%"


def render_rules_text(ruleset: Any, scope: str | None = None) -> str:
    """`advise rules`: every rule with its condition, proposals and three-part rationale."""
    lines = []
    for rule in ruleset.rules:
        if scope is not None and rule.scope != scope:
            continue
        uses = ", ".join(f"{_scaler_label(c)} ({s:g})" for c, s in rule.proposals)
        flags = " exclusive" if rule.exclusive else ""
        lines.append(f"{rule.id} {rule.name}  [{rule.scope}, {rule.status}{flags}]")
        lines.append(f"  when     {rule.condition.text}")
        lines.append(f"  propose  {uses}")
        lines.append(f"  triggers {rule.rationale.triggers}")
        lines.append(f"  why      {rule.rationale.why}")
        lines.append(f"  example  {rule.rationale.example}")
        if rule.note:
            lines.append(f"  note     {rule.note}")
        lines.append("")
    if ruleset.overrides:
        lines.append("Overrides from rule files:")
        for column, choice in ruleset.overrides.items():
            lines.append(f"  {column} = {choice}")
    return "\n".join(lines)


def render_catalog_text() -> str:
    """`advise rules --scalers`: the scaler keys usable in rules and --scaler."""
    rows: list[tuple[str, ...]] = [("key", "what", "keras export")]
    for key, spec in CATALOG.items():
        rows.append((key, spec.label, "yes" if spec.keras_export else "no"))
    return "\n".join(_table(rows)) + "\n"


def render_rules_markdown(ruleset: Any) -> str:
    """The rules reference as Markdown (each rule: what it triggers on, why, an example)."""
    lines = ["| id | name | scope | when | proposes |", "|---|---|---|---|---|"]
    for rule in ruleset.rules:
        uses = ", ".join(f"`{c}` ({s:g})" for c, s in rule.proposals)
        excl = " (exclusive)" if rule.exclusive else ""
        lines.append(
            f"| {rule.id} | {rule.name} | {rule.scope} | `{rule.condition.text}` | {uses}{excl} |"
        )
    lines.append("")
    for rule in ruleset.rules:
        lines.append(f"### {rule.id} {rule.name}")
        lines.append("")
        lines.append(f"*Status {rule.status}, scope {rule.scope}.* When `{rule.condition.text}`.")
        lines.append("")
        lines.append(f"- **Triggers on:** {rule.rationale.triggers}")
        lines.append(f"- **Why:** {rule.rationale.why}")
        lines.append(f"- **Example:** {rule.rationale.example}")
        if rule.note:
            lines.append(f"- **Note:** {rule.note}")
        lines.append("")
    return "\n".join(lines)


def render_proposals_markdown(name: str, proposals: dict[str, Any]) -> str:
    """One dataset's ranked proposals, one line of reason per feature."""
    lines = [f"### {name}", "", "| feature | ranked proposals | reason |", "|---|---|---|"]
    for entry in proposals["features"]:
        ranked = " > ".join(f"`{p['choice']}`" for p in entry["ranked"][:4])
        reason = _reason(entry).replace("|", "\\|") or "-"
        lines.append(f"| {entry['subject']} | {ranked} | {reason} |")
    network = " > ".join(f"`{p['choice']}`" for p in proposals["in_network"]["ranked"])
    lines.append("")
    lines.append(f"In-network candidates: {network}.")
    if proposals.get("target"):
        target = proposals["target"]["ranked"][0]["choice"]
        lines.append(f"Target transform: `{target}` ({_reason(proposals['target'])}).")
    lines.append("")
    return "\n".join(lines)
