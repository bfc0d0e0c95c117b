"""What `advise check` finds: a `Finding` (code, severity, feature, evidence, what to do)
and the `CheckResult` that collects them and decides, by a failure level, whether the data
fails."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from advisor.vocab import SEVERITIES, Severity


@dataclass(frozen=True)
class Finding:
    """One problem: a ``code`` (CHK001...), how serious, the feature (None: the dataset),
    a short title, the message with its numbers, what to do, and the evidence as data."""

    code: str
    severity: Severity
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
