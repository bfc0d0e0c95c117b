"""The search space: which candidates a budget validates.

* ``fast``: the rules' plan (robust scaling + smooth clip on the numbers, the baseline),
  the "shapes" plan (the other rules' shape transforms and bounded scalings without the
  baseline), standardize-everything and no scaling, each without in-network
  normalization; BatchNorm and LayerNorm with the rules' plan and with no scaling (the
  folklore's "let BatchNorm scale the inputs"), `FAST_NORMALIZED` (grid, 8 trials; 9 when
  text columns with many categories add the rules' plan with skrub's StringEncoder in
  place of one-hot encoding). The quality benchmark's decision study found the other
  plans' BatchNorm and LayerNorm candidates added nothing on its calibration half (the
  same mean rank and losses without them, a lower median regret) while they cost a third
  of the search's training.
* ``standard``: adds plans that swap in runner-up proposals where a feature's choice is
  uncertain (the top two scores within ``UNCERTAIN_MARGIN``), the global controls (none,
  standard, min-max, robust, quantile-normal, Yeo-Johnson, robust + smooth clip on every
  numeric feature) and batch renormalization and GroupNorm (Bayesian optimization).
* ``thorough``: adds normalization after the activation and a learning-rate choice.

The numeric encodings the encoding rules propose (piecewise-linear bins, periodic
embeddings: `advisor.plan.encodings`) are candidates of every budget, each with the
default's plan and network.

For regression, the target transforms the rules rank below their first choice (log1p then
z-score, for a skewed non-negative target) are candidates too, each with the default's
plan and network: every candidate is scored in the target's own units, so the search
decides the target transform by the same rule as the inputs.

The first candidate is always the rules' plan without in-network normalization, with the
rules' baseline encoding where one fires (periodic embeddings, NRM303): the
default every other candidate must beat.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import cast

from advisor.network import norms
from advisor.plan.catalog import controls
from advisor.plan.plans import Candidate, InputPlan
from advisor.rules.model import Proposals
from advisor.vocab import Encoding, InNetwork, Placement

#: A feature's choice is uncertain when its runner-up scores within this many points.
UNCERTAIN_MARGIN = 10.0
#: At most this many single-feature swap plans (the most uncertain features first).
MAX_SWAPS = 3

#: The global controls of the fast budget: the folklore (standardize everything) and no
#: scaling at all. (RealMLP's robust scaling + smooth clip on every feature, the best fixed
#: strategy of the quality benchmark's calibration half, is the rules' baseline now.)
FAST_CONTROLS = (("standard", "standard"), ("none", "passthrough"))
#: The plans the fast budget also tries with in-network normalization: the rules' plan,
#: and no scaling at all (the normalization layer as the only scaler).
FAST_NORMALIZED = ("rules", "none")

#: The global controls of the standard budget, (plan name, scaler key): the catalog's
#: entries with a `Control`, in its rank order.
CONTROLS = controls()


@dataclass(frozen=True)
class Space:
    plans: tuple[InputPlan, ...]
    in_network: tuple[InNetwork, ...]
    placements: tuple[Placement, ...] = ("before",)
    learning_rates: tuple[float | None, ...] = (None,)
    #: Regression: the rules' other target transforms, each tried with the default's
    #: plan and network (the default trains on the rules' first choice).
    targets: tuple[str, ...] = ()
    #: The numeric encodings the rules propose, each tried with the default's plan and
    #: network; ``bins``: the piecewise-linear encoding's columns and bin counts;
    #: ``default_encoding``: the default candidate's (a baseline encoding rule's), which
    #: the default's plan without it then challenges.
    encodings: tuple[Encoding, ...] = ()
    bins: tuple[tuple[str, int], ...] = ()
    default_encoding: Encoding = "none"
    #: The plans tried with in-network normalization other than none (by name); empty:
    #: every plan.
    normalized: tuple[str, ...] = ()

    def candidates(self) -> tuple[Candidate, ...]:
        out = []
        for lr in self.learning_rates:
            for placement in self.placements:
                for norm in self.in_network:
                    if norm == "none" and placement != "before":
                        continue  # nothing to place
                    for plan in self.plans:
                        if norm != "none" and self.normalized and plan.name not in self.normalized:
                            continue
                        out.append(Candidate(plan, norm, placement, lr))
        # The default first: the rules' plan, no normalization, default placement and rate,
        # and the rules' baseline encoding (the plan without it is then a challenger).
        plain = Candidate(self.plans[0], "none", "before", self.learning_rates[0])
        default = self._encoded(plain, self.default_encoding)
        if default == plain:
            out.remove(plain)
        out += [dataclasses.replace(default, target=method) for method in self.targets]
        for encoding in self.encodings:
            if encoding != self.default_encoding and (encoding != "ple" or self.bins):
                out.append(self._encoded(plain, encoding))
        return (default, *out)

    def _encoded(self, candidate: Candidate, encoding: Encoding) -> Candidate:
        bins = self.bins if encoding == "ple" else ()
        return dataclasses.replace(candidate, encoding=encoding, bins=bins)


def runner_up_plans(proposals: Proposals, rule_plan: InputPlan) -> list[InputPlan]:
    """Plans that swap in the runner-up where the rules are unsure: one with every
    uncertain feature swapped, and one per feature for the most uncertain few."""
    scalers = dict(rule_plan.scalers)
    uncertain: list[tuple[float, str, str]] = []
    for entry in proposals.features:
        if entry.subject not in scalers or len(entry.ranked) < 2:
            continue
        top, second = entry.ranked[0], entry.ranked[1]
        margin = top.score - second.score
        if margin <= UNCERTAIN_MARGIN and second.choice not in ("drop", "onehot"):
            uncertain.append((margin, entry.subject, second.choice))
    if not uncertain:
        return []
    uncertain.sort()
    plans = []

    def swapped(name: str, changes: dict[str, str]) -> InputPlan:
        return InputPlan(
            name,
            tuple((c, changes.get(c, k)) for c, k in rule_plan.scalers),
            rule_plan.categorical,
            rule_plan.dropped,
        )

    plans.append(swapped("runner-ups", {c: k for _, c, k in uncertain}))
    if len(uncertain) > 1:
        for _, column, key in uncertain[:MAX_SWAPS]:
            plans.append(swapped(f"swap:{column}={key}", {column: key}))
    return plans


def text_encoder_plan(proposals: Proposals, rule_plan: InputPlan) -> InputPlan | None:
    """The rules' plan with skrub's StringEncoder instead of one-hot encoding on the text
    columns the rules offer it for (many categories), or None when there are none."""
    swap = tuple(
        entry.subject
        for entry in proposals.features
        if entry.subject in rule_plan.categorical
        and any(p.choice == "string_encoder" for p in entry.ranked)
    )
    if not swap:
        return None
    return InputPlan(
        "string-encoder",
        rule_plan.scalers,
        tuple(c for c in rule_plan.categorical if c not in swap),
        rule_plan.dropped,
        rule_plan.dates,
        (*rule_plan.text_encoded, *swap),
    )


def _columns(plan: InputPlan) -> tuple[object, ...]:
    return (plan.scalers, plan.categorical, plan.dates, plan.text_encoded, plan.dropped)


def other_targets(proposals: Proposals) -> tuple[str, ...]:
    """The target transforms the rules rank below their first choice (regression)."""
    if proposals.target is None:
        return ()
    return tuple(p.choice for p in proposals.target.ranked[1:] if p.choice != proposals.target.top)


def search_space(proposals: Proposals, budget: str) -> Space:
    space = _space(proposals, budget)
    encodings = tuple(cast(Encoding, choice) for choice, _ in proposals.encoding_choices())
    return dataclasses.replace(
        space,
        targets=other_targets(proposals),
        encodings=encodings,
        bins=proposals.ple_bins,
        default_encoding=cast(Encoding, proposals.default_encoding),
    )


def _space(proposals: Proposals, budget: str) -> Space:
    rule_plan = proposals.rule_plan()
    plans: list[InputPlan] = [rule_plan]

    def add(plan: InputPlan | None) -> None:
        if plan is not None and all(_columns(plan) != _columns(p) for p in plans):
            plans.append(plan)

    add(text_encoder_plan(proposals, rule_plan))
    add(proposals.shapes_plan())

    if budget == "fast":
        for name, key in FAST_CONTROLS:
            add(rule_plan.with_all(name, key))
        return Space(tuple(plans), norms.for_budget(budget), normalized=FAST_NORMALIZED)
    for plan in runner_up_plans(proposals, rule_plan):
        add(plan)
    for name, key in CONTROLS:
        add(rule_plan.with_all(name, key))
    in_network = norms.for_budget(budget)
    if budget == "standard":
        return Space(tuple(plans), in_network)
    return Space(tuple(plans), in_network, ("before", "after"), (None, 3e-4, 3e-3))
