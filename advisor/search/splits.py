"""How rows are split for validation, as values: the `Split` a user asked for (shuffled
k-fold, by group, in time order) and the `FoldPlan` saying how the folds were made, which
the advice file states and every report shows (`advisor.report.search_view`). The folds
themselves are made in `advisor.search.folds`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Split:
    """How rows are split into folds: shuffled k-fold (stratified for classification),
    by group (no group in two folds), or in time order (train on the past only, ``gap``
    time values left out between training and validation). ``column``: the group or time
    column's name, for the reports."""

    groups: tuple[Any, ...] | None = None
    order: tuple[Any, ...] | None = None
    column: str | None = None
    gap: int = 0

    @property
    def kind(self) -> str:
        return "group" if self.groups is not None else "time" if self.order is not None else "kfold"

    def subset(self, rows: np.ndarray) -> Split:
        """The same split on the rows at positions ``rows``."""
        return replace(
            self,
            groups=None if self.groups is None else tuple(self.groups[i] for i in rows),
            order=None if self.order is None else tuple(self.order[i] for i in rows),
        )


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
