"""The rule engine's values: rules, their findings, and the ranked proposals they make.

In: nothing (plain frozen dataclasses).
Out: `RuleSet` (what `advisor.rules.parse` reads from TOML), `Proposals` (what
`advisor.rules.engine.apply_rules` gives the plan and the search), and their JSON forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from advisor.plan.plans import InputPlan
from advisor.rules.expr import Condition
from advisor.vocab import RuleScope, RuleStatus


@dataclass(frozen=True)
class Rationale:
    triggers: str
    why: str
    example: str


@dataclass(frozen=True)
class Rule:
    """One rule: a stable id, a condition over profile fields and the proposals it makes."""

    id: str
    name: str
    status: RuleStatus
    scope: RuleScope
    condition: Condition
    proposals: tuple[tuple[str, float], ...]  # (choice, score)
    rationale: Rationale
    exclusive: bool = False
    #: A baseline states the default treatment of a kind of column; the other rules'
    #: proposals without it form the "shapes" plan the search validates beside it.
    baseline: bool = False
    note: str = ""

    def describe(self) -> str:
        uses = ", ".join(f"{c} ({s:g})" for c, s in self.proposals)
        head = f"{self.id} {self.name} [{self.scope}, {self.status}]"
        return f"{head}: when {self.condition.text} -> {uses}"


@dataclass(frozen=True)
class Finding:
    """A rule that fired on a subject, with the profile values it read."""

    rule_id: str
    rule_name: str
    evidence: tuple[tuple[str, Any], ...]

    def evidence_text(self) -> str:
        return ", ".join(f"{k}={format_value(v)}" for k, v in self.evidence)

    def message(self, choice: str) -> str:
        return f"{self.rule_id} {self.rule_name}: {self.evidence_text()} -> {choice}"


@dataclass(frozen=True)
class Proposal:
    """One ranked choice for a subject and the rules behind it."""

    choice: str
    score: float
    rule_ids: tuple[str, ...]


@dataclass(frozen=True)
class SubjectProposals:
    """The ranked proposals for one subject (a feature, the network, the target)."""

    subject: str
    ranked: tuple[Proposal, ...]
    findings: tuple[Finding, ...]
    rejected: tuple[tuple[str, str], ...] = ()  # (choice, reason)

    @property
    def top(self) -> str:
        return self.ranked[0].choice

    def finding(self, rule_id: str) -> Finding:
        for f in self.findings:
            if f.rule_id == rule_id:
                return f
        raise KeyError(rule_id)

    def reason(self) -> str:
        """Why the top choice: its rules and the evidence they read."""
        top = self.ranked[0]
        texts = [self.finding(r).message(top.choice) for r in top.rule_ids]
        return "; ".join(texts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "ranked": [
                {"choice": p.choice, "score": p.score, "rules": list(p.rule_ids)}
                for p in self.ranked
            ],
            "findings": [
                {"rule": f.rule_id, "name": f.rule_name, "evidence": dict(f.evidence)}
                for f in self.findings
            ],
            "rejected": [{"choice": c, "reason": r} for c, r in self.rejected],
        }


@dataclass(frozen=True)
class Proposals:
    """Everything the rules propose for a dataset."""

    features: tuple[SubjectProposals, ...]
    in_network: SubjectProposals
    target: SubjectProposals | None
    dropped: tuple[str, ...]
    categorical: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    dates: tuple[str, ...] = ()
    text_encoded: tuple[str, ...] = ()
    #: (column, choice): where a baseline rule decided a column's top proposal, what the
    #: other rules rank first without it (the "shapes" plan).
    shapes: tuple[tuple[str, str], ...] = ()
    #: Per scaled numeric column where an encoding rule fired: the numeric encodings
    #: proposed for it (`advisor.plan.encodings`), ranked, with the evidence.
    encodings: tuple[SubjectProposals, ...] = ()
    #: The piecewise-linear encoding's bin count per scaled numeric column, from its
    #: distinct values (`advisor.plan.encodings.ple_bins`).
    ple_bins: tuple[tuple[str, int], ...] = ()
    #: The encoding a baseline encoding rule proposes for some column: the default
    #: candidate's (the one every challenger must beat); "none" where none fires.
    default_encoding: str = "none"

    def encoding_choices(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each proposed encoding with the columns it was proposed for: the encodings
        proposed for more columns first (then the best score, then the name)."""
        columns: dict[str, list[str]] = {}
        best: dict[str, float] = {}
        for entry in self.encodings:
            for proposal in entry.ranked:
                if proposal.choice == "none":
                    continue
                columns.setdefault(proposal.choice, []).append(entry.subject)
                best[proposal.choice] = max(best.get(proposal.choice, 0.0), proposal.score)
        order = sorted(columns, key=lambda c: (-len(columns[c]), -best[c], c))
        return tuple((choice, tuple(columns[choice])) for choice in order)

    def feature(self, name: str) -> SubjectProposals:
        for f in self.features:
            if f.subject == name:
                return f
        raise KeyError(name)

    def rule_plan(self) -> InputPlan:
        """The top proposal per feature: the plan the search must beat."""
        scalers = tuple(
            (f.subject, f.top)
            for f in self.features
            if f.top != "drop"
            and f.subject not in self.categorical + self.dates + self.text_encoded
        )
        return InputPlan(
            name="rules",
            scalers=scalers,
            categorical=self.categorical,
            dropped=self.dropped,
            dates=self.dates,
            text_encoded=self.text_encoded,
        )

    def shapes_plan(self) -> InputPlan | None:
        """The rules' plan without the baseline rules: each column they decided gets the
        other rules' first choice (a shape transform, a bounded scaling). None when that
        changes nothing."""
        rule_plan = self.rule_plan()
        swap = dict(self.shapes)
        scalers = tuple((c, swap.get(c, k)) for c, k in rule_plan.scalers)
        if scalers == rule_plan.scalers:
            return None
        return replace(rule_plan, name="shapes", scalers=scalers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": [f.to_dict() for f in self.features],
            "in_network": self.in_network.to_dict(),
            "target": self.target.to_dict() if self.target is not None else None,
            "dropped": list(self.dropped),
            "categorical": list(self.categorical),
            "dates": list(self.dates),
            "text_encoded": list(self.text_encoded),
            "encodings": [e.to_dict() for e in self.encodings],
            "default_encoding": self.default_encoding,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    overrides: dict[str, str] = field(default_factory=dict)  # column -> scaler/drop/keep

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def describe(self, rule_ids: Any) -> dict[str, dict[str, Any]]:
        """The named rules' condition and three-part rationale, for reports (ids in the
        rule set's order; unknown ids, such as the USER override, are skipped)."""
        wanted = set(rule_ids)
        return {
            rule.id: {
                "name": rule.name,
                "scope": rule.scope,
                "status": rule.status,
                "when": rule.condition.text,
                "triggers": rule.rationale.triggers,
                "why": rule.rationale.why,
                "example": rule.rationale.example,
                "note": rule.note,
            }
            for rule in self.rules
            if rule.id in wanted
        }

    def active(self, scope: RuleScope) -> tuple[Rule, ...]:
        return tuple(
            r for r in self.rules if r.scope == scope and r.status in ("stable", "preview")
        )


def format_value(value: Any) -> str:
    """A profile value as evidence text (floats to 4 significant digits)."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
