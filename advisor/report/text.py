"""Rendering: the advice as a readable plain-text report (from its JSON form, so a saved
advice file renders the same as a fresh one)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from advisor.plan.catalog import CATALOG
from advisor.plan.plans import IN_NETWORK_LABELS


def render_text(
    data: dict[str, Any],
    timings: dict[str, float] | None = None,
    color: bool = False,
    verbose: bool = False,
) -> str:
    """The terminal report for an advice dictionary (`Advice.to_dict()`): compact by
    default, everything with ``verbose``; ANSI colors only when ``color``."""
    paint = _painter(color)
    lines: list[str] = []
    profile = data["profile"]
    settings = data["settings"]
    proposals = data["proposals"]
    advice = data["advice"]
    search = data.get("search")
    features = {f["name"]: f for f in profile["features"]}

    head = f"Normalization advice for {data.get('source') or '<data>'}"
    lines += [paint(head, bold=True), "=" * len(head)]
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

    lines.append(paint("Features", bold=True))
    table = [("column", "kind", "profile", "scaler", "rule", "conf")]
    reasons: list[tuple[str, str, str]] = []
    for entry in proposals["features"]:
        name = entry["subject"]
        feature = features[name]
        top = entry["ranked"][0]
        scaler = scaler_label(top["choice"])
        table.append(
            (
                name,
                feature["kind"],
                highlights(feature),
                scaler,
                (top["rules"] or ["-"])[0],
                f"{top['score']:g}",
            )
        )
        why = reason_text(entry)
        ranked = entry["ranked"][1:] if verbose else entry["ranked"][1:3]
        others = ", ".join(f"{scaler_label(p['choice'])} ({p['score']:g})" for p in ranked)
        reasons.append((name, why, others))
    lines += _table(table, indent="  ")
    lines.append("")
    lines.append(paint("Why", bold=True))
    for (name, why, others), entry in zip(reasons, proposals["features"], strict=True):
        if not why and not verbose:
            continue
        lines.append(f"  {name}: {why or 'no rule fired'}")
        if others:
            lines.append(f"    runners-up: {others}")
        if verbose:
            for finding in entry.get("findings", []):
                evidence = ", ".join(f"{k}={_fmt(v)}" for k, v in finding["evidence"].items())
                lines.append(f"    {finding['rule']} {finding['name']}: {evidence}")
            for rejected in entry.get("rejected", []):
                lines.append(f"    ruled out {rejected['choice']}: {rejected['reason']}")
    lines.append("")

    if proposals.get("target"):
        target = proposals["target"]
        lines.append(
            f"Target transform: {scaler_label(target['ranked'][0]['choice'])} "
            f"({reason_text(target)})"
        )
        lines.append("")

    network = proposals["in_network"]
    ranked_net = ", ".join(
        f"{p['choice']} ({p['score']:g}, {','.join(p['rules'])})" for p in network["ranked"]
    )
    lines.append(f"In-network candidates from the rules: {ranked_net}")
    lines.append("")

    if search is not None:
        lines += _search_lines(search, timings or {}, paint, verbose)
    else:
        lines.append(
            "Validation: not run. Validation needs a target: advise DATA.csv --target COLUMN"
        )
        lines.append("")

    lines.append(paint("Advice", bold=True))
    lines.append(f"  input scaling : {paint(plan_description(advice['plan']['name']), fg='green')}")
    network_label = IN_NETWORK_LABELS.get(advice["in_network"], advice["in_network"])
    lines.append(f"  in-network    : {paint(network_label, fg='green')}")
    if advice["in_network"] in ("batch", "batch_renorm"):
        lines.append(
            "                  (at inference BatchNormalization uses its moving averages: "
            "keep them)"
        )
    if advice.get("target_transform"):
        lines.append(f"  target        : {scaler_label(advice['target_transform'])}")
    lines.append(f"  validated     : {'yes' if advice['validated'] else 'no'}")
    for note in data.get("notes", []):
        lines.append(f"  note: {note}")
    return "\n".join(lines) + "\n"


def _painter(color: bool) -> Any:
    """``paint(text, fg=..., bold=...)``: ANSI styling when ``color``, else the text."""

    def paint(text: str, fg: str | None = None, bold: bool = False) -> str:
        if not color:
            return text
        import click

        return click.style(text, fg=fg, bold=bold)

    return paint


def plan_description(name: str) -> str:
    """What an input plan's name means, in words."""
    if name == "rules":
        return "the rules' plan (top proposal per feature)"
    if name == "none":
        return "no scaling of numeric features"
    from advisor.search.space import CONTROLS  # global control plans: plan name -> scaler key

    key = dict(CONTROLS)
    if name in CATALOG or name in key:
        return f"{scaler_label(key.get(name, name))} on every numeric feature"
    if name == "runner-ups":
        return "the rules' plan with the runner-up for every uncertain feature"
    if name.startswith("swap:"):
        return f"the rules' plan with {name[len('swap:') :]}"
    return name


def _search_lines(
    search: dict[str, Any], timings: dict[str, float], paint: Any, verbose: bool
) -> list[str]:
    lines = [
        f"Validation: {search['n_folds']}-fold cross-validation, score = {search['score']} "
        f"(lower is better), {search['metric']} beside it; budget {search['budget']}"
    ]
    if search.get("sample"):
        sample = search["sample"]
        lines.append(
            f"  on a seeded sample of {sample['rows']} of {sample['of']} rows, stratified by "
            f"{sample['stratified_by']}"
        )
    rows = [("candidate", "score mean ± sd", f"{search['metric']} mean ± sd", "")]
    styles: list[dict[str, Any]] = [{}]
    skipped = [c for c in search["candidates"] if c["status"] == "skipped"]
    for c in search["candidates"]:
        if c["status"] == "skipped":
            continue
        styles.append(
            {"fg": "green", "bold": True}
            if c["key"] == search["winner"]
            else {"fg": "red"}
            if c["status"] != "ok"
            else {}
        )
        mark = candidate_marks(search, c)
        if c["status"] != "ok":
            rows.append((c["key"], "failed", c["message"][:60], " ".join(mark)))
            continue
        rows.append(
            (
                c["key"],
                f"{c['mean']:.4f} ± {c['sd']:.4f}",
                metric_text(search["metric"], c),
                " ".join(mark),
            )
        )
    table = _table(rows, indent="  ")
    # _table adds a rule under the header: styles[0] is the header, then one per row.
    for n, line in enumerate(table):
        style = styles[n - 1] if n >= 2 else {}
        lines.append(paint(line, **style) if style else line)
    if verbose:
        lines.append("  Fold scores (same folds for every candidate):")
        for c in search["candidates"]:
            if c["status"] == "ok":
                folds = ", ".join(f"{v:.4f}" for v in c["fold_scores"])
                lines.append(f"    {c['key']}: {folds}")
        if search.get("comparisons"):
            lines.append(f"  Against the default {search['default']} ({search['test']}):")
            comparison_rows: list[tuple[str, ...]] = [
                ("challenger", "improvement", "fold wins", "t", "p", "p Holm", "beats default")
            ]
            for comp in search["comparisons"]:
                comparison_rows.append(
                    (
                        comp["challenger"],
                        f"{comp['mean_improvement']:+.4f}",
                        f"{comp['fold_wins']}/{search['n_folds']}",
                        t_text(comp["t"]),
                        _fmt(comp["p"]),
                        _fmt(comp["p_holm"]),
                        "yes" if beats_default(comp) else "no",
                    )
                )
            lines += _table(comparison_rows, indent="    ")
    if skipped:
        lines.append(f"  {len(skipped)} more candidates not tried: {skipped[0]['message']}.")
    lines.append(f"  Decision: {search['decision']}.")
    if "seconds" in timings:
        lines.append(f"  Search time: {timings['seconds']:.1f} s")
    lines.append("")
    return lines


def candidate_marks(search: dict[str, Any], candidate: dict[str, Any]) -> list[str]:
    """ "winner" and/or "default" for a candidate of a search dictionary."""
    marks = []
    if candidate["key"] == search["winner"]:
        marks.append("winner")
    if candidate["key"] == search["default"]:
        marks.append("default")
    return marks


def beats_default(comparison: dict[str, Any]) -> bool:
    """Whether a challenger beat the default by the search's decision rule (advice files
    written before the one-standard-error rule decided by Holm-adjusted significance)."""
    return bool(comparison.get("beats_default", comparison["significant"]))


def t_text(t: float | None) -> str:
    """A corrected resampled t statistic (None: every fold differs by the same amount)."""
    return "inf" if t is None else f"{t:.2f}"


def metric_text(metric: str, candidate: dict[str, Any]) -> str:
    """A candidate's accuracy (in percent) or R², mean ± sd over the folds."""
    mean, sd = candidate["metric_mean"], candidate["metric_sd"]
    if metric == "accuracy":
        return f"{100 * mean:.1f}% ± {100 * sd:.1f}"
    return f"{mean:.3f} ± {sd:.3f}"


def reason_text(entry: dict[str, Any]) -> str:
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


def highlights(f: dict[str, Any]) -> str:
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


def scaler_label(key: str) -> str:
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
        uses = ", ".join(f"{scaler_label(c)} ({s:g})" for c, s in rule.proposals)
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
        reason = reason_text(entry).replace("|", "\\|") or "-"
        lines.append(f"| {entry['subject']} | {ranked} | {reason} |")
    network = " > ".join(f"`{p['choice']}`" for p in proposals["in_network"]["ranked"])
    lines.append("")
    lines.append(f"In-network candidates: {network}.")
    if proposals.get("target"):
        target = proposals["target"]["ranked"][0]["choice"]
        lines.append(f"Target transform: `{target}` ({reason_text(proposals['target'])}).")
    lines.append("")
    return "\n".join(lines)
