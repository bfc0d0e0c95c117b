"""The Markdown report, for pull-request comments and CI summaries: the advice, the search
table and one row per feature, rendered from the advice's JSON form."""

from __future__ import annotations

from typing import Any

from advisor.network import norms
from advisor.report.labels import (
    candidate_marks,
    encoding_label,
    evidence_sentence,
    feature_scaler_label,
    highlights,
    metric_text,
    plan_description,
    reason_text,
    scaler_label,
    score_text,
    split_sentence,
)
from advisor.report.layout import escape_markdown
from advisor.report.search_view import SearchView
from advisor.report.views import AdviceView


def render_markdown(data: dict[str, Any]) -> str:
    """Markdown for an advice dictionary (`Advice.to_dict()`)."""
    view = AdviceView.from_dict(data)
    profile, settings, proposals, search = view.profile, view.settings, view.proposals, view.search
    lines = [f"## Normalization advice for `{_code(view.source or '<data>')}`", ""]
    shape = (
        f"{profile.n_rows} rows, {profile.n_numeric} numeric and "
        f"{profile.n_categorical} categorical features"
    )
    if settings.target:
        shape += f"; target `{_code(settings.target)}` ({settings.task})"
    else:
        shape += "; no target, so the plan is the rules' and not validated"
    lines += [shape + f"; seed {settings.seed}, budget {settings.budget}.", ""]

    lines += ["| | advice |", "|---|---|"]
    lines.append(f"| input scaling | {_text(plan_description(view.plan_name))} |")
    network = norms.label(view.in_network)
    lines.append(f"| in-network | {_text(network)} |")
    if view.encoding != "none":
        label = encoding_label(view.encoding, view.encoded_columns)
        lines.append(f"| encoding | {_text(label)} |")
    if view.target_transform:
        lines.append(f"| target | {_text(scaler_label(view.target_transform))} |")
    lines.append(f"| validated | {'yes' if view.validated else 'no'} |")
    lines.append("")
    if search is not None:
        lines += [f"**Decision:** {_text(search.decision)}.", ""]
        lines += _search_table(search, view.dropped)
    lines += ["### Features", ""]
    lines += [
        "| column | kind | profile | scaler | rule | confidence | why |",
        "|---|---|---|---|---|---:|---|",
    ]
    features = profile.by_name()
    for entry in proposals.features:
        name = entry.subject
        top = entry.top
        feature = features[name]
        scaler = feature_scaler_label(top.choice, feature)
        lines.append(
            f"| {_text(name)} | {feature.kind} | {_text(highlights(feature))} "
            f"| {_text(scaler)} | {(top.rules or ('-',))[0]} "
            f"| {top.score:g} | {_text(reason_text(entry)) or '-'} |"
        )
    lines.append("")
    if proposals.target:
        target = proposals.target
        lines += [
            f"Target transform: {_text(scaler_label(target.top.choice))} "
            f"({_text(reason_text(target))}).",
            "",
        ]
    for note in view.notes:
        lines.append(f"- note: {_text(str(note))}")
    if view.notes:
        lines.append("")
    lines += _layout_lines(view)
    lines.append(f"<sub>normalization-advisor {view.advisor_version}</sub>")
    return "\n".join(lines) + "\n"


def _layout_lines(view: AdviceView) -> list[str]:
    """The table layout's suggestion (a panel or a time series), when there is one."""
    if view.layout_suggestion is None:
        return []
    return [f"**Table layout:** {_text(view.layout_suggestion)}", ""]


def _search_table(search: SearchView, dropped: tuple[str, ...]) -> list[str]:
    metric = search.metric
    evidence = evidence_sentence(search)
    lines = [
        f"{search.n_folds}-fold cross-validation; score: {_text(search.score)} "
        "(lower is better)." + (f" {_text(evidence)}" if evidence else ""),
        "",
        _text(split_sentence(search, dropped)),
        "",
        f"| candidate | score mean ± sd | {metric} mean ± sd | |",
        "|---|---:|---:|---|",
    ]
    for c in search.candidates:
        if c.status == "skipped":
            continue
        tags = [f"**{m}**" if m == "winner" else m for m in candidate_marks(search, c)]
        if c.status == "eliminated":
            tags.append(f"eliminated ({_text(c.message)})")
        elif c.status != "ok":
            lines.append(f"| {_text(c.key)} | failed | {_text(c.message[:80])} | |")
            continue
        value = metric_text(metric, c)
        lines.append(f"| {_text(c.key)} | {score_text(c)} | {value} | {' '.join(tags)} |")
    lines.append("")
    return lines


_text = escape_markdown


def _code(value: str) -> str:
    """Inside backticks only a backtick needs care; HTML is inert there."""
    return value.replace("`", "'").replace("\n", " ")
