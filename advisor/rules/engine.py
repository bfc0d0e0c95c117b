"""The rule engine: declarative rules over profile fields become ranked, explained proposals.

Rules live in TOML files (the built-in set ships as package data from the repository's
``rules/`` directory). A rule reads profile fields through a safe condition language
(`advisor.rules.expr`), proposes one or more choices with scores, and every finding records the
profile values it read as evidence.

Conflict resolution, in this order:

1. If any *exclusive* rule fires for a subject (e.g. a constant column), only the
   exclusive rule with the highest score proposes, and nothing else is considered.
2. Otherwise every firing rule's proposals are merged: a choice proposed by several rules
   keeps its highest score and lists all the rules that proposed it.
3. Choices the catalog says cannot apply to the column (Box-Cox on non-positive values,
   ...) are removed, with the reason kept in the findings.
4. The ranked list is sorted by score (high first), then by the catalog's complexity
   (simpler first), then by key, so ties break the same way every time.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from advisor.errors import RuleError
from advisor.plan.catalog import CATALOG, get_spec
from advisor.plan.plans import IN_NETWORK_LABELS, InputPlan
from advisor.profiling.profile import (
    _DATASET_FIELDS,
    _FEATURE_FIELDS,
    DatasetProfile,
    FeatureProfile,
)
from advisor.rules.expr import Condition, ExpressionError, parse_condition

SCOPES = ("feature", "dataset", "target")
STATUSES = ("stable", "preview", "deprecated", "removed")
TARGET_CHOICES = ("standard", "log1p_standard")
_DATASET_CONDITION_FIELDS = frozenset(_DATASET_FIELDS - {"features", "target", "excluded"})
#: A feature rule reads its column's fields and, under names the column does not use, the
#: dataset's facts (``image_like``, ``n_numeric``, ...): some choices depend on both.
_FEATURE_CONDITION_FIELDS = _FEATURE_FIELDS | _DATASET_CONDITION_FIELDS


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
    status: str
    scope: str
    condition: Condition
    proposals: tuple[tuple[str, float], ...]  # (choice, score)
    rationale: Rationale
    exclusive: bool = False
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
        return ", ".join(f"{k}={_fmt(v)}" for k, v in self.evidence)

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
            if f.top != "drop" and f.subject not in self.categorical
        )
        return InputPlan(
            name="rules", scalers=scalers, categorical=self.categorical, dropped=self.dropped
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": [f.to_dict() for f in self.features],
            "in_network": self.in_network.to_dict(),
            "target": self.target.to_dict() if self.target is not None else None,
            "dropped": list(self.dropped),
            "categorical": list(self.categorical),
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

    def active(self, scope: str) -> tuple[Rule, ...]:
        return tuple(
            r for r in self.rules if r.scope == scope and r.status in ("stable", "preview")
        )


def _rules_directory() -> Any:
    """Where the built-in rule files are, looked up next to the imported package first, so
    a source checkout reads its own rules/ even when another checkout is installed in
    editable mode: the wheel's ``advisor/_rules``, a checkout's ``rules/``, then whatever
    the import system finds for ``advisor._rules``."""
    here = Path(__file__).resolve().parents[1]  # the advisor package
    for candidate in (here / "_rules", here.parent / "rules"):
        if (candidate / "builtin.toml").is_file() and (
            candidate.name == "_rules" or (here.parent / "pyproject.toml").is_file()
        ):
            return candidate
    return resources.files("advisor._rules")


def builtin_rule_text() -> list[tuple[str, str]]:
    """The built-in rule files as (name, TOML text), in name order."""
    root: Any = _rules_directory()
    names = sorted(p.name for p in root.iterdir() if p.name.endswith(".toml"))
    return [(name, (root / name).read_text(encoding="utf-8")) for name in names]


def load_rules(
    extra: Iterable[str | os.PathLike[str]] = (), disable: Iterable[str] = ()
) -> RuleSet:
    """The built-in rules, overridden or extended by ``extra`` files (a rule with an existing
    id replaces it), with the ids in ``disable`` removed."""
    by_id: dict[str, Rule] = {}
    overrides: dict[str, str] = {}
    for name, text in builtin_rule_text():
        for rule in parse_rules(text, source=f"built-in {name}"):
            by_id[rule.id] = rule
    for path in extra:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise RuleError(f"{p}: cannot read rule file ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise RuleError(f"{p}: rule file is not valid UTF-8") from None
        for rule in parse_rules(text, source=str(p)):
            by_id[rule.id] = rule
        overrides.update(parse_overrides(text, source=str(p)))
    disabled = set(disable)
    unknown = disabled - set(by_id)
    if unknown:
        raise RuleError(f"cannot disable unknown rule {sorted(unknown)[0]!r}")
    rules = tuple(r for rid, r in sorted(by_id.items()) if rid not in disabled)
    return RuleSet(rules, overrides)


def parse_overrides(text: str, source: str) -> dict[str, str]:
    """A rule file's ``[overrides]`` table: column = "scaler key" | "drop" | "keep"."""
    data = tomllib.loads(text)
    table = data.get("overrides", {})
    if not isinstance(table, dict):
        raise RuleError(f"{source}: 'overrides' must be a table of column = \"choice\"")
    out = {}
    for column, choice in table.items():
        if not isinstance(choice, str) or not (choice in CATALOG or choice in OVERRIDE_CHOICES):
            raise RuleError(
                f"{source}: overrides: column {column!r} needs a scaler key, 'drop' or 'keep', "
                f"got {choice!r}"
            )
        out[str(column)] = choice
    return out


def parse_rules(text: str, source: str) -> list[Rule]:
    """Parse a TOML rule file; errors name the source, the rule and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{source}: not valid TOML ({exc})") from None
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise RuleError(f"{source}: 'rule' must be an array of tables ([[rule]])")
    rules = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        rule = _parse_rule(entry, source, index)
        if rule.id in seen:
            raise RuleError(f"{source}: rule {rule.id}: id is used twice in this file")
        seen.add(rule.id)
        rules.append(rule)
    return rules


def _parse_rule(entry: Any, source: str, index: int) -> Rule:
    where = f"{source}: rule #{index + 1}"
    if not isinstance(entry, dict):
        raise RuleError(f"{where}: must be a table")
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise RuleError(f"{where}: field 'id' is required (a string such as 'NRM001')")
    where = f"{source}: rule {rule_id}"

    def need_str(key: str, default: str | None = None) -> str:
        value = entry.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise RuleError(f"{where}: field {key!r} must be a non-empty string")
        return value.strip()

    name = need_str("name")
    status = need_str("status", "stable")
    if status not in STATUSES:
        raise RuleError(f"{where}: field 'status' must be one of {', '.join(STATUSES)}")
    scope = need_str("scope", "feature")
    if scope not in SCOPES:
        raise RuleError(f"{where}: field 'scope' must be one of {', '.join(SCOPES)}")
    fields = {"feature": _FEATURE_CONDITION_FIELDS, "target": _FEATURE_FIELDS}.get(
        scope, _DATASET_CONDITION_FIELDS
    )
    try:
        condition = parse_condition(need_str("when"), frozenset(fields))
    except ExpressionError as exc:
        raise RuleError(f"{where}: field 'when': {exc}") from None
    raw = entry.get("propose")
    if not isinstance(raw, list) or not raw:
        raise RuleError(f"{where}: field 'propose' must be a non-empty list of {{use, score}}")
    proposals = []
    for item in raw:
        if not isinstance(item, dict) or "use" not in item:
            raise RuleError(f"{where}: field 'propose': each entry needs 'use' and 'score'")
        use, score = item["use"], item.get("score", 50)
        _check_choice(use, scope, where)
        if not isinstance(score, (int, float)) or isinstance(score, bool):
            raise RuleError(f"{where}: field 'propose': score of {use!r} must be a number")
        proposals.append((str(use), float(score)))
    why = entry.get("rationale")
    if not isinstance(why, dict):
        raise RuleError(f"{where}: field 'rationale' must be a table with triggers, why, example")
    parts = []
    for key in ("triggers", "why", "example"):
        value = why.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RuleError(f"{where}: field 'rationale.{key}' must be a non-empty string")
        parts.append(" ".join(value.split()))
    exclusive = entry.get("exclusive", False)
    if not isinstance(exclusive, bool):
        raise RuleError(f"{where}: field 'exclusive' must be true or false")
    known = {"id", "name", "status", "scope", "when", "propose", "rationale", "exclusive", "note"}
    extra = set(entry) - known
    if extra:
        raise RuleError(f"{where}: unknown field {sorted(extra)[0]!r}")
    return Rule(
        id=rule_id.strip(),
        name=name,
        status=status,
        scope=scope,
        condition=condition,
        proposals=tuple(proposals),
        rationale=Rationale(*parts),
        exclusive=exclusive,
        note=" ".join(str(entry.get("note", "")).split()),
    )


def _check_choice(use: Any, scope: str, where: str) -> None:
    if scope == "dataset":
        allowed: Iterable[str] = IN_NETWORK_LABELS
    elif scope == "target":
        allowed = TARGET_CHOICES
    else:
        allowed = CATALOG
    if use not in allowed:
        raise RuleError(
            f"{where}: field 'propose': unknown choice {use!r} for scope {scope!r} "
            f"(known: {', '.join(allowed)})"
        )


USER_RULE = "USER"
OVERRIDE_CHOICES = ("drop", "keep")


def apply_rules(
    profile: DatasetProfile,
    ruleset: RuleSet,
    overrides: Mapping[str, str] | None = None,
) -> Proposals:
    """Run every active rule on ``profile``; return ranked proposals per subject.

    ``overrides`` (column -> scaler key, "drop" or "keep") beat the rules and add to the
    rule file's own ``[overrides]``; a forced choice is ranked first under the id USER,
    the rules' proposals follow it.
    """
    forced = {**ruleset.overrides, **dict(overrides or {})}
    names = {f.name for f in profile.features}
    unknown = sorted(set(forced) - names)
    if unknown:
        raise RuleError(f"override names unknown column {unknown[0]!r}")
    features = []
    dropped = []
    categorical = []
    for feature in profile.features:
        lookup = _feature_lookup(feature, profile)
        result = _evaluate(feature.name, ruleset.active("feature"), lookup, feature)
        if feature.name in forced:
            result = _override(result, forced[feature.name], feature, ruleset, lookup)
        features.append(result)
        if result.top == "drop":
            dropped.append(feature.name)
        elif result.top == "onehot":
            categorical.append(feature.name)
    network = _evaluate("network", ruleset.active("dataset"), profile.field_value, None)
    target = None
    if profile.target is not None:
        tp = profile.target
        target = _evaluate("target", ruleset.active("target"), tp.field_value, None)
    return Proposals(
        features=tuple(features),
        in_network=network,
        target=target,
        dropped=tuple(dropped),
        categorical=tuple(categorical),
    )


def _feature_lookup(feature: FeatureProfile, profile: DatasetProfile) -> Any:
    """A feature rule's field lookup: the column's own fields first, then the dataset's."""

    def lookup(name: str) -> Any:
        if name in _FEATURE_FIELDS:
            return feature.field_value(name)
        return profile.field_value(name)

    return lookup


def _override(
    result: SubjectProposals,
    choice: str,
    feature: FeatureProfile,
    ruleset: RuleSet,
    lookup: Any,
) -> SubjectProposals:
    """Put a user's choice for one column on top of the rules' ranked list."""
    where = f"override {feature.name}={choice}"
    if choice == "keep":
        if result.top != "drop":
            return result
        keeping = tuple(r for r in ruleset.active("feature") if not r.exclusive)
        kept = _evaluate(feature.name, keeping, lookup, feature, allow_empty=True)
        fallback = "onehot" if feature.kind == "categorical" else "passthrough"
        ranked = kept.ranked or (Proposal(fallback, 0.0, (USER_RULE,)),)
        finding = Finding(USER_RULE, "user-keep", (("override", "keep"),))
        return SubjectProposals(result.subject, ranked, (finding, *kept.findings), kept.rejected)
    spec = CATALOG.get(choice)
    if spec is None:
        known = ", ".join((*CATALOG, *OVERRIDE_CHOICES))
        raise RuleError(f"{where}: unknown scaler {choice!r} (known: {known})")
    reason = _inapplicable(choice, feature)
    if reason is not None:
        raise RuleError(f"{where}: {reason} (column {feature.name!r})")
    top = Proposal(choice, 1000.0, (USER_RULE,))
    rest = tuple(p for p in result.ranked if p.choice != choice)
    finding = Finding(USER_RULE, "user-override", (("override", choice),))
    return SubjectProposals(
        result.subject, (top, *rest), (finding, *result.findings), result.rejected
    )


def _inapplicable(choice: str, feature: FeatureProfile) -> str | None:
    """Why ``choice`` cannot apply to this column (None when it can)."""
    if choice == "drop":
        return None
    if feature.kind == "categorical":
        return None if choice == "onehot" else "text columns can only be one-hot encoded or dropped"
    if choice == "onehot":
        return "one-hot encoding is for text columns"
    if feature.count == 0:
        return None
    return get_spec(choice).requires(feature)


def _evaluate(
    subject: str,
    rules: tuple[Rule, ...],
    lookup: Any,
    feature: FeatureProfile | None,
    allow_empty: bool = False,
) -> SubjectProposals:
    fired: list[tuple[Rule, Finding]] = []
    for rule in rules:
        if rule.condition.evaluate(lookup):
            evidence = tuple((name, lookup(name)) for name in rule.condition.fields)
            fired.append((rule, Finding(rule.id, rule.name, evidence)))
    exclusive = [(r, f) for r, f in fired if r.exclusive]
    if exclusive:
        best = max(exclusive, key=lambda rf: (max(s for _, s in rf[0].proposals), rf[0].id))
        fired = [best]
    merged: dict[str, list[tuple[float, str]]] = {}
    rejected: list[tuple[str, str]] = []
    for rule, _ in fired:
        for choice, score in rule.proposals:
            if feature is not None:
                reason = _inapplicable(choice, feature)
                if reason is not None:
                    rejected.append((choice, f"{rule.id}: {reason}"))
                    continue
            merged.setdefault(choice, []).append((score, rule.id))
    if not merged and not allow_empty:
        raise RuleError(
            f"no rule proposes anything for {subject!r}: the rule set needs a fallback rule"
        )
    # A choice's score is the best any rule gave it; its rules are listed from the one
    # that gave that score down, so the first rule is the one that decided the rank.
    ranked = sorted(
        (
            Proposal(
                c,
                max(s for s, _ in given),
                tuple(r for _, r in sorted(given, key=lambda x: (-x[0], x[1]))),
            )
            for c, given in merged.items()
        ),
        key=lambda p: (-p.score, _complexity(p.choice), p.choice),
    )
    return SubjectProposals(
        subject=subject,
        ranked=tuple(ranked),
        findings=tuple(f for _, f in fired),
        rejected=tuple(rejected),
    )


def _complexity(choice: str) -> int:
    spec = CATALOG.get(choice)
    return spec.complexity if spec is not None else 0


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
