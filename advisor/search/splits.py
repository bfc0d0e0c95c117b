"""How the folds were made, as a value: the `FoldPlan` (the split's kind and column, the
units, the folds asked for and used, the gap), which the advice file states and every
report shows (`advisor.report.search_view`). The split a user asked for (`Split`) is in
`advisor.table.units`; the folds themselves are made in `advisor.search.folds`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FoldPlan:
    """How the folds were made: the split's kind and column, how many groups or distinct
    time values there were, the folds asked for and used (and why fewer), whether they
    are stratified by class, and the time gap."""

    kind: str  # "kfold", "group" or "time"
    asked: int
    used: int
    column: str | None = None
    units: int | None = None  # groups, or distinct time values
    fewer_because: str | None = None
    stratified: bool = False
    gap: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "column": self.column,
            "units": self.units,
            "folds_asked": self.asked,
            "folds": self.used,
            "fewer_because": self.fewer_because,
            "stratified": self.stratified,
            "gap": self.gap,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FoldPlan:
        return cls(
            kind=str(data["kind"]),
            asked=int(data["folds_asked"]),
            used=int(data["folds"]),
            column=data.get("column"),
            units=data.get("units"),
            fewer_because=data.get("fewer_because"),
            stratified=bool(data.get("stratified", False)),
            gap=int(data.get("gap", 0)),
        )
