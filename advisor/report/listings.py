"""The reference listings: `advise profile`'s table, `advise rules` (the rules and the
scaler catalog) and the Markdown rules reference that docs/build_rules_md.py writes."""

from __future__ import annotations

from typing import Any

from advisor.plan.catalog import CATALOG
from advisor.report.labels import reason_text, scaler_label
from advisor.report.layout import fmt_value, text_table
from advisor.report.views import FeatureView, ProfileView, ProposalsView

#: The columns of `advise profile`'s table (and of the profile's notebook card).
PROFILE_HEADER = (
    "column", "kind", "missing", "mean", "std", "skew", "kurt", "q01 .. q99", "far out",
    "normal p", "bounds", "flags",
)  # fmt: skip


def render_profile_text(data: dict[str, Any]) -> str:
    """The `advise profile` report: one row per column, then the dataset-level facts."""
    profile = ProfileView.from_dict(data)
    head = f"Profile of {profile.source}"
    lines = [head, "=" * len(head)]
    mode = profile.mode
    extra = (
        f"; order statistics from a {profile.sample_rows}-row sample" if mode == "streaming" else ""
    )
    lines.append(f"{profile.n_rows} rows, {len(profile.features)} columns ({mode}{extra})")
    lines.append("")
    rows: list[tuple[str, ...]] = [PROFILE_HEADER]
    rows += [profile_row(f) for f in profile.features]
    lines += text_table(rows, indent="  ")
    lines.append("")
    ratio = profile.scale_ratio
    lines.append(
        "Scales: largest std / smallest std = "
        + (f"{ratio:.3g}" if ratio is not None else "n/a")
        + f"; skewed columns {profile.share_skewed:.0%}; "
        f"outlier-heavy columns {profile.share_outlier_heavy:.0%}"
        + ("; rows look like flattened images" if profile.image_like else "")
    )
    if profile.notes:
        lines += ["", "Notes:", *(f"  - {note}" for note in profile.notes)]
    if profile.layout is not None:
        lines += ["", f"Table layout: {profile.layout.suggestion}"]
    return "\n".join(lines) + "\n"


def profile_row(f: FeatureView) -> tuple[str, ...]:
    """One column's row of `advise profile`'s table."""
    if f.kind in ("datetime", "id-like") and f.min is None:
        return (f.name, f.kind, "", "", "", "", "", "", "", "", "", "set aside")
    if f.kind == "categorical" and f.min is None:
        top = ", ".join(f"{k} ({v})" for k, v in f.top_categories[:3])
        return (f.name, f.kind, _share(f.missing_share), "", "", "", "", top,
                "", "", "", f"{f.n_distinct} distinct")  # fmt: skip
    flags = []
    if f.zero_inflated:
        flags.append("zero-inflated")
    if f.multimodal:
        flags.append("multimodal")
    if f.piles_at_bound:
        flags.append("piles at bound")
    if f.gaussian_like:
        flags.append("gaussian-like")
    if f.non_finite:
        flags.append(f"{f.non_finite} non-finite")
    return (
        f.name,
        f.kind,
        _share(f.missing_share),
        fmt_value(f.mean),
        fmt_value(f.std),
        fmt_value(f.skew),
        fmt_value(f.kurtosis),
        f"{fmt_value(f.q01)} .. {fmt_value(f.q99)}",
        _share(f.outlier_share_3),
        fmt_value(f.normality_p),
        f.bounds or "",
        ", ".join(flags),
    )


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
        uses = ", ".join(f"{scaler_label(c)} ({s:g})" for c, s in rule.proposals)
        flags = " exclusive" if rule.exclusive else (" baseline" if rule.baseline else "")
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
    return "\n".join(text_table(rows)) + "\n"


def render_rules_markdown(ruleset: Any) -> str:
    """The rules reference as Markdown (each rule: what it triggers on, why, an example)."""
    lines = ["| id | name | scope | when | proposes |", "|---|---|---|---|---|"]
    for rule in ruleset.rules:
        uses = ", ".join(f"`{c}` ({s:g})" for c, s in rule.proposals)
        excl = " (exclusive)" if rule.exclusive else (" (baseline)" if rule.baseline else "")
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


def render_proposals_markdown(name: str, data: dict[str, Any]) -> str:
    """One dataset's ranked proposals (`Proposals.to_dict()`), one line of reason per feature."""
    proposals = ProposalsView.from_dict(data)
    lines = [f"### {name}", "", "| feature | ranked proposals | reason |", "|---|---|---|"]
    for entry in proposals.features:
        ranked = " > ".join(f"`{p.choice}`" for p in entry.ranked[:4])
        reason = reason_text(entry).replace("|", "\\|") or "-"
        lines.append(f"| {entry.subject} | {ranked} | {reason} |")
    network = " > ".join(f"`{p.choice}`" for p in proposals.in_network.ranked)
    lines.append("")
    lines.append(f"In-network candidates: {network}.")
    if proposals.target:
        target = proposals.target
        lines.append(f"Target transform: `{target.top.choice}` ({reason_text(target)}).")
    lines.append("")
    return "\n".join(lines)
