"""The HTML report's features: one table row per feature and a card with its evidence,
runners-up and before/after histograms.

In: the advice's typed view. Out: the page's features section (every data string escaped).
"""

from __future__ import annotations

from html import escape
from typing import Any

from advisor.report import svg
from advisor.report.labels import feature_scaler_label, highlights, reason_text, scaler_label
from advisor.report.views import AdviceView, DistributionView, EntryView, FeatureView


def features_section(view: AdviceView) -> str:
    features = view.profile.by_name()
    header = (
        "<tr><th>column</th><th>kind</th><th>profile</th><th>proposed</th><th>rule</th>"
        "<th>confidence</th></tr>"
    )
    rows, cards = [], []
    for entry in view.proposals.features:
        name = entry.subject
        feature = features[name]
        top = entry.top
        rule = (top.rules or ("-",))[0]
        scaler = feature_scaler_label(top.choice, feature)
        rows.append(
            f'<tr><td><a href="#f-{_anchor(name)}">{escape(name)}</a></td>'
            f"<td>{escape(feature.kind)}</td><td>{escape(highlights(feature))}</td>"
            f"<td>{escape(scaler)}</td><td>{escape(rule)}</td>"
            f'<td class="num" data-v="{top.score!r}">{top.score:g}</td></tr>'
        )
        dist = view.distributions.get(name)
        cards.append(_feature_card(name, entry, feature, dist, opened=len(rows) <= 20))
    return (
        "<h2>Features</h2>"
        '<p class="muted">Click a header to sort; each column below has its histograms '
        "before and after its scaler, the ranked proposals and the evidence.</p>"
        '<div class="scroll"><table class="sortable">'
        f"<thead>{header}</thead><tbody>{''.join(rows)}</tbody></table></div>" + "".join(cards)
    )


def _feature_card(
    name: str,
    entry: EntryView,
    feature: FeatureView,
    dist: DistributionView | None,
    opened: bool,
) -> str:
    top = entry.top
    plots = ""
    if dist is not None:
        before = svg.histogram(dist.before.edges, dist.before.counts, "before")
        after = ""
        if dist.after:
            after = svg.histogram(
                dist.after.edges,
                dist.after.counts,
                f"after {scaler_label(dist.scaler)}",
                color=svg.PALETTE[1],
            )
        sample = " (a seeded sample of rows)" if dist.sampled else ""
        plots = f'<div class="plots">{before}{after}</div>'
        plots += f'<p class="muted">{dist.n} observed values{sample}.</p>'
    ranked = "".join(
        f"<li><code>{escape(p.choice)}</code> {escape(scaler_label(p.choice))}, "
        f"score {p.score:g}, from {escape(', '.join(p.rules) or '-')}</li>"
        for p in entry.ranked
    )
    evidence = "".join(
        f"<li>{escape(f.rule)} {escape(f.name)}: "
        + escape(", ".join(f"{k}={_fmt(v)}" for k, v in f.evidence.items()))
        + "</li>"
        for f in entry.findings
    )
    rejected = "".join(
        f"<li><code>{escape(r.choice)}</code>: {escape(r.reason)}</li>" for r in entry.rejected
    )
    why = reason_text(entry)
    is_open = " open" if opened else ""
    parts = [
        f'<details id="f-{_anchor(name)}"{is_open}><summary><h3>{escape(name)}</h3> '
        f'<span class="muted">{escape(feature.kind)} &rarr; '
        f"{escape(scaler_label(top.choice))}</span></summary>",
        f"<p>{escape(why)}</p>" if why else "",
        plots,
        f"<p>Ranked proposals:</p><ol>{ranked}</ol>",
        f"<p>Evidence (profile values each rule read):</p><ul>{evidence}</ul>" if evidence else "",
        f"<p>Ruled out:</p><ul>{rejected}</ul>" if rejected else "",
        "</details>",
    ]
    return "".join(parts)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _anchor(name: str) -> str:
    """A stable id fragment for a column name (hex of its bytes: safe in any attribute)."""
    return name.encode("utf-8").hex()
