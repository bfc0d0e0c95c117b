"""The last stage of a run: the fitted preprocessing and the `Advice` value.

In: the loaded `Table`, its `DatasetProfile`, the `RuleSet` and its `Proposals`, and the
`Validation` (None without a target). Out: the `Advice`: the winning plan fitted as an
`AutoScaler`, the per-feature distributions, the network to build, notes, and the JSON
forms of the profile, the proposals and the search.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.advice.advice import Advice
from advisor.advice.distributions import feature_distributions
from advisor.errors import InputError
from advisor.network.nets import LEARNING_RATE, NetSpec, size_network
from advisor.options import AdviseOptions
from advisor.plan.target import LabelCodec, TargetTransformer
from advisor.profiling.types import DatasetProfile
from advisor.rules.autoscaler import AutoScaler
from advisor.rules.model import Proposals, RuleSet
from advisor.search.budgets import BUDGETS
from advisor.search.results import search_to_dict
from advisor.search.validate import Validation
from advisor.table.load import Table
from advisor.table.sample import uniform_sample
from advisor.vocab import Encoding, InNetwork

if TYPE_CHECKING:
    import pandas as pd

    from advisor.plan.plans import InputPlan


def check_usable(table: Table, proposals: Proposals) -> None:
    """One `InputError` line when the rules dropped every feature column."""
    plan = proposals.rule_plan()
    if not plan.scalers and not plan.categorical and not plan.dates:
        raise InputError(
            f"{table.source}: no usable feature column (all were dropped: "
            f"{', '.join(plan.dropped[:5])})"
        )


def fired_rules(proposals: Proposals) -> list[str]:
    entries = [*proposals.features, proposals.in_network]
    if proposals.target is not None:
        entries.append(proposals.target)
    return [f.rule_id for entry in entries for f in entry.findings]


def preview(
    table: Table,
    profile: DatasetProfile,
    ruleset: RuleSet,
    proposals: Proposals,
    options: AdviseOptions,
) -> dict[str, Any]:
    """What the advice's JSON form already holds once the rules have spoken (before any
    search or fit): the source, settings, notes, profile, proposals and the rules' plan."""
    return {
        "source": table.source,
        "settings": {
            "target": table.target_name,
            "task": table.task,
            "seed": options.seed,
            "budget": options.budget,
        },
        "advice": {"plan": proposals.rule_plan().to_dict(), "in_network": "none"},
        "notes": [f"{n.column}: {n.message}" for n in table.notes],
        "profile": profile.to_dict(),
        "proposals": {**proposals.to_dict(), "rules": ruleset.describe(fired_rules(proposals))},
    }


def build_advice(
    table: Table,
    profile: DatasetProfile,
    ruleset: RuleSet,
    proposals: Proposals,
    validation: Validation | None,
    options: AdviseOptions,
    drawn: tuple[dict[str, Any], str] | None = None,
) -> Advice:
    """The advice from every stage's result; ``drawn``: where ``table``'s rows were already
    sampled before loading (the Dask path: the search's ``sample`` entry and a note)."""
    notes = [f"{n.column}: {n.message}" for n in table.notes]
    if drawn is not None:
        notes.insert(0, drawn[1])
    in_network: InNetwork = "none"
    plan = proposals.rule_plan()
    encoding: Encoding = "none"
    bins: tuple[tuple[str, int], ...] = ()
    classes = target_tt = None
    search = search_dict = None
    if validation is not None:
        plan, in_network = validation.winner.plan, validation.winner.in_network
        encoding, bins = validation.winner.encoding, validation.winner.bins
        features = validation.features
        notes.extend([validation.note] if validation.note is not None else [])
        classes, target_tt = _target_coding(table, validation)
        search = validation.search
        sample = validation.sample or (drawn[0] if drawn is not None else None)
        search_dict = {**search_to_dict(search), "sample": sample}
    else:
        features = _rules_only_rows(table, options, notes)
    pipeline = AutoScaler(plan=plan, seed=options.seed, bins=bins).fit(features)
    distributions = feature_distributions(features, pipeline.transformer_, seed=options.seed)
    net = _network(table, plan, in_network, validation, len(pipeline.get_feature_names_out()))
    return Advice(
        plan=plan,
        in_network=in_network,
        pipeline=pipeline,
        task=table.task,
        target_name=table.target_name,
        seed=options.seed,
        budget=options.budget,
        profile=profile.to_dict(),
        proposals={**proposals.to_dict(), "rules": ruleset.describe(fired_rules(proposals))},
        search=search_dict,
        classes=classes,
        target_transformer=target_tt,
        net=net,
        notes=tuple(notes),
        source=table.source,
        distributions=distributions,
        encoding=encoding,
        profile_obj=profile,
        proposals_obj=proposals,
        search_obj=search,
    )


def _target_coding(
    table: Table, validation: Validation
) -> tuple[tuple[Any, ...] | None, TargetTransformer | None]:
    """The class labels (classification) or the fitted target transform (regression)."""
    assert table.target is not None
    if table.task == "classification":
        return tuple(LabelCodec.fit(table.target).classes), None
    target_tt = TargetTransformer(validation.target_method or "standard")
    target_tt.fit(table.target)
    return None, target_tt


def _rules_only_rows(table: Table, options: AdviseOptions, notes: list[str]) -> pd.DataFrame:
    """Without a target: the rows the rules' plan is fitted on (a seeded sample above the
    budget's ``sample_rows``), with the notes that say so."""
    notes.append("no target given: the plan comes from the rules alone; validation needs --target")
    limit = options.sample_rows or BUDGETS[options.budget].sample_rows
    if table.n_rows <= limit:
        return table.features
    # As with a target: the fit and the distributions from a seeded sample (a mean
    # or scale within about 1% of the column's spread, quantiles within 0.5 points).
    notes.append(
        f"big data: the fit used a seeded sample of {limit} of {table.n_rows} rows "
        f"(sample_rows of the {options.budget} budget: {limit})"
    )
    return table.features.iloc[uniform_sample(table.n_rows, limit, options.seed)]


def _network(
    table: Table,
    plan: InputPlan,
    in_network: InNetwork,
    validation: Validation | None,
    n_inputs: int,
) -> NetSpec | None:
    """The network `Advice.build_model` builds: the search's, with the winner's
    normalization, placement and learning rate; sized by the plan without a search."""
    if validation is not None and validation.search is not None:
        winner, search = validation.winner, validation.search
        return NetSpec(
            **{
                **search.net.to_dict(),
                "n_inputs": n_inputs,
                "in_network": in_network,
                "placement": winner.placement,
                "learning_rate": winner.learning_rate or search.net.learning_rate,
                "encoding": winner.encoding if winner.encoding == "periodic" else "none",
                "embedded": len(plan.numeric) if winner.encoding == "periodic" else 0,
            }
        )
    if table.task is None:
        return None
    width, depth = size_network(plan.n_features)
    return NetSpec(table.task, n_inputs, 1, width, depth, LEARNING_RATE, in_network)
