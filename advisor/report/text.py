"""The advice as the terminal report `advise` prints, rendered from the advice's JSON form
(so a saved advice file renders the same as a fresh one)."""

from __future__ import annotations

from typing import Any

from advisor.network import norms
from advisor.report.labels import (
    candidate_marks,
    comparison_text,
    encoding_label,
    encoding_proposals_text,
    evidence_text,
    feature_scaler_label,
    fold_scores_text,
    highlights,
    metric_text,
    plan_description,
    reason_text,
    scaler_label,
    score_text,
    split_sentence,
)
from advisor.report.layout import Painter, fmt_value, painter, text_table, wrap
from advisor.report.search_view import CandidateView, SearchView
from advisor.report.views import AdviceView, RulesView
from advisor.search.words import t_text


def render_text(
    data: dict[str, Any],
    timings: dict[str, float] | None = None,
    color: bool = False,
    verbose: bool = False,
    width: int | None = None,
    rules_shown: bool = False,
) -> str:
    """The terminal report for an advice dictionary (`Advice.to_dict()`): compact by
    default, everything with ``verbose``; ANSI colors only when ``color``; within ``width``
    characters when given (tables drop their least useful columns first, long lines wrap).
    With ``rules_shown`` it leaves out the part `render_rules_text` printed already."""
    view = AdviceView.from_dict(data)
    paint = painter(color)
    lines = [] if rules_shown else _rules_lines(view, paint, verbose, width)

    if view.search is not None:
        lines += _search_lines(view.search, view.dropped, timings or {}, paint, verbose, width)
    else:
        lines.append(
            "Validation: not run. Validation needs a target: advise DATA.csv --target COLUMN"
        )
        lines.append("")

    lines.append(paint("Advice", bold=True))
    lines.append(f"  input scaling : {paint(plan_description(view.plan_name), fg='green')}")
    network_label = norms.label(view.in_network)
    lines.append(f"  in-network    : {paint(network_label, fg='green')}")
    if norms.keeps_batch_statistics(view.in_network):
        lines.append(
            "                  (at inference BatchNormalization uses its moving averages: "
            "keep them)"
        )
    if view.encoding != "none":
        lines.append(f"  encoding      : {encoding_label(view.encoding, view.encoded_columns)}")
    if view.target_transform:
        lines.append(f"  target        : {scaler_label(view.target_transform)}")
    lines.append(f"  validated     : {'yes' if view.validated else 'no'}")
    for note in view.notes:
        lines.append(f"  note: {note}")
    lines += _layout_lines(view)
    return "\n".join(wrap(lines, width)) + "\n"


def _layout_lines(view: RulesView) -> list[str]:
    """The table layout's suggestion (a panel or a time series), when there is one."""
    if view.layout_suggestion is None:
        return []
    return [f"  table layout: {view.layout_suggestion}"]


def render_rules_text(
    data: dict[str, Any], color: bool = False, verbose: bool = False, width: int | None = None
) -> str:
    """The report's first part, what the rules say before any training: the table's shape,
    a scaler per feature and why, the target transform and the in-network candidates.
    ``data`` is an advice dictionary or the preview of one (`rules_ready`'s)."""
    view = RulesView.from_dict(data)
    return "\n".join(wrap(_rules_lines(view, painter(color), verbose, width), width)) + "\n"


def _rules_lines(view: RulesView, paint: Painter, verbose: bool, width: int | None) -> list[str]:
    """The rules' part of the report: the table's shape, the features table, why each
    scaler, the target transform and the in-network candidates."""
    lines = _shape_lines(view, paint)
    table, reasons = _feature_rows(view, verbose)
    # Too narrow a terminal drops conf, then rule, then kind (the scaler and column stay).
    fitted = text_table(table, indent="  ", width=width, drop=(5, 4, 1))
    lines.append(paint("Features", bold=True))
    lines += fitted
    if fitted[0].rstrip().endswith("conf"):
        lines.append(
            "  conf: the top proposal's score in the rules (0-100): how firmly they hold it"
        )
    lines.append("")
    lines += _why_lines(view, reasons, paint, verbose)
    lines += _target_and_network_lines(view)
    return lines


def _shape_lines(view: RulesView, paint: Painter) -> list[str]:
    """The title, the table's shape and target, and the columns the loader set aside."""
    profile, settings = view.profile, view.settings
    head = f"Normalization advice for {view.source or '<data>'}"
    lines = [paint(head, bold=True), "=" * len(head)]
    dates = len(view.dates)
    shape = (
        f"{profile.n_rows} rows; {profile.n_numeric} numeric"
        + (f", {profile.n_categorical} categorical and {dates} date" if dates else
           f" and {profile.n_categorical} categorical")
        + " feature columns"
    )  # fmt: skip
    if settings.target:
        task = settings.task
        extra = f", {profile.n_classes} classes" if task == "classification" else ""
        shape += f"; target {settings.target!r} ({task}{extra})"
    else:
        shape += "; no target"
    lines.append(shape)
    aside = view.set_aside()
    if aside:
        lines.append(f"Set aside by the loader: {', '.join(aside)}")
    lines.append("")
    return lines


def _feature_rows(
    view: RulesView, verbose: bool
) -> tuple[list[tuple[str, ...]], list[tuple[str, str, str]]]:
    """The features table (a header, then a row per feature) and each feature's reason
    and runners-up, in the proposals' order."""
    features = view.profile.by_name()
    table: list[tuple[str, ...]] = [("column", "kind", "profile", "scaler", "rule", "conf")]
    reasons: list[tuple[str, str, str]] = []
    for entry in view.proposals.features:
        name = entry.subject
        feature = features[name]
        top = entry.top
        scaler = feature_scaler_label(top.choice, feature)
        table.append(
            (
                name,
                feature.kind,
                highlights(feature),
                scaler,
                (top.rules or ("-",))[0],
                f"{top.score:g}",
            )
        )
        why = reason_text(entry)
        ranked = entry.ranked[1:] if verbose else entry.ranked[1:3]
        others = ", ".join(
            f"{scaler_label(p.choice)} ({p.score:g}" + (f", {p.rules[0]})" if p.rules else ")")
            for p in ranked
        )
        reasons.append((name, why, others))
    return table, reasons


def _why_lines(
    view: RulesView, reasons: list[tuple[str, str, str]], paint: Painter, verbose: bool
) -> list[str]:
    """The "Why" part: each feature's reason and runners-up (with ``verbose``, also every
    finding and every choice ruled out)."""
    lines = [paint("Why", bold=True)]
    for (name, why, others), entry in zip(reasons, view.proposals.features, strict=True):
        if not why and not verbose:
            continue
        lines.append(f"  {name}: {why or 'no rule fired'}")
        if others:
            lines.append(f"    runners-up: {others}")
        if verbose:
            for finding in entry.findings:
                evidence = ", ".join(f"{k}={fmt_value(v)}" for k, v in finding.evidence.items())
                lines.append(f"    {finding.rule} {finding.name}: {evidence}")
            for rejected in entry.rejected:
                lines.append(f"    ruled out {rejected.choice}: {rejected.reason}")
    lines.append("")
    return lines


def _target_and_network_lines(view: RulesView) -> list[str]:
    """The target transform (when there is a target) and the rules' in-network candidates."""
    proposals = view.proposals
    lines = []
    if proposals.target:
        target = proposals.target
        lines.append(f"Target transform: {scaler_label(target.top.choice)} ({reason_text(target)})")
        lines.append("")

    ranked_net = ", ".join(
        f"{p.choice} ({p.score:g}, {','.join(p.rules)})" for p in proposals.in_network.ranked
    )
    lines.append(f"In-network candidates from the rules: {ranked_net}")
    lines.append("")
    encodings = encoding_proposals_text(proposals.encodings)
    if encodings is not None:
        lines += [f"Numeric encodings from the rules: {encodings}", ""]
    return lines


def _search_lines(
    search: SearchView,
    dropped: tuple[str, ...],
    timings: dict[str, float],
    paint: Painter,
    verbose: bool,
    width: int | None = None,
) -> list[str]:
    """The search's part of the report: its setting, the candidates table (with
    ``verbose``, the fold scores and the comparisons too), and the decision."""
    lines = _search_head_lines(search, dropped)
    lines += _candidate_table(search, paint, width)
    if verbose:
        lines += _fold_score_lines(search)
        if search.comparisons:
            lines += _comparison_lines(search, width)
    lines += _decision_lines(search, timings)
    return lines


def _search_head_lines(search: SearchView, dropped: tuple[str, ...]) -> list[str]:
    """How the candidates were validated (the folds, the score, the sample) and what the
    decision rests on."""
    lines = [
        f"Validation: {search.n_folds}-fold cross-validation, score = {search.score} "
        f"(lower is better), {search.metric} beside it; budget {search.budget}",
        f"  {split_sentence(search, dropped)}",
    ]
    if search.sample:
        sample = search.sample
        lines.append(
            f"  on a seeded sample of {sample.rows} of {sample.of} rows, "
            f"{sample.text(search.split)}"
        )
    evidence = evidence_text(search)
    if evidence:
        lines.append(f"  Evidence: {evidence}")
    return lines


def _candidate_table(search: SearchView, paint: Painter, width: int | None) -> list[str]:
    """A row per candidate tried (the winner green, failures red), within ``width``."""
    rows = [("candidate", "score mean ± sd", f"{search.metric} mean ± sd", "")]
    styles: list[dict[str, Any]] = [{}]
    for c in search.candidates:
        if c.status == "skipped":
            continue
        styles.append(
            {"fg": "green", "bold": True}
            if c.key == search.winner
            else {"fg": "red"}
            if c.status == "failed"
            else {}
        )
        rows.append(_candidate_row(search, c))
    table = text_table(rows, indent="  ", width=width, drop=(3,))
    # text_table adds a rule under the header: styles[0] is the header, then one per row.
    lines = []
    for n, line in enumerate(table):
        style = styles[n - 1] if n >= 2 else {}
        lines.append(paint(line, **style) if style else line)
    return lines


def _candidate_row(search: SearchView, c: CandidateView) -> tuple[str, str, str, str]:
    """One candidate's row: its key, score, metric and marks (or why it failed)."""
    mark = candidate_marks(search, c)
    if c.status == "eliminated":
        return (
            c.key,
            score_text(c),
            metric_text(search.metric, c),
            " ".join([*mark, "eliminated"]),
        )
    if c.status != "ok":
        return (c.key, "failed", c.message[:60], " ".join(mark))
    return (c.key, score_text(c), metric_text(search.metric, c), " ".join(mark))


def _fold_score_lines(search: SearchView) -> list[str]:
    """Every candidate trained to the end, with its score on each fold."""
    lines = ["  Fold scores (same folds for every candidate):"]
    for c in search.candidates:
        if c.status == "ok":
            lines.append(f"    {c.key}: {fold_scores_text(c)}")
    return lines


def _comparison_lines(search: SearchView, width: int | None) -> list[str]:
    """Each challenger against the default, as a table within ``width``."""
    lines = [f"  Against the default {search.default} ({search.test}):"]
    comparison_rows: list[tuple[str, ...]] = [
        ("challenger", "mean loss", "fold wins", "t", "p", "p Holm", "beats default")
    ]
    for comp in search.comparisons:
        comparison_rows.append(
            (
                comp.challenger,
                comparison_text(comp),
                f"{comp.fold_wins}/{search.n_folds}",
                t_text(comp.t),
                fmt_value(comp.p),
                fmt_value(comp.p_holm),
                "yes" if comp.beats_default else "no",
            )
        )
    lines += text_table(comparison_rows, indent="    ", width=width, drop=(5, 4))
    return lines


def _decision_lines(search: SearchView, timings: dict[str, float]) -> list[str]:
    """The candidates eliminated or not tried, the decision, the search's time and what
    came from the cache."""
    lines = []
    out = [c for c in search.candidates if c.status == "eliminated"]
    if out:
        lines.append(
            f"  {len(out)} eliminated: scored on a smaller stage's rows, where each could no "
            f"longer win (e.g. {out[0].key}: {out[0].message})."
        )
    skipped = [c for c in search.candidates if c.status == "skipped"]
    if skipped:
        lines.append(f"  {len(skipped)} more candidates not tried: {skipped[0].message}.")
    lines.append(f"  Decision: {search.decision}.")
    if "seconds" in timings:
        lines.append(f"  Search time: {timings['seconds']:.1f} s")
    if timings.get("cached"):
        # Trials run: the first stage's (every candidate not skipped), then every later
        # stage's candidates (the race trains them again on more rows).
        stages = search.evidence.stages if search.evidence else ()
        tried = sum(c.status != "skipped" for c in search.candidates) + sum(
            stage.candidates for stage in stages[1:]
        )
        lines.append(
            f"  {int(timings['cached'])} of {tried} trials came from the cache (an earlier "
            "run of the same search); --no-cache recomputes, `advise cache clear` empties it"
        )
    lines.append("")
    return lines
