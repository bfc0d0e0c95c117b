"""Plans: a scaler per feature plus an in-network normalization, and the candidate set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.network.norms import for_budget
from advisor.plan.catalog import get_spec
from advisor.vocab import Encoding, InNetwork, Placement


@dataclass(frozen=True)
class InputPlan:
    """How each input column is prepared: a scaler key per kept numeric column, the
    categorical columns to one-hot encode, the date columns to turn into calendar
    features, and the columns to drop."""

    name: str
    scalers: tuple[tuple[str, str], ...]
    categorical: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    #: Text columns encoded by skrub's StringEncoder instead of one-hot.
    text_encoded: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for _, key in self.scalers:
            get_spec(key)

    @property
    def numeric(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.scalers)

    @property
    def n_features(self) -> int:
        """The feature columns the plan uses, each counted once however many inputs its
        encoding makes (one-hot levels, calendar features, text components)."""
        return len(self.scalers) + len(self.categorical) + len(self.dates) + len(self.text_encoded)

    def scaler_for(self, column: str) -> str:
        for name, key in self.scalers:
            if name == column:
                return key
        raise KeyError(column)

    def with_all(self, name: str, key: str) -> InputPlan:
        """The same columns with one scaler everywhere (a global control)."""
        return InputPlan(
            name=name,
            scalers=tuple((column, key) for column, _ in self.scalers),
            categorical=self.categorical,
            dropped=self.dropped,
            dates=self.dates,
            text_encoded=self.text_encoded,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "scalers": {column: key for column, key in self.scalers},
            "categorical": list(self.categorical),
            "dropped": list(self.dropped),
            "dates": list(self.dates),
            "text_encoded": list(self.text_encoded),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputPlan:
        return cls(
            name=str(data["name"]),
            scalers=tuple((str(c), str(k)) for c, k in data["scalers"].items()),
            categorical=tuple(str(c) for c in data.get("categorical", ())),
            dropped=tuple(str(c) for c in data.get("dropped", ())),
            dates=tuple(str(c) for c in data.get("dates", ())),
            text_encoded=tuple(str(c) for c in data.get("text_encoded", ())),
        )


#: The in-network choices of the fast search (from the registry).
IN_NETWORK = for_budget("fast")


@dataclass(frozen=True)
class Candidate:
    """One point of the search: an input plan with an in-network normalization, where it
    sits (before or after the activation), optionally a learning rate, for regression a
    target transform other than the search's default, and a numeric encoding
    (`advisor.plan.encodings`: ``bins`` are the piecewise-linear encoding's columns and
    bin counts)."""

    plan: InputPlan
    in_network: InNetwork
    placement: Placement = "before"
    learning_rate: float | None = None
    target: str | None = None
    encoding: Encoding = "none"
    bins: tuple[tuple[str, int], ...] = ()

    @property
    def key(self) -> str:
        key = f"{self.plan.name}+{self.in_network}"
        if self.placement != "before" and self.in_network != "none":
            key += "@after"
        if self.learning_rate is not None:
            key += f"@lr{self.learning_rate:g}"
        if self.target is not None:
            key += f"@target={self.target}"
        if self.encoding != "none":
            key += f"@{self.encoding}"
        return key

    @property
    def complexity(self) -> int:
        """Simpler candidates win ties: no numeric encoding, no in-network layer, then
        simpler scalers, then the default target transform."""
        network = 0 if self.in_network == "none" else 1
        scalers = max((get_spec(k).complexity for _, k in self.plan.scalers), default=0)
        after = 10 if self.placement == "after" else 0
        encoded = 200 if self.encoding != "none" else 0
        return encoded + network * 100 + scalers + after + (5 if self.target is not None else 0)


def make_candidates(
    rule_plan: InputPlan, in_network: tuple[InNetwork, ...] = IN_NETWORK
) -> tuple[Candidate, ...]:
    """The rule plan, standardize-everything and no scaling, each with every in-network
    choice. The first candidate is the default the others must beat."""
    plans = [rule_plan]
    for name, key in (("standard", "standard"), ("none", "passthrough")):
        control = rule_plan.with_all(name, key)
        if control.scalers != rule_plan.scalers:
            plans.append(control)
    return tuple(Candidate(plan, norm) for norm in in_network for plan in plans)
