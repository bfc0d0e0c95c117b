"""`advise check`: does new data still fit a saved advice and its fitted pipeline?

The new data is loaded and profiled like the data the advice was made on, then compared
with what the advice file keeps: the profile, the fitted pipeline (columns, categories,
ranges) and a 101-point quantile sketch of each numeric feature. Each problem is a
`Finding` with a code, a severity, the feature, the evidence and what to do.

Codes (severity in parentheses; some depend on the size of the effect):

======  =====================================================================
CHK001  column the advice uses is missing (error)
CHK002  column the advice does not know (info: the pipeline ignores it)
CHK003  column changed kind: numeric <-> categorical (error), within numeric kinds (info)
CHK004  missing values where there were none (warning), or many more (warning/error)
CHK005  non-finite values (inf) where there were none (warning)
CHK006  values outside the fitted range of a scaler that extrapolates badly:
        min-max, max-abs, /255 (warning/error by how far); Box-Cox on values <= 0 (error)
CHK007  distribution drift: two-sample Kolmogorov-Smirnov against the quantile sketch
        (p < 0.001) with an effect size large enough to matter (KS D >= 0.1 warning,
        >= 0.2 error); the Wasserstein distance (in baseline IQR units) is reported too
CHK008  far outliers (beyond 3 IQR of the baseline quartiles) more frequent than in the
        baseline beyond chance (binomial test, p < 0.001): warning, error above +2 points
CHK009  categories never seen in training (warning; error when > 5% of rows)
CHK010  the rules now propose another scaler for a feature (warning when the feature also
        drifted, info when the flip comes from a borderline statistic)
CHK011  the rules now rank another in-network normalization first (info)
CHK012  column became constant (warning)
CHK013  target classes never seen in training (error)
CHK014  the baseline keeps no quantile sketch (a schema-version-1 file): drift and
        outliers not checked (info)
======  =====================================================================

Both conditions of CHK007 matter: on small samples only a large difference is
significant, and on large samples every tiny difference is significant but not large.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import stats

from advisor.advice.advice import Advice
from advisor.io.load import TaskArg, load_table
from advisor.io.read import read_frame
from advisor.plan.pipeline import MISSING_CATEGORY, categorical_block, numeric_block
from advisor.profiling.profile import DatasetProfile, FeatureProfile, profile_table
from advisor.rules.engine import apply_rules, load_rules

SEVERITIES = ("info", "warning", "error")
DRIFT_P = 0.001
DRIFT_WARN, DRIFT_ERROR = 0.1, 0.2
UNSEEN_ERROR_SHARE = 0.05
NUMERIC_KINDS = ("continuous", "count", "integer", "ordinal", "binary", "constant", "empty")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    feature: str | None
    title: str
    message: str
    action: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "feature": self.feature,
            "title": self.title,
            "message": self.message,
            "action": self.action,
            "evidence": _jsonable(self.evidence),
        }


@dataclass(frozen=True)
class CheckResult:
    data: str
    baseline: str
    n_rows: int
    n_baseline_rows: int
    findings: tuple[Finding, ...]
    checked: tuple[str, ...]  # the features compared

    def at_least(self, severity: str) -> tuple[Finding, ...]:
        level = SEVERITIES.index(severity)
        return tuple(f for f in self.findings if SEVERITIES.index(f.severity) >= level)

    def fails(self, fail_on: str = "error") -> bool:
        return bool(self.at_least(fail_on))

    def counts(self) -> dict[str, int]:
        return {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}

    def to_dict(self, fail_on: str = "error") -> dict[str, Any]:
        return {
            "data": self.data,
            "baseline": self.baseline,
            "n_rows": self.n_rows,
            "n_baseline_rows": self.n_baseline_rows,
            "fail_on": fail_on,
            "failed": self.fails(fail_on),
            "counts": self.counts(),
            "checked": list(self.checked),
            "findings": [f.to_dict() for f in self.findings],
        }


def check(
    data: str | os.PathLike[str] | pd.DataFrame,
    baseline: Advice | str | os.PathLike[str],
    seed: int = 0,
) -> CheckResult:
    """Compare new ``data`` with a saved advice (an `Advice` or the path of its JSON file)."""
    where = "<advice>"
    if not isinstance(baseline, Advice):
        where = str(baseline)
        baseline = Advice.load(baseline)
    base = baseline.to_dict()
    if isinstance(data, pd.DataFrame):
        frame, source = data, "<DataFrame>"
    else:
        frame, source = read_frame(data), str(data)
    columns = [str(c) for c in frame.columns]
    target = baseline.target_name if baseline.target_name in columns else None
    table = dataclasses.replace(
        load_table(frame, target=target, task=cast(TaskArg, baseline.task or "auto")), source=source
    )
    profile = profile_table(table, seed=seed)
    findings: list[Finding] = []
    if baseline.plan.numeric and not baseline.distributions:
        findings.append(
            Finding(
                "CHK014", "info", None, "no distribution sketch in the baseline",
                f"{where} keeps no quantile sketch (schema version "
                f"{base.get('schema_version')} file as read); drift and outliers were not "
                "checked",
                "save the advice again with this advisor to check drift",
            )
        )  # fmt: skip
    findings += _columns(baseline, base, table)
    findings += _features(baseline, base, table, profile)
    drifted = {f.feature for f in findings if f.code in ("CHK007", "CHK008") and f.feature}
    retyped = {f.feature for f in findings if f.code in ("CHK001", "CHK003") and f.feature}
    findings += _rules(baseline, base, profile, drifted, retyped - drifted)
    if target is not None and baseline.classes is not None and table.target is not None:
        findings += _target_classes(baseline, table.target)
    order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    findings.sort(key=lambda f: (order[f.severity], f.code, f.feature or ""))
    plan = baseline.plan
    return CheckResult(
        data=source,
        baseline=where,
        n_rows=table.n_rows,
        n_baseline_rows=int(base["profile"]["n_rows"]),
        findings=tuple(findings),
        checked=tuple(plan.numeric) + tuple(plan.categorical),
    )


# ----------------------------------------------------------------------------- columns


def _columns(baseline: Advice, base: dict[str, Any], table: Any) -> list[Finding]:
    plan = baseline.plan
    used = list(plan.numeric) + list(plan.categorical)
    present = set(table.features.columns)
    out = []
    for column in used:
        if column not in present:
            out.append(
                Finding(
                    "CHK001", "error", column, "column missing",
                    f"{column!r} is used by the advice but not in the new data",
                    "restore the column, or make a new advice without it",
                )
            )  # fmt: skip
    known = {f["name"] for f in base["profile"]["features"]}
    known |= set(base["profile"].get("excluded", [])) | set(plan.dropped)
    if baseline.target_name:
        known.add(baseline.target_name)
    for column in table.features.columns:
        if column not in known:
            out.append(
                Finding(
                    "CHK002", "info", column, "new column",
                    f"{column!r} was not in the data the advice was made on; the pipeline "
                    "ignores it",
                    "make a new advice if the column should be used",
                )
            )  # fmt: skip
    return out


# ---------------------------------------------------------------------------- features


def _features(
    baseline: Advice, base: dict[str, Any], table: Any, profile: DatasetProfile
) -> list[Finding]:
    plan = baseline.plan
    base_features = {f["name"]: f for f in base["profile"]["features"]}
    new_features = {f.name: f for f in profile.features}
    present = set(table.features.columns)
    out: list[Finding] = []
    n_base = int(base["profile"]["n_rows"])
    for column in plan.numeric:
        if column not in present:
            continue
        old = base_features.get(column)
        new = new_features.get(column)
        if old is None:
            continue
        if new is None or new.kind not in NUMERIC_KINDS:
            kind = new.kind if new is not None else "set aside by the loader"
            out.append(_kind_changed(column, old["kind"], kind, error=True))
            continue
        if new.kind != old["kind"]:
            if new.kind == "constant":
                out.append(
                    Finding(
                        "CHK012", "warning", column, "column became constant",
                        f"{column!r} has a single value ({new.min:.6g}) in the new data",
                        "check the data source; a constant column carries no information",
                        {"value": new.min},
                    )
                )  # fmt: skip
            else:
                out.append(_kind_changed(column, old["kind"], new.kind, error=False))
        out += _missing(column, old, new, n_base)
        values = numeric_block(table.features, (column,))[:, 0]
        finite = values[np.isfinite(values)]
        out += _range(column, plan.scaler_for(column), old, finite)
        dist = baseline.distributions.get(column)
        if dist and dist.get("quantiles") and finite.size:
            drift = _drift(column, dist["quantiles"], int(dist["n"]), finite)
            if drift is not None:
                out.append(drift)
            outliers = _outliers(column, dist["quantiles"], old, finite)
            if outliers is not None:
                out.append(outliers)
    for column in plan.categorical:
        if column not in present:
            continue
        new = new_features.get(column)
        if new is not None and new.kind in NUMERIC_KINDS and new.kind not in ("binary",):
            old_kind = base_features.get(column, {}).get("kind", "categorical")
            out.append(_kind_changed(column, old_kind, new.kind, error=True))
            continue
        out += _unseen_categories(baseline, column, table.features)
    return out


def _kind_changed(column: str, old: str, new: str, error: bool) -> Finding:
    if error:
        return Finding(
            "CHK003", "error", column, "column changed type",
            f"{column!r} was {old} and is now {new}: its scaler cannot read it "
            "(every value would be imputed)",
            "fix the column's type at the source (units or text in a numeric column?), or "
            "make a new advice",
            {"baseline_kind": old, "kind": new},
        )  # fmt: skip
    return Finding(
        "CHK003", "info", column, "column changed kind",
        f"{column!r} was {old} and is now {new}",
        "nothing to do unless the change is unexpected",
        {"baseline_kind": old, "kind": new},
    )  # fmt: skip


def _missing(column: str, old: dict[str, Any], new: FeatureProfile, n_base: int) -> list[Finding]:
    out = []
    old_share = float(old.get("missing_share") or 0.0)
    old_missing = int(old.get("missing") or 0)
    share = new.missing_share
    if new.missing and not old_missing:
        # Against a baseline rate of at most 1/n: a stray missing value is no news.
        p = stats.binomtest(new.missing, new.n_rows, 1.0 / n_base, alternative="greater").pvalue
        severity = "error" if share > 0.5 else "warning" if p < DRIFT_P else "info"
        out.append(
            Finding(
                "CHK004", severity, column, "new missing values",
                f"{column!r} has {new.missing} missing values ({share:.1%}); it had none, so "
                "the pipeline fills them with the training median and has no missing-value "
                "indicator for it",
                "fix the data source, or make a new advice that learns an indicator",
                {"missing": new.missing, "missing_share": share, "baseline_missing": 0,
                 "p": float(p)},
            )
        )  # fmt: skip
    elif new.missing and share > old_share:
        p = stats.binomtest(new.missing, new.n_rows, max(old_share, 1.0 / n_base),
                            alternative="greater").pvalue  # fmt: skip
        if p < DRIFT_P and share - old_share > 0.05:
            out.append(
                Finding(
                    "CHK004", "error" if share > 0.5 else "warning", column,
                    "more missing values",
                    f"{column!r} is {share:.1%} missing, against {old_share:.1%} in the "
                    f"baseline (binomial p={p:.2g})",
                    "check the data source",
                    {"missing_share": share, "baseline_missing_share": old_share, "p": p},
                )
            )  # fmt: skip
    if new.non_finite and not int(old.get("non_finite") or 0):
        out.append(
            Finding(
                "CHK005", "warning", column, "non-finite values",
                f"{column!r} has {new.non_finite} infinite values; they are treated as missing",
                "fix the computation that produced them (a division by zero?)",
                {"non_finite": new.non_finite},
            )
        )  # fmt: skip
    return out


_BOUNDED = {"minmax": "min-max", "maxabs": "max-abs", "divide255": "/255"}


def _range(column: str, key: str, old: dict[str, Any], finite: np.ndarray) -> list[Finding]:
    if finite.size == 0:
        return []
    low, high = float(finite.min()), float(finite.max())
    if key == "box_cox" and low <= 0:
        share = float(np.mean(finite <= 0))
        return [
            Finding(
                "CHK006", "error", column, "values Box-Cox cannot take",
                f"{column!r} has values <= 0 ({share:.1%} of rows, min {low:.6g}); Box-Cox "
                "is defined for positive values only, so they become missing",
                "force another scaler for this column (--scaler COL=yeo_johnson) and make a "
                "new advice",
                {"min": low, "share_non_positive": share},
            )
        ]  # fmt: skip
    if key not in _BOUNDED or old.get("min") is None:
        return []
    if key == "divide255":
        fit_low, fit_high = 0.0, 255.0
    elif key == "maxabs":
        bound = max(abs(float(old["min"])), abs(float(old["max"])))
        fit_low, fit_high = -bound, bound
    else:
        fit_low, fit_high = float(old["min"]), float(old["max"])
    width = fit_high - fit_low if fit_high > fit_low else 1.0
    overshoot = max(fit_low - low, high - fit_high, 0.0) / width
    if overshoot <= 0:
        return []
    share = float(np.mean((finite < fit_low) | (finite > fit_high)))
    if key == "divide255":
        severity = "error"
    else:
        severity = "error" if overshoot > 0.5 else "warning" if overshoot > 0.1 else "info"
    return [
        Finding(
            "CHK006", severity, column, "values outside the fitted range",
            f"{share:.1%} of {column!r} lies outside [{fit_low:.6g}, {fit_high:.6g}], the range "
            f"its {_BOUNDED[key]} scaler was fit on, by up to {overshoot:.0%} of that range "
            f"(new min {low:.6g}, max {high:.6g})",
            "if the range has grown for good, make a new advice; a robust or standard scaler "
            "extrapolates more gracefully",
            {"min": low, "max": high, "fit_low": fit_low, "fit_high": fit_high,
             "overshoot": overshoot, "share_outside": share},
        )
    ]  # fmt: skip


def _drift(column: str, quantiles: list[float], n_base: int, finite: np.ndarray) -> Finding | None:
    """KS against the baseline's quantile sketch: the baseline CDF at its own quantile
    points is known (largest level whose quantile is <= the point, which handles ties),
    the new CDF is exact; D is their largest gap at those points."""
    q = np.asarray(quantiles, dtype=float)
    levels = np.linspace(0.0, 1.0, q.size)
    new_sorted = np.sort(finite)
    f_new = np.searchsorted(new_sorted, q, side="right") / new_sorted.size
    f_base = levels[np.searchsorted(q, q, side="right") - 1]
    # Below the baseline minimum and at/above its maximum the baseline CDF is 0 and 1.
    below = float(np.mean(new_sorted < q[0]))
    d = float(max(np.max(np.abs(f_new - f_base)), below))
    n_eff = n_base * new_sorted.size / (n_base + new_sorted.size)
    p = float(stats.kstwobign.sf(d * math.sqrt(n_eff))) if d > 0 else 1.0
    iqr = float(np.interp(0.75, levels, q) - np.interp(0.25, levels, q))
    scale = iqr if iqr > 0 else float(q[-1] - q[0]) or 1.0
    inner = slice(2, q.size - 2)  # 2% .. 98%: the sketch's extreme points are one value each
    w1 = float(np.mean(np.abs(np.quantile(finite, levels[inner]) - q[inner])) / scale)
    if p >= DRIFT_P or d < DRIFT_WARN:
        return None
    severity = "error" if d >= DRIFT_ERROR else "warning"
    return Finding(
        "CHK007", severity, column, "distribution drift",
        f"{column!r} drifted: Kolmogorov-Smirnov D={d:.3f} (p={p:.2g}), Wasserstein "
        f"distance {w1:.3g} baseline IQRs",
        "check whether the source or its units changed; if the shift is real, make a new "
        "advice on recent data",
        {"ks_d": d, "ks_p": p, "wasserstein_iqr": w1, "n": int(new_sorted.size),
         "n_baseline": n_base},
    )  # fmt: skip


def _outliers(
    column: str, quantiles: list[float], old: dict[str, Any], finite: np.ndarray
) -> Finding | None:
    q = np.asarray(quantiles, dtype=float)
    levels = np.linspace(0.0, 1.0, q.size)
    q25, q75 = float(np.interp(0.25, levels, q)), float(np.interp(0.75, levels, q))
    iqr = q75 - q25
    if not iqr > 0:
        return None
    low, high = q25 - 3 * iqr, q75 + 3 * iqr
    count = int(np.sum((finite < low) | (finite > high)))
    share = count / finite.size
    base_share = float(old.get("outlier_share_3") or 0.0)
    n_base = max(int(old.get("count") or 0), 1)
    if count == 0 or share - base_share <= 0.005:
        return None
    p = float(stats.binomtest(count, finite.size, max(base_share, 1.0 / n_base),
                              alternative="greater").pvalue)  # fmt: skip
    if p >= DRIFT_P:
        return None
    severity = "error" if share - base_share > 0.02 else "warning"
    return Finding(
        "CHK008", severity, column, "more far outliers",
        f"{share:.1%} of {column!r} lies beyond 3 IQR of the baseline quartiles "
        f"([{low:.6g}, {high:.6g}]), against {base_share:.1%} in the baseline (binomial "
        f"p={p:.2g})",
        "look for corrupted or mis-scaled rows; a robust + smooth clip scaler tolerates "
        "outliers (--scaler COL=robust_clip)",
        {"share": share, "baseline_share": base_share, "fence_low": low, "fence_high": high,
         "p": p},
    )  # fmt: skip


def _unseen_categories(baseline: Advice, column: str, features: pd.DataFrame) -> list[Finding]:
    transformer = baseline.pipeline.transformer_
    encoder = transformer.encoder_
    if encoder is None:
        return []
    index = list(transformer.plan.categorical).index(column)
    known = {str(c) for c in encoder.categories_[index]}
    values = categorical_block(features, (column,))[:, 0]
    unseen_mask = np.array([v not in known for v in values], dtype=bool)
    if not unseen_mask.any():
        return []
    share = float(unseen_mask.mean())
    examples = sorted({str(v) for v in values[unseen_mask]})[:5]
    infrequent = encoder.infrequent_categories_[index] is not None
    where = "the 'infrequent' column" if infrequent else "all zeros"
    shown = [e if e != MISSING_CATEGORY else "(missing)" for e in examples]
    return [
        Finding(
            "CHK009", "error" if share > UNSEEN_ERROR_SHARE else "warning", column,
            "unseen categories",
            f"{share:.1%} of {column!r} has categories never seen in training "
            f"({', '.join(repr(e) for e in shown)}); they encode as {where}",
            "if the categories are new for good, make a new advice so the model learns them",
            {"share": share, "examples": shown},
        )
    ]  # fmt: skip


# ------------------------------------------------------------------------------ rules


def _rules(
    baseline: Advice,
    base: dict[str, Any],
    profile: DatasetProfile,
    drifted: set[str],
    retyped: set[str],
) -> list[Finding]:
    """Rerun the built-in rules on the new profile; a flip on a feature that also drifted
    is a warning, on one that did not (a borderline statistic) only information."""
    proposals = apply_rules(profile, load_rules())
    plan = baseline.plan
    base_top = {e["subject"]: e["ranked"][0]["choice"] for e in base["proposals"]["features"]}
    out = []
    for entry in proposals.features:
        column = entry.subject
        if column not in plan.numeric or column not in base_top or column in retyped:
            continue
        now, before = entry.top, base_top[column]
        if now == before or (now in ("drop", "onehot") and before in ("drop", "onehot")):
            continue
        evidence = {f.rule_id: dict(f.evidence) for f in entry.findings}
        out.append(
            Finding(
                "CHK010", "warning" if column in drifted else "info", column,
                "the rules would choose another scaler",
                f"on the new data the rules propose {now} for {column!r} (the advice uses "
                f"{plan.scaler_for(column)}; the rules proposed {before} then)",
                "if the drift checks are quiet, the change comes from a statistic near a "
                "rule's threshold; otherwise make a new advice",
                {"now": now, "baseline": before, "rules": _jsonable(evidence)},
            )
        )  # fmt: skip
    network_now = proposals.in_network.top
    network_before = base["proposals"]["in_network"]["ranked"][0]["choice"]
    if network_now != network_before:
        out.append(
            Finding(
                "CHK011", "info", None, "the rules would rank another in-network choice first",
                f"on the new data the rules rank {network_now} first (they ranked "
                f"{network_before} first for the advice, which uses {baseline.in_network})",
                "make a new advice to validate the in-network choice on the new data",
                {"now": network_now, "baseline": network_before},
            )
        )  # fmt: skip
    return out


def _target_classes(baseline: Advice, target: pd.Series) -> list[Finding]:
    known = {str(c) for c in baseline.classes or ()}
    values = target.dropna().astype(str)
    unseen = sorted(set(values) - known)
    if not unseen:
        return []
    share = float(values.isin(unseen).mean())
    return [
        Finding(
            "CHK013", "error", baseline.target_name, "unseen target classes",
            f"the target has classes the model has no output for: "
            f"{', '.join(repr(c) for c in unseen[:5])} ({share:.1%} of rows)",
            "make a new advice (and model) that includes the new classes",
            {"unseen": unseen[:20], "share": share},
        )
    ]  # fmt: skip


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value
