"""The data checks of `advise check`: columns missing, added or retyped, missing and
non-finite values, values outside a scaler's fitted range, drift and outliers (through
`advisor.check.drift`), unseen categories and unseen target classes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from advisor.advice.advice import Advice
from advisor.check.codes import (
    CONSTANT,
    KIND_CHANGED,
    MISSING_COLUMN,
    NEW_COLUMN,
    NEW_MISSING,
    NON_FINITE,
    OUT_OF_RANGE,
    UNSEEN_CATEGORIES,
    UNSEEN_CLASSES,
)
from advisor.check.drift import DRIFT_P, drift_finding, outlier_finding
from advisor.check.findings import Finding
from advisor.plan.catalog import CATALOG
from advisor.plan.pipeline import MISSING_CATEGORY, categorical_block, numeric_block
from advisor.profiling.types import DatasetProfile, FeatureProfile
from advisor.vocab import NUMERIC_KINDS, Severity

UNSEEN_ERROR_SHARE = 0.05


def column_findings(baseline: Advice, base: dict[str, Any], table: Any) -> list[Finding]:
    plan = baseline.plan
    used = [*plan.numeric, *plan.categorical, *plan.dates, *plan.text_encoded]
    present = set(table.features.columns)
    out = []
    for column in used:
        if column not in present:
            out.append(
                Finding.of(
                    MISSING_COLUMN,
                    column,
                    f"{column!r} is used by the advice but not in the new data",
                )
            )
    known = {f["name"] for f in base["profile"]["features"]}
    known |= set(base["profile"].get("excluded", [])) | set(plan.dropped)
    if baseline.target_name:
        known.add(baseline.target_name)
    for column in table.features.columns:
        if column not in known:
            out.append(
                Finding.of(
                    NEW_COLUMN,
                    column,
                    f"{column!r} was not in the data the advice was made on; the pipeline "
                    "ignores it",
                )
            )
    return out


# ---------------------------------------------------------------------------- features


def feature_findings(
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
            out.append(kind_changed(column, old["kind"], kind, error=True))
            continue
        if new.kind != old["kind"]:
            if new.kind == "constant":
                out.append(
                    Finding.of(
                        CONSTANT,
                        column,
                        f"{column!r} has a single value ({new.min:.6g}) in the new data",
                        {"value": new.min},
                    )
                )
            else:
                out.append(kind_changed(column, old["kind"], new.kind, error=False))
        out += missing_findings(column, old, new, n_base)
        values = numeric_block(table.features, (column,))[:, 0]
        finite = values[np.isfinite(values)]
        out += range_findings(column, plan.scaler_for(column), old, finite)
        dist = baseline.distributions.get(column)
        if dist and dist.get("quantiles") and finite.size:
            drift = drift_finding(column, dist["quantiles"], int(dist["n"]), finite)
            if drift is not None:
                out.append(drift)
            outliers = outlier_finding(column, dist["quantiles"], old, finite)
            if outliers is not None:
                out.append(outliers)
    for column in plan.categorical:
        if column not in present:
            continue
        new = new_features.get(column)
        old_kind = base_features.get(column, {}).get("kind", "categorical")
        # Text that turned into numbers cannot be read; numbers that are codes (one-hot
        # encoded on purpose) stay numbers.
        numbers_now = new is not None and new.kind in NUMERIC_KINDS and new.kind != "binary"
        if numbers_now and old_kind not in NUMERIC_KINDS:
            assert new is not None
            out.append(kind_changed(column, old_kind, new.kind, error=True))
            continue
        out += unseen_categories(baseline, column, table.features)
    return out


def kind_changed(column: str, old: str, new: str, error: bool) -> Finding:
    if error:
        return Finding.of(
            KIND_CHANGED,
            column,
            f"{column!r} was {old} and is now {new}: its scaler cannot read it "
            "(every value would be imputed)",
            {"baseline_kind": old, "kind": new},
        )
    return Finding.of(
        KIND_CHANGED,
        column,
        f"{column!r} was {old} and is now {new}",
        {"baseline_kind": old, "kind": new},
        variant="kind",
    )


def missing_findings(
    column: str, old: dict[str, Any], new: FeatureProfile, n_base: int
) -> list[Finding]:
    out = []
    old_share = float(old.get("missing_share") or 0.0)
    old_missing = int(old.get("missing") or 0)
    share = new.missing_share
    if new.missing and not old_missing:
        # Against a baseline rate of at most 1/n: a stray missing value is no news.
        p = stats.binomtest(new.missing, new.n_rows, 1.0 / n_base, alternative="greater").pvalue
        severity: Severity = "error" if share > 0.5 else "warning" if p < DRIFT_P else "info"
        out.append(
            Finding.of(
                NEW_MISSING, column,
                f"{column!r} has {new.missing} missing values ({share:.1%}); it had none, so "
                "the pipeline fills them with the training median and has no missing-value "
                "indicator for it",
                {"missing": new.missing, "missing_share": share, "baseline_missing": 0,
                 "p": float(p)},
                severity=severity,
            )
        )  # fmt: skip
    elif new.missing and share > old_share:
        p = stats.binomtest(new.missing, new.n_rows, max(old_share, 1.0 / n_base),
                            alternative="greater").pvalue  # fmt: skip
        if p < DRIFT_P and share - old_share > 0.05:
            out.append(
                Finding.of(
                    NEW_MISSING,
                    column,
                    f"{column!r} is {share:.1%} missing, against {old_share:.1%} in the "
                    f"baseline (binomial p={p:.2g})",
                    {"missing_share": share, "baseline_missing_share": old_share, "p": p},
                    severity="error" if share > 0.5 else "warning",
                    variant="more",
                )
            )
    if new.non_finite and not int(old.get("non_finite") or 0):
        out.append(
            Finding.of(
                NON_FINITE,
                column,
                f"{column!r} has {new.non_finite} infinite values; they are treated as missing",
                {"non_finite": new.non_finite},
            )
        )
    return out


#: The scalers whose output is bounded by their fitted range, by the name CHK006 gives them.
_BOUNDED = {key: spec.bounded for key, spec in CATALOG.items() if spec.bounded}


def range_findings(column: str, key: str, old: dict[str, Any], finite: np.ndarray) -> list[Finding]:
    if finite.size == 0:
        return []
    low, high = float(finite.min()), float(finite.max())
    if key == "box_cox" and low <= 0:
        share = float(np.mean(finite <= 0))
        return [
            Finding.of(
                OUT_OF_RANGE,
                column,
                f"{column!r} has values <= 0 ({share:.1%} of rows, min {low:.6g}); Box-Cox "
                "is defined for positive values only, so they become missing",
                {"min": low, "share_non_positive": share},
                variant="box_cox",
            )
        ]
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
    severity: Severity
    if key == "divide255":
        severity = "error"
    else:
        severity = "error" if overshoot > 0.5 else "warning" if overshoot > 0.1 else "info"
    return [
        Finding.of(
            OUT_OF_RANGE, column,
            f"{share:.1%} of {column!r} lies outside [{fit_low:.6g}, {fit_high:.6g}], the range "
            f"its {_BOUNDED[key]} scaler was fit on, by up to {overshoot:.0%} of that range "
            f"(new min {low:.6g}, max {high:.6g})",
            {"min": low, "max": high, "fit_low": fit_low, "fit_high": fit_high,
             "overshoot": overshoot, "share_outside": share},
            severity=severity,
        )
    ]  # fmt: skip


def unseen_categories(baseline: Advice, column: str, features: pd.DataFrame) -> list[Finding]:
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
        Finding.of(
            UNSEEN_CATEGORIES,
            column,
            f"{share:.1%} of {column!r} has categories never seen in training "
            f"({', '.join(repr(e) for e in shown)}); they encode as {where}",
            {"share": share, "examples": shown},
            severity="error" if share > UNSEEN_ERROR_SHARE else "warning",
        )
    ]


def target_class_findings(baseline: Advice, target: pd.Series) -> list[Finding]:
    known = {str(c) for c in baseline.classes or ()}
    values = target.dropna().astype(str)
    unseen = sorted(set(values) - known)
    if not unseen:
        return []
    share = float(values.isin(unseen).mean())
    return [
        Finding.of(
            UNSEEN_CLASSES,
            baseline.target_name,
            f"the target has classes the model has no output for: "
            f"{', '.join(repr(c) for c in unseen[:5])} ({share:.1%} of rows)",
            {"unseen": unseen[:20], "share": share},
        )
    ]
