"""Rule files: TOML text becomes `Rule` values, checked field by field.

In: the built-in rule files (package data) and user rule files (TOML text).
Out: `Rule` lists and ``[overrides]`` tables; every error is one `RuleError` line naming
the file, the rule and the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, cast

from advisor.errors import RuleError
from advisor.network.norms import NORMS
from advisor.plan.catalog import CATALOG
from advisor.profiling.types import DATASET_FIELDS, FEATURE_FIELDS
from advisor.rules.expr import Condition, ExpressionError, parse_condition
from advisor.rules.model import Rationale, Rule
from advisor.vocab import (
    ENCODINGS,
    RULE_SCOPES,
    RULE_STATUSES,
    TARGET_METHODS,
    RuleScope,
    RuleStatus,
)

SCOPES = RULE_SCOPES
STATUSES = RULE_STATUSES
#: Fields a dataset rule may read (the columns' own profiles are not dataset facts).
DATASET_CONDITION_FIELDS = frozenset(
    DATASET_FIELDS - {"features", "target", "excluded", "notes", "layout"}
)
#: A feature rule reads its column's fields and, under names the column does not use, the
#: dataset's facts (``image_like``, ``n_numeric``, ...): some choices depend on both.
FEATURE_CONDITION_FIELDS = FEATURE_FIELDS | DATASET_CONDITION_FIELDS
#: What an ``[overrides]`` entry may say besides a scaler key.
OVERRIDE_CHOICES = ("drop", "keep")


def rules_directory() -> Any:
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
    root: Any = rules_directory()
    names = sorted(p.name for p in root.iterdir() if p.name.endswith(".toml"))
    return [(name, (root / name).read_text(encoding="utf-8")) for name in names]


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
    """One ``[[rule]]`` table as a `Rule`, its fields checked in the order they are listed;
    the first error raised names the file, the rule and the field."""
    where = f"{source}: rule #{index + 1}"
    if not isinstance(entry, dict):
        raise RuleError(f"{where}: must be a table")
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise RuleError(f"{where}: field 'id' is required (a string such as 'NRM001')")
    where = f"{source}: rule {rule_id}"
    name = _need_str(entry, where, "name")
    status, scope = _status_and_scope(entry, where)
    condition = _condition(entry, where, scope)
    proposals = _proposals(entry, where, scope)
    rationale = _rationale(entry, where)
    exclusive, baseline = _flags(entry, where, scope)
    _check_known_fields(entry, where)
    return Rule(
        id=rule_id.strip(),
        name=name,
        status=status,
        scope=scope,
        condition=condition,
        proposals=proposals,
        rationale=rationale,
        exclusive=exclusive,
        baseline=baseline,
        note=" ".join(str(entry.get("note", "")).split()),
    )


def _need_str(entry: dict[str, Any], where: str, key: str, default: str | None = None) -> str:
    """The field ``key`` (or ``default`` when absent) as a non-empty string, stripped."""
    value = entry.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{where}: field {key!r} must be a non-empty string")
    return value.strip()


def _status_and_scope(entry: dict[str, Any], where: str) -> tuple[RuleStatus, RuleScope]:
    """The rule's lifecycle status (default stable) and scope (default feature)."""
    status = _need_str(entry, where, "status", "stable")
    if status not in STATUSES:
        raise RuleError(f"{where}: field 'status' must be one of {', '.join(STATUSES)}")
    scope = _need_str(entry, where, "scope", "feature")
    if scope not in SCOPES:
        raise RuleError(f"{where}: field 'scope' must be one of {', '.join(SCOPES)}")
    # Checked against RULE_STATUSES and RULE_SCOPES above.
    return cast(RuleStatus, status), cast(RuleScope, scope)


def _condition(entry: dict[str, Any], where: str, scope: str) -> Condition:
    """The field ``when``, parsed over the fields a rule of ``scope`` may read."""
    fields = {
        "feature": FEATURE_CONDITION_FIELDS,
        "encoding": FEATURE_CONDITION_FIELDS,  # read per numeric column, as feature rules
        "target": FEATURE_FIELDS,
    }.get(scope, DATASET_CONDITION_FIELDS)
    try:
        return parse_condition(_need_str(entry, where, "when"), frozenset(fields))
    except ExpressionError as exc:
        raise RuleError(f"{where}: field 'when': {exc}") from None


def _proposals(entry: dict[str, Any], where: str, scope: str) -> tuple[tuple[str, float], ...]:
    """The field ``propose``: (choice, score) pairs, each choice known for ``scope`` and
    each score a number (50 when left out)."""
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
    return tuple(proposals)


def _rationale(entry: dict[str, Any], where: str) -> Rationale:
    """The field ``rationale``: triggers, why and example, each a non-empty string (its
    whitespace runs made single spaces)."""
    why = entry.get("rationale")
    if not isinstance(why, dict):
        raise RuleError(f"{where}: field 'rationale' must be a table with triggers, why, example")
    parts = []
    for key in ("triggers", "why", "example"):
        value = why.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RuleError(f"{where}: field 'rationale.{key}' must be a non-empty string")
        parts.append(" ".join(value.split()))
    return Rationale(*parts)


def _flags(entry: dict[str, Any], where: str, scope: str) -> tuple[bool, bool]:
    """The fields ``exclusive`` and ``baseline`` (false when left out); only a feature or
    encoding rule that is not exclusive can be a baseline."""
    exclusive = entry.get("exclusive", False)
    if not isinstance(exclusive, bool):
        raise RuleError(f"{where}: field 'exclusive' must be true or false")
    baseline = entry.get("baseline", False)
    if not isinstance(baseline, bool):
        raise RuleError(f"{where}: field 'baseline' must be true or false")
    if baseline and (scope not in ("feature", "encoding") or exclusive):
        raise RuleError(
            f"{where}: only a feature or encoding rule that is not exclusive can be a baseline"
        )
    return exclusive, baseline


def _check_known_fields(entry: dict[str, Any], where: str) -> None:
    """Raise on the first field (in name order) that a rule does not have."""
    known = {
        "id", "name", "status", "scope", "when", "propose", "rationale", "exclusive",
        "baseline", "note",
    }  # fmt: skip
    extra = set(entry) - known
    if extra:
        raise RuleError(f"{where}: unknown field {sorted(extra)[0]!r}")


def _check_choice(use: Any, scope: str, where: str) -> None:
    if scope == "dataset":
        allowed: Iterable[str] = NORMS
    elif scope == "target":
        allowed = TARGET_METHODS
    elif scope == "encoding":
        allowed = ENCODINGS
    else:
        allowed = CATALOG
    if use not in allowed:
        raise RuleError(
            f"{where}: field 'propose': unknown choice {use!r} for scope {scope!r} "
            f"(known: {', '.join(allowed)})"
        )
