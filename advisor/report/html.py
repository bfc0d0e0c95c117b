"""The HTML report: one self-contained page (inline CSS, inline SVG charts, a few lines of
inline script; nothing fetched from the network), rendered from the advice's JSON form so a
saved advice file renders the same page. Every string that comes from the data is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from advisor.network import norms
from advisor.report import svg
from advisor.report.html_features import features_section
from advisor.report.labels import (
    candidate_marks,
    comparison_text,
    encoding_label,
    evidence_sentence,
    fold_scores_text,
    metric_text,
    plan_description,
    reason_text,
    scaler_label,
    split_sentence,
)
from advisor.report.search_view import CandidateView, SearchView
from advisor.report.views import AdviceView
from advisor.search.words import SE_RULE, standard_error, t_text, to_noise

_CSS = """
:root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --accent:#dd7722; --bg:#ffffff;
        --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
       background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px;
     border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0; display: inline; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { background: var(--soft); cursor: pointer; user-select: none; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { background: var(--soft); padding: 0 4px; border-radius: 4px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
.advice { border-left: 4px solid var(--accent); }
.advice dt { font-weight: 600; float: left; width: 140px; } .advice dd { margin: 0 0 4px 150px; }
details { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 6px 12px; }
details[open] { padding-bottom: 12px; }
summary { cursor: pointer; }
.plots { display: flex; gap: 16px; flex-wrap: wrap; margin: 8px 0; }
.scroll { overflow-x: auto; max-width: 100%; }
@media (max-width: 600px) {
  body { padding: 12px; }
  .advice dt { float: none; width: auto; } .advice dd { margin: 0 0 6px 0; }
}
svg { max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: var(--fg); }
svg text.t { font-weight: 600; }
svg text.tick { font-size: 9px; fill: var(--muted); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
.tag { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px;
       background: var(--soft); border: 1px solid var(--line); }
.tag.win { background: #fff1e5; border-color: var(--accent); }
"""

# Records script errors on the page (the browser test reads them), then makes the tables
# sortable by clicking a header.
_SCRIPT_HEAD = """
window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push(String(e.message)); });
"""
_SCRIPT_BODY = """
(function () {
  function key(cell) {
    var v = cell.getAttribute("data-v");
    if (v !== null) { return parseFloat(v); }
    return cell.textContent.trim().toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, col) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var asc = th.getAttribute("data-sort") !== "asc";
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          if (x < y) { return asc ? -1 : 1; }
          if (x > y) { return asc ? 1 : -1; }
          return 0;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        th.setAttribute("data-sort", asc ? "asc" : "desc");
      });
    });
  });
  document.documentElement.setAttribute("data-errors", String(window.__errors.length));
  document.documentElement.setAttribute("data-rendered", "ok");
})();
"""


def render_html(data: dict[str, Any]) -> str:
    """The whole page for an advice dictionary (`Advice.to_dict()`)."""
    view = AdviceView.from_dict(data)
    source = view.source or "<data>"
    title = f"Normalization advice for {source}"
    body = [
        f"<h1>{escape(title)}</h1>",
        _overview(view),
        _advice_card(view),
        _search_section(view.search, view.dropped),
        features_section(view),
        _network_section(view),
        _rules_section(view),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f"<style>{_CSS}</style><script>{_SCRIPT_HEAD}</script></head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + f"\n<script>{_SCRIPT_BODY}</script>\n</body></html>\n"
    )


def _overview(view: AdviceView) -> str:
    profile, settings = view.profile, view.settings
    facts = [
        f"{profile.n_rows} rows",
        f"{profile.n_numeric} numeric and {profile.n_categorical} categorical features",
    ]
    if settings.target:
        task = settings.task
        extra = f", {profile.n_classes} classes" if task == "classification" else ""
        facts.append(f"target <code>{escape(str(settings.target))}</code> ({task}{extra})")
    else:
        facts.append("no target (the rules' plan, not validated)")
    facts.append(f"seed {settings.seed}, budget {escape(str(settings.budget))}")
    facts.append(f"advisor {escape(str(view.advisor_version))}")
    out = f'<p class="muted">{"; ".join(facts)}</p>'
    aside = view.set_aside()
    if aside:
        names = ", ".join(f"<code>{escape(str(c))}</code>" for c in aside)
        out += f"<p>Set aside by the loader (id-like): {names}</p>"
    return out


def _advice_card(view: AdviceView) -> str:
    rows = [
        ("input scaling", escape(plan_description(view.plan_name))),
        ("in-network", escape(norms.label(view.in_network))),
    ]
    if view.encoding != "none":
        rows.append(("encoding", escape(encoding_label(view.encoding, view.encoded_columns))))
    if view.target_transform:
        rows.append(("target", escape(scaler_label(view.target_transform))))
    rows.append(("validated", "yes" if view.validated else "no"))
    if view.search is not None:
        rows.append(("why", escape(view.search.decision)))
    if norms.keeps_batch_statistics(view.in_network):
        rows.append(
            (
                "inference",
                "BatchNormalization uses the moving averages of the batch statistics at "
                "inference: keep them (the layer does so by default) and export the model "
                "in inference mode.",
            )
        )
    for note in view.notes:
        rows.append(("note", escape(str(note))))
    rows += _layout_rows(view)
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<div class="card advice"><h2 style="margin-top:0">Advice</h2><dl>{items}</dl></div>'


def _layout_rows(view: AdviceView) -> list[tuple[str, str]]:
    """The table layout's suggestion (a panel or a time series), when there is one."""
    if view.layout_suggestion is None:
        return []
    return [("table layout", escape(view.layout_suggestion))]


def _search_section(search: SearchView | None, dropped: tuple[str, ...] = ()) -> str:
    """The validation: what the decision rests on (the decision itself is stated once, in
    the advice card), each challenger's difference to the default, the loss curves, the
    candidates table and the comparisons with the default."""
    if search is None:
        return (
            "<h2>Validation</h2><p>Not run: validation needs a target "
            "(<code>advise DATA.csv --target COLUMN</code>).</p>"
        )
    evidence = evidence_sentence(search)
    return (
        "<h2>Validation</h2>"
        + (f'<p class="evidence">{escape(evidence)}</p>' if evidence else "")
        + f'<p class="split">{escape(split_sentence(search, dropped))}</p>'
        + f"{_difference_chart(search)}{_curves(search)}"
        f"{_candidates_table(search)}"
        f"{_comparisons_table(search)}"
    )


def _difference_chart(search: SearchView) -> str:
    """Each challenger the decision compared, as its mean loss minus the default's on the
    same folds, ± the rule's threshold (`SE_RULE` corrected standard errors): a bar wholly
    left of the default's line beats the default. Raw scores are in the table below."""
    rows = []
    for c in search.comparisons:
        se = standard_error(c.mean_improvement, c.t)
        rows.append((c.challenger, -c.mean_improvement, SE_RULE * se if se else 0.0))
    if not rows:
        return ""
    rows.sort(key=lambda row: row[1])
    # The comparison the decision rests on is between the close candidates: the closer
    # half sets the scale, and a challenger more than three times as far is drawn off it.
    close = rows[: (len(rows) + 1) // 2]
    scale = max(abs(value) + half for _, value, half in close)
    limit = 3 * scale if scale > 0 else None
    rule = "one standard error" if SE_RULE == 1 else f"{SE_RULE:g} standard errors"
    chart = svg.differences(
        [label for label, _, _ in rows],
        [value for _, value, _ in rows],
        [half for _, _, half in rows],
        zero_label=f"default {search.default}",
        highlight=(search.winner,),
        title=f"Each challenger's mean {search.score} minus the default's, ± {rule}",
        axis_label=f"difference in {search.score} (left: better than the default)",
        limit=limit,
    )
    out = [c for c in search.candidates if c.status == "eliminated"]
    note = (
        f" {len(out)} more left the race on a smaller stage's rows (in the table)." if out else ""
    )
    return (
        f'<div class="plots">{chart}</div><p class="muted">A challenger replaces the default '
        f"when its bar lies wholly left of the dashed line: lower loss by more than {rule} "
        f"of the paired fold differences.{note}</p>"
    )


def _candidates_table(search: SearchView) -> str:
    """The sortable table of every candidate."""
    header = (
        "<tr><th>candidate</th><th>input plan</th><th>in-network</th>"
        f"<th>score mean</th><th>sd</th><th>{escape(search.metric)} mean</th>"
        "<th>fold scores</th><th></th></tr>"
    )
    body = "".join(_candidate_row(search, c) for c in search.candidates)
    return (
        '<div class="scroll"><table class="sortable">'
        f"<thead>{header}</thead><tbody>{body}</tbody></table></div>"
    )


def _candidate_row(search: SearchView, c: CandidateView) -> str:
    """One candidate's row: its plan, scores and marks, or its status and message."""
    tags = [
        f'<span class="tag{" win" if m == "winner" else ""}">{m}</span>'
        for m in candidate_marks(search, c)
    ]
    if c.status not in ("ok", "eliminated"):
        return (
            f"<tr><td>{escape(c.key)}</td><td colspan=6>{escape(c.status)}: "
            f"{escape(c.message)}</td><td>{''.join(tags)}</td></tr>"
        )
    folds = fold_scores_text(c)
    mean, sd = c.mean, c.sd
    assert mean is not None and sd is not None, c.key  # a scored candidate's
    out = (
        f'<span class="tag" title="{escape(c.message)}">eliminated</span>'
        if c.status == "eliminated"
        else ""
    )
    return (
        f"<tr><td>{escape(c.key)}</td><td>{escape(c.plan)}</td>"
        f"<td>{escape(norms.label(c.in_network))}</td>"
        f'<td class="num" data-v="{mean!r}">{to_noise(mean, sd)}</td>'
        f'<td class="num" data-v="{sd!r}">{to_noise(sd, sd)}</td>'
        f'<td class="num" data-v="{c.metric_mean!r}">{metric_text(search.metric, c)}</td>'
        f'<td class="muted">{folds}</td><td>{"".join(tags)}{out}</td></tr>'
    )


def _comparisons_table(search: SearchView) -> str:
    """Each challenger against the default (empty without comparisons)."""
    if not search.comparisons:
        return ""
    rows = "".join(
        f"<tr><td>{escape(c.challenger)}</td>"
        f'<td data-v="{c.mean_improvement!r}">{comparison_text(c)}</td>'
        f'<td class="num">{c.fold_wins}/{search.n_folds}</td>'
        f'<td class="num">{t_text(c.t)}</td>'
        f'<td class="num">{_p(c.p)}</td><td class="num">{_p(c.p_holm)}</td>'
        f"<td>{'yes' if c.beats_default else 'no'}</td></tr>"
        for c in search.comparisons
    )
    return (
        f"<h3>Each challenger against the default {escape(search.default)}</h3>"
        f'<p class="muted">{escape(search.test)}; alpha {search.alpha}.</p>'
        '<div class="scroll"><table class="sortable"><thead><tr><th>challenger</th>'
        "<th>mean loss against the default</th>"
        "<th>fold wins</th><th>t</th><th>p</th><th>p (Holm)</th><th>beats the default</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></div>"
    )


def _curves(search: SearchView) -> str:
    """Mean validation loss per epoch of the winner's input plan under each in-network
    normalization that was tried with it."""
    winner = next((c for c in search.candidates if c.key == search.winner), None)
    if winner is None:
        return ""
    series = []
    for c in search.candidates:
        if c.status != "ok" or c.plan != winner.plan or not c.curves:
            continue
        series.append((c.key, _mean_curve(c.curves)))
    if not series:
        return ""
    chart = svg.lines(
        series,
        title=f"Validation loss of the {winner.plan} plan, mean over folds",
        y_label=search.score,
    )
    return f'<div class="plots">{chart}</div>'


def _mean_curve(curves: Sequence[Sequence[float]]) -> list[float]:
    """Mean over the folds still training at each epoch (early stopping ends them apart)."""
    longest = max(len(c) for c in curves)
    out = []
    for epoch in range(longest):
        values = [c[epoch] for c in curves if epoch < len(c) and math.isfinite(c[epoch])]
        out.append(sum(values) / len(values) if values else math.nan)
    return out


def _network_section(view: AdviceView) -> str:
    proposals = view.proposals
    parts = ["<h2>In-network normalization and target</h2>"]
    items = "".join(
        f"<li>{escape(norms.label(p.choice))}, score {p.score:g}, "
        f"from {escape(', '.join(p.rules))}</li>"
        for p in proposals.in_network.ranked
    )
    parts.append(f"<p>Candidates from the rules (the search validates them):</p><ol>{items}</ol>")
    target = proposals.target
    if target:
        parts.append(
            f"<p>Target transform: {escape(scaler_label(target.top.choice))} "
            f"({escape(reason_text(target))}).</p>"
        )
    return "".join(parts)


def _rules_section(view: AdviceView) -> str:
    rules = view.proposals.rules
    if not rules:
        return ""
    items = []
    for rule_id, rule in rules.items():
        note = f"<li><b>Note:</b> {escape(rule.note)}</li>" if rule.note else ""
        items.append(
            f'<div class="card"><h3>{escape(rule_id)} {escape(rule.name)}</h3> '
            f'<span class="muted">({escape(rule.scope)}, {escape(rule.status)})</span>'
            f"<p>When <code>{escape(rule.when)}</code></p><ul>"
            f"<li><b>Triggers on:</b> {escape(rule.triggers)}</li>"
            f"<li><b>Why:</b> {escape(rule.why)}</li>"
            f"<li><b>Example:</b> {escape(rule.example)}</li>{note}</ul></div>"
        )
    return "<h2>The rules behind these choices</h2>" + "".join(items)


def _p(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.3g}"
