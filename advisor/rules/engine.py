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

A *baseline* rule states the default treatment of a kind of column (robust scaling with a
smooth clip for numbers). Where it decides a column's top proposal, the engine also ranks
the other rules alone, and their first choice goes into ``Proposals.shapes``: the plan the
search validates beside the baseline (`Proposals.shapes_plan`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from advisor.errors import RuleError
from advisor.plan.catalog import CATALOG, get_spec
from advisor.plan.encodings import ple_bins
from advisor.profiling.types import FEATURE_FIELDS, DatasetProfile, FeatureProfile
from advisor.rules.model import (
    Finding,
    Proposal,
    Proposals,
    Rule,
    RuleSet,
    SubjectProposals,
)
from advisor.rules.parse import OVERRIDE_CHOICES, builtin_rule_text, parse_overrides, parse_rules


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


USER_RULE = "USER"


def apply_rules(
    profile: DatasetProfile,
    ruleset: RuleSet,
    overrides: Mapping[str, str] | None = None,
    exportable_only: bool = False,
) -> Proposals:
    """Run every active rule on ``profile``; return ranked proposals per subject.

    ``overrides`` (column -> scaler key, "drop" or "keep") beat the rules and add to the
    rule file's own ``[overrides]``; a forced choice is ranked first under the id USER,
    the rules' proposals follow it. ``exportable_only`` rejects every choice without a
    Keras export (`ScalerSpec.keras_export`), with the reason.
    """
    forced = _forced_choices(profile, ruleset, overrides)
    features = []
    shapes = []
    rules = ruleset.active("feature")
    baselines = {r.id for r in rules if r.baseline}
    for feature in profile.features:
        lookup = feature_lookup(feature, profile)
        result = evaluate_rules(feature.name, rules, lookup, feature)
        if result.ranked[0].rule_ids[0] in baselines and feature.name not in forced:
            shape = _shape_choice(feature, rules, lookup, exportable_only)
            if shape is not None:
                shapes.append((feature.name, shape))
        if feature.name in forced:
            result = _override(result, forced[feature.name], feature, ruleset, lookup)
        if exportable_only:
            result = _exportable(result)
        features.append(result)
    network = evaluate_rules("network", ruleset.active("dataset"), profile.field_value, None)
    encodings = _encodings(profile, ruleset, features)
    target = None
    if profile.target is not None:
        tp = profile.target
        target = evaluate_rules("target", ruleset.active("target"), tp.field_value, None)
    return Proposals(
        features=tuple(features),
        in_network=network,
        target=target,
        dropped=_topped_by(features, "drop"),
        categorical=_topped_by(features, "onehot"),
        dates=_topped_by(features, "date_features"),
        text_encoded=_topped_by(features, "string_encoder"),
        shapes=tuple(shapes),
        encodings=encodings,
        default_encoding=_default_encoding(encodings, ruleset),
        ple_bins=ple_bins(
            {
                entry.subject: profile.feature(entry.subject).n_distinct
                for entry in features
                if entry.top not in SET_ASIDE
            }
        ),
    )


def _default_encoding(encodings: tuple[SubjectProposals, ...], ruleset: RuleSet) -> str:
    """The encoding a baseline encoding rule proposes for any column ("none" if none does):
    the default candidate's encoding."""
    baselines = {r.id for r in ruleset.active("encoding") if r.baseline}
    for entry in encodings:
        for proposal in entry.ranked:
            if baselines & set(proposal.rule_ids):
                return proposal.choice
    return "none"


#: Top proposals that take a column out of the scaled numbers.
SET_ASIDE = frozenset({"drop", "onehot", "date_features", "string_encoder"})


def _encodings(
    profile: DatasetProfile, ruleset: RuleSet, features: list[SubjectProposals]
) -> tuple[SubjectProposals, ...]:
    """The numeric encodings the encoding rules propose for each scaled numeric column
    (the columns where none fires are left out)."""
    rules = ruleset.active("encoding")
    out = []
    for result in features:
        if result.top in SET_ASIDE:
            continue
        feature = profile.feature(result.subject)
        lookup = feature_lookup(feature, profile)
        proposed = evaluate_rules(feature.name, rules, lookup, None, allow_empty=True)
        if proposed.ranked:
            out.append(proposed)
    return tuple(out)


def _forced_choices(
    profile: DatasetProfile, ruleset: RuleSet, overrides: Mapping[str, str] | None
) -> dict[str, str]:
    """The rule file's ``[overrides]`` updated by the caller's, each naming a column of
    ``profile``."""
    forced = {**ruleset.overrides, **dict(overrides or {})}
    names = {f.name for f in profile.features}
    unknown = sorted(set(forced) - names)
    if unknown:
        raise RuleError(f"override names unknown column {unknown[0]!r}")
    return forced


def _shape_choice(
    feature: FeatureProfile, rules: tuple[Rule, ...], lookup: Any, exportable_only: bool
) -> str | None:
    """What the rules other than the baselines rank first for a column the baseline
    decided (its "shapes" choice); None when they propose nothing, or only drop or one-hot."""
    others = tuple(r for r in rules if not r.baseline)
    alternative = evaluate_rules(feature.name, others, lookup, feature, allow_empty=True)
    if exportable_only and alternative.ranked:
        alternative = _exportable(alternative)
    if alternative.ranked and alternative.top not in ("drop", "onehot"):
        return alternative.top
    return None


def _topped_by(features: list[SubjectProposals], choice: str) -> tuple[str, ...]:
    """The columns whose top proposal is ``choice``, in column order."""
    return tuple(result.subject for result in features if result.top == choice)


def _exportable(result: SubjectProposals) -> SubjectProposals:
    """The proposals `Advice.to_keras` can export; the others rejected with the reason."""
    kept = tuple(p for p in result.ranked if CATALOG[p.choice].keras_export)
    if len(kept) == len(result.ranked):
        return result
    dropped = [p for p in result.ranked if not CATALOG[p.choice].keras_export]
    if USER_RULE in dropped[0].rule_ids:
        raise RuleError(
            f"override {result.subject}={dropped[0].choice}: it has no Keras export, and "
            "--exportable (exportable_only=True) allows only choices that export"
        )
    if not kept:
        kept = (Proposal("drop", 0.0, dropped[0].rule_ids),)
    rejected = tuple(
        (p.choice, f"{','.join(p.rule_ids)}: no Keras export (--exportable)") for p in dropped
    )
    return SubjectProposals(result.subject, kept, result.findings, (*result.rejected, *rejected))


def feature_lookup(feature: FeatureProfile, profile: DatasetProfile) -> Any:
    """A feature rule's field lookup: the column's own fields first, then the dataset's."""

    def lookup(name: str) -> Any:
        if name in FEATURE_FIELDS:
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
        kept = evaluate_rules(feature.name, keeping, lookup, feature, allow_empty=True)
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
    if feature.kind == "datetime":
        if choice == "date_features":
            return None
        return "date columns can only become date features or be dropped"
    if feature.kind == "categorical":
        if choice in ("onehot", "string_encoder"):
            return None
        return "text columns can only be one-hot encoded, string-encoded or dropped"
    if choice == "onehot":
        # Numbers that are codes (postal codes, ids of categories): one-hot on request.
        return None
    if feature.count == 0:
        return None
    return get_spec(choice).requires(feature)


def evaluate_rules(
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
