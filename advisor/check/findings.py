"""What `advise check` finds: a `Finding` (code, severity, feature, evidence, what to do)
and the `CheckResult` that collects them and decides, by a failure level, whether the data
fails."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from advisor.check.codes import CheckCode
from advisor.vocab import SEVERITIES, Severity


@dataclass(frozen=True)
class Finding:
    """One problem: a ``code`` (CHK001...), how serious, the feature (None: the dataset),
    a short title, the message with its numbers, what to do, and the evidence as data.
    Built from the code's registry entry by `Finding.of`."""

    code: str
    severity: Severity
    feature: str | None
    title: str
    message: str
    action: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        code: CheckCode,
        feature: str | None,
        message: str,
        evidence: dict[str, Any] | None = None,
        *,
        severity: Severity | None = None,
        variant: str | None = None,
    ) -> Finding:
        """A finding of ``code`` (`advisor.check.codes`): the title and action of its form
        ``variant`` (None: the usual one), at ``severity`` (None: the form's default)."""
        form = code.variant(variant)
        return cls(
            code.id,
            form.severity if severity is None else severity,
            feature,
            form.title,
            message,
            form.action,
            {} if evidence is None else evidence,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "feature": self.feature,
            "title": self.title,
            "message": self.message,
            "action": self.action,
            "evidence": jsonable(self.evidence),
        }


@dataclass(frozen=True)
class CheckResult:
    """Every finding of one check of ``data`` against ``baseline`` (most severe first)."""

    data: str
    baseline: str
    n_rows: int
    n_baseline_rows: int
    findings: tuple[Finding, ...]
    checked: tuple[str, ...]  # the features compared

    def at_least(self, severity: Severity) -> tuple[Finding, ...]:
        level = SEVERITIES.index(severity)
        return tuple(f for f in self.findings if SEVERITIES.index(f.severity) >= level)

    def fails(self, fail_on: Severity = "error") -> bool:
        return bool(self.at_least(fail_on))

    def counts(self) -> dict[str, int]:
        return {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}

    def to_dict(self, fail_on: Severity = "error") -> dict[str, Any]:
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


def jsonable(value: Any) -> Any:
    """Evidence as JSON-ready data: numpy scalars to Python numbers, non-finite to None."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value
