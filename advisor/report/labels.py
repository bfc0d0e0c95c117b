"""What the advice's names and numbers mean in words, for every report format: scaler
and plan labels, a feature's highlights, a proposal's reason, a candidate's marks and
metric, a challenger's loss against the default and its t statistic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from advisor.plan.catalog import CATALOG
from advisor.report.layout import fmt_value
from advisor.report.search_view import CandidateView, ComparisonView, SearchView
from advisor.report.views import EntryView, FeatureView
from advisor.search.words import comparison_change, to_noise


def scaler_label(key: str) -> str:
    """A scaler key's label in the catalog ("one-hot" for categorical features)."""
    if key == "onehot":
        return "one-hot"
    spec = CATALOG.get(key)
    return spec.label if spec else key


def feature_scaler_label(key: str, feature: FeatureView) -> str:
    """A feature's scaler label; for one-hot encoding of many levels, what it really makes:
    the most frequent levels and one "infrequent" indicator (`PlanTransformer`)."""
    if key == "onehot":
        from advisor.plan.pipeline import MAX_CATEGORIES

        levels = int(feature.n_distinct or 0) + (1 if feature.missing else 0)
        if levels > MAX_CATEGORIES:
            return f"one-hot: {MAX_CATEGORIES - 1} most frequent + infrequent"
    return scaler_label(key)


def plan_description(name: str) -> str:
    """What an input plan's name means, in words."""
    if name == "rules":
        return "the rules' plan (top proposal per feature)"
    if name == "shapes":
        return (
            "the rules' shape transforms: each feature's top proposal without the baseline "
            "(robust scaling + smooth clip)"
        )
    if name == "none":
        return "no scaling of numeric features"
    from advisor.search.space import CONTROLS  # global control plans: plan name -> scaler key

    key = dict(CONTROLS)
    if name in CATALOG or name in key:
        return f"{scaler_label(key.get(name, name))} on every numeric feature"
    if name == "string-encoder":
        return "the rules' plan with skrub's StringEncoder for text columns of many categories"
    if name == "runner-ups":
        return "the rules' plan with the runner-up for every uncertain feature"
    if name.startswith("swap:"):
        return f"the rules' plan with {name[len('swap:') :]}"
    return name


def candidate_marks(search: SearchView, candidate: CandidateView) -> list[str]:
    """ "winner" and/or "default" for a candidate of the search."""
    marks = []
    if candidate.key == search.winner:
        marks.append("winner")
    if candidate.key == search.default:
        marks.append("default")
    return marks


def evidence_text(search: SearchView) -> str | None:
    """What the decision rests on, in one sentence: the rows and folds of the last stage,
    the stages of the race across sample sizes, and how sure it is (None for advice files
    written before the search recorded it)."""
    evidence = search.evidence
    if not evidence:
        return None
    stages = evidence.stages
    text = f"the decision rests on {evidence.folds} folds of {evidence.rows:,} rows"
    if len(stages) > 1:
        steps = [f"{stages[0].candidates} candidates on {stages[0].rows:,} rows"]
        steps += [f"{s.candidates} on {s.rows:,}" for s in stages[1:]]
        text += f" ({', then '.join(steps)})"
    won = search.winner != search.default
    why = {
        ("clear", True): "the winner leads the default by two standard errors or more",
        ("close", True): "the winner leads the default by between one and two standard errors",
        ("clear", False): "no challenger has a lower mean loss than the default",
        ("close", False): (
            "a challenger has a lower mean loss than the default, by less than one standard error"
        ),
    }[(evidence.certainty, won)]
    return f"{text}; it is {evidence.certainty}: {why}"


def split_sentence(search: SearchView, dropped: tuple[str, ...]) -> str:
    """How the folds were made, as a sentence (``dropped``: the plan's dropped columns)."""
    if search.split is None:
        return "Folds: not recorded (an advice file written before version 4)."
    return f"Folds: {search.split.text(dropped)}."


def evidence_sentence(search: SearchView) -> str:
    """`evidence_text` as a sentence of its own (capital letter, full stop), or ""."""
    text = evidence_text(search)
    return f"{text[0].upper()}{text[1:]}." if text else ""


def score_text(candidate: CandidateView) -> str:
    """A scored candidate's loss, mean ± sd over the folds, to the precision its sd
    supports (`advisor.search.words.to_noise`)."""
    mean, sd = candidate.mean, candidate.sd
    assert mean is not None and sd is not None, candidate.key  # a scored candidate's
    return f"{to_noise(mean, sd)} ± {to_noise(sd, sd)}"


def fold_scores_text(candidate: CandidateView) -> str:
    """A candidate's score on each fold, to the precision its sd supports."""
    return ", ".join(to_noise(v, candidate.sd) for v in candidate.fold_scores)


def comparison_text(comparison: ComparisonView) -> str:
    """A challenger's mean loss against the default's in words, to the precision the
    comparison's standard error supports."""
    return comparison_change(comparison.mean_improvement, comparison.t)


def metric_text(metric: str, candidate: CandidateView) -> str:
    """A candidate's accuracy (in percent) or R², mean ± sd over the folds."""
    mean, sd = candidate.metric_mean, candidate.metric_sd
    assert mean is not None and sd is not None, candidate.key  # a scored candidate's
    if metric == "accuracy":
        return f"{100 * mean:.1f}% ± {100 * sd:.1f}"
    return f"{mean:.3f} ± {sd:.3f}"


def reason_text(entry: EntryView) -> str:
    """Why a proposal entry's top choice won: its first rule's evidence, and the others."""
    top = entry.top
    findings = {f.rule: f for f in entry.findings}
    if not top.rules or top.rules[0] not in findings:
        return ""
    first = findings[top.rules[0]]
    evidence = ", ".join(f"{k}={fmt_value(v)}" for k, v in first.evidence.items())
    text = f"{first.rule} {first.name}: {evidence} -> {top.choice}"
    if len(top.rules) > 1:
        text += f" (also {', '.join(top.rules[1:])})"
    return text


def highlights(f: FeatureView) -> str:
    """A feature profile's few telling statistics, in one short line."""
    if f.kind == "datetime":
        return "dates" + (f", {f.missing_share:.0%} missing" if f.missing else "")
    if f.kind == "id-like" and f.count == 0:
        return "identifiers"
    if f.kind == "categorical":
        text = f"{f.n_distinct} categories"
        return text + (f", {f.missing_share:.0%} missing" if f.missing else "")
    if f.count == 0:
        return "no finite values"
    parts = [f"[{fmt_value(f.min)}, {fmt_value(f.max)}]"]
    if f.skew is not None:
        parts.append(f"skew {f.skew:+.2f}")
    if f.kurtosis is not None:
        parts.append(f"kurt {f.kurtosis:+.1f}")
    if f.outlier_share_3:
        parts.append(f"{f.outlier_share_3:.1%} far out")
    if f.zero_share and f.zero_share >= 0.2:
        parts.append(f"{f.zero_share:.0%} zeros")
    if f.missing_share:
        parts.append(f"{f.missing_share:.0%} missing")
    return ", ".join(parts)


#: The numeric encodings' names in the reports.
ENCODING_LABELS = {
    "none": "none",
    "ple": "piecewise-linear encoding in quantile bins",
    "periodic": "periodic embeddings (PBLD), learned as the first layer",
}


def encoding_label(kind: str, columns: Mapping[str, int]) -> str:
    """The advised numeric encoding in words, with its columns ("none" without one)."""
    label = ENCODING_LABELS.get(kind, kind)
    if kind == "none" or not columns:
        return label
    if kind == "ple":
        shown = ", ".join(f"{c} {n}" for c, n in list(columns.items())[:6])
        more = f", and {len(columns) - 6} more" if len(columns) > 6 else ""
        return f"{label} (bins: {shown}{more})"
    shown = ", ".join(list(columns)[:6])
    more = f", and {len(columns) - 6} more" if len(columns) > 6 else ""
    return f"{label} (of {shown}{more})"


def encoding_proposals_text(entries: Sequence[EntryView]) -> str | None:
    """What the encoding rules proposed, column by column (None when nothing fired)."""
    if not entries:
        return None
    parts = []
    for entry in entries:
        choices = "/".join(p.choice for p in entry.ranked)
        rules = ",".join(dict.fromkeys(r for p in entry.ranked for r in p.rules))
        parts.append(f"{entry.subject}: {choices} ({rules})")
    return "; ".join(parts)
