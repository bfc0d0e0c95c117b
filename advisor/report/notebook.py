"""Notebook cards: what Jupyter shows for an `Advice` (its ``_repr_html_``) or a
`DatasetProfile` (an HTML formatter `show_profiles_as_cards` registers with the kernel:
the profiling stage comes before the reports and does not import them).

In: an advice or profile dictionary (``to_dict()``). Out: one self-contained ``<div>``: the
decision, the plan per feature and the evidence in one table each, and for an advice the
full HTML report behind a disclosure (in an ``iframe`` whose ``srcdoc`` holds the page, so
its styles and scripts stay inside it). The card's styles are scoped to its own id, which
is unique per output (a digest of the data and a per-process counter): two cards in one
notebook never restyle each other. Every data string is escaped.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from collections.abc import Sequence
from html import escape
from typing import Any

from advisor.network import norms
from advisor.progress_bar import in_kernel
from advisor.report.labels import (
    candidate_marks,
    encoding_label,
    feature_scaler_label,
    metric_text,
    plan_description,
    reason_text,
    scaler_label,
    score_text,
)
from advisor.report.listings import PROFILE_HEADER, profile_row
from advisor.report.views import AdviceView, ProfileView

_COUNTER = itertools.count()

_CSS = """
#{id} {{font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 13px;
  line-height: 1.4; color: #1b1f24; border: 1px solid #d0d7de; border-left: 4px solid #dd7722;
  border-radius: 6px; padding: 10px 14px; margin: 4px 0; max-width: 100%; overflow-x: auto;}}
#{id} h3 {{font-size: 15px; margin: 0 0 6px 0;}}
#{id} h4 {{font-size: 13px; margin: 10px 0 4px 0;}}
#{id} dl {{display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0;}}
#{id} dt {{font-weight: 600;}} #{id} dd {{margin: 0;}}
#{id} table {{border-collapse: collapse; font-size: 12px;}}
#{id} th, #{id} td {{text-align: left; padding: 2px 8px; border-bottom: 1px solid #eaeef2;
  vertical-align: top;}}
#{id} th {{white-space: nowrap;}}
#{id} td.num {{text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;}}
#{id} .muted {{color: #57606a;}} #{id} .win {{color: #1a7f37; font-weight: 600;}}
#{id} details {{margin-top: 8px;}} #{id} summary {{cursor: pointer; color: #0969da;}}
#{id} iframe {{width: 100%; height: 640px; border: 1px solid #d0d7de; border-radius: 4px;}}
"""


def card_id(data: dict[str, Any], kind: str) -> str:
    """An id unique to this output: the data's digest and a per-process counter."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return f"nadv-{kind}-{digest[:10]}-{next(_COUNTER)}"


def _wrap(uid: str, body: str) -> str:
    return f'<div id="{uid}" class="nadv-card"><style>{_CSS.format(id=uid)}</style>{body}</div>'


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], numeric: set[int]) -> str:
    """An HTML table from text cells (escaped here)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_advice_card(data: dict[str, Any], full_report: str | None = None) -> str:
    """The card for an advice dictionary; ``full_report``: the whole HTML page to put
    behind the disclosure (None: rendered here)."""
    from advisor.report.html import render_html

    view = AdviceView.from_dict(data)
    uid = card_id(data, "advice")
    facts = [f"{view.profile.n_rows} rows"]
    if view.settings.target:
        facts.append(f"target {view.settings.target} ({view.settings.task})")
    else:
        facts.append("no target: the rules' plan, not validated")
    facts.append(f"seed {view.settings.seed}, budget {view.settings.budget}")
    items = [
        ("input scaling", plan_description(view.plan_name)),
        ("in-network", norms.label(view.in_network)),
    ]
    if view.encoding != "none":
        items.append(("encoding", encoding_label(view.encoding, view.encoded_columns)))
    if view.target_transform:
        items.append(("target", scaler_label(view.target_transform)))
    items.append(("validated", "yes" if view.validated else "no"))
    if view.search is not None:
        items.append(("decision", view.search.decision))
    summary = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items)
    parts = [
        f"<h3>Normalization advice for {escape(view.source or '<data>')}</h3>",
        f'<p class="muted">{escape("; ".join(facts))}</p>',
        f"<dl>{summary}</dl>",
        "<h4>The plan per feature</h4>",
        _plan_table(view),
    ]
    if view.search is not None:
        parts += ["<h4>The evidence</h4>", _evidence_table(view)]
    page = full_report if full_report is not None else render_html(data)
    parts.append(
        "<details><summary>The full report</summary>"
        f'<iframe title="the full report" srcdoc="{escape(page, quote=True)}"></iframe></details>'
    )
    return _wrap(uid, "".join(parts))


def _plan_table(view: AdviceView) -> str:
    """One row per feature: its kind, the plan's scaler and why (the rule that proposed
    it, or the plan the search chose instead of the rules' proposal)."""
    features = view.profile.by_name()
    rows = []
    for entry in view.proposals.features:
        feature = features[entry.subject]
        chosen = view.scalers.get(entry.subject, entry.top.choice)
        label = (
            feature_scaler_label(chosen, feature)
            if chosen == entry.top.choice
            else scaler_label(chosen)
        )
        why = reason_text(entry) if chosen == entry.top.choice else f"the {view.plan_name} plan"
        rows.append((entry.subject, feature.kind, label, why or "-"))
    return _table(("column", "kind", "scaler", "why"), rows, set())


def _evidence_table(view: AdviceView) -> str:
    """Every candidate the search scored: its loss and metric over the folds and marks."""
    search = view.search
    assert search is not None
    rows: list[tuple[str, ...]] = []
    for c in search.candidates:
        if c.status in ("ok", "eliminated"):
            marks = candidate_marks(search, c)
            if c.status == "eliminated":
                marks.append("eliminated")
            rows.append((c.key, score_text(c), metric_text(search.metric, c), " ".join(marks)))
        elif c.status == "failed":
            rows.append((c.key, "failed", c.message[:80], ""))
    header = ("candidate", f"{search.score} mean ± sd", f"{search.metric} mean ± sd", "")
    return _table(header, rows, {1, 2})


def render_profile_card(data: dict[str, Any]) -> str:
    """The card for a profile dictionary: the dataset's facts and one row per column."""
    profile = ProfileView.from_dict(data)
    uid = card_id(data, "profile")
    facts = f"{profile.n_rows} rows, {len(profile.features)} columns ({profile.mode})"
    rows = [profile_row(f) for f in profile.features]
    parts = [
        f"<h3>Profile of {escape(profile.source)}</h3>",
        f'<p class="muted">{escape(facts)}</p>',
        _table(PROFILE_HEADER, rows, {2, 3, 4, 5, 6, 8, 9}),
    ]
    if profile.layout is not None:
        parts.append(f"<p>Table layout: {escape(profile.layout.suggestion)}</p>")
    return _wrap(uid, "".join(parts))


def profile_card(profile: Any) -> str:
    """The card of a `DatasetProfile` (what the kernel's HTML formatter calls)."""
    return render_profile_card(profile.to_dict())


def show_profiles_as_cards() -> bool:
    """In an IPython kernel, register `profile_card` as the HTML display of every
    `DatasetProfile` (IPython's formatter for a type; idempotent). False outside a kernel."""
    if not in_kernel():
        return False
    shell = sys.modules["IPython"].get_ipython()
    formatters = getattr(getattr(shell, "display_formatter", None), "formatters", {})
    html = formatters.get("text/html")
    if html is None:
        return False
    html.for_type_by_name("advisor.profiling.types", "DatasetProfile", profile_card)
    return True
