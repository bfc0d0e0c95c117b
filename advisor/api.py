"""The Python entry point: `advise()` runs load -> profile -> rules -> search -> fit."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from advisor.advice.advice import Advice
from advisor.advice.distributions import feature_distributions
from advisor.errors import InputError
from advisor.io.load import TaskArg, load_table
from advisor.io.sample import stratified_sample
from advisor.network.nets import LEARNING_RATE, NetSpec, size_network
from advisor.plan.target import LabelCodec, TargetTransformer
from advisor.profiling.profile import profile_path, profile_table
from advisor.profiling.types import DatasetProfile
from advisor.rules.autoscaler import AutoScaler
from advisor.rules.engine import apply_rules, load_rules
from advisor.rules.model import Proposals
from advisor.search.budgets import BUDGETS
from advisor.search.folds import Split
from advisor.search.results import search_to_dict
from advisor.search.run import run_search
from advisor.search.space import search_space


def profile_dataset(
    data: str | os.PathLike[str] | pd.DataFrame | np.ndarray,
    seed: int = 0,
    streaming: bool | None = None,
) -> DatasetProfile:
    """Profile every column of ``data``: a CSV (plain or gzip) or Parquet path -- streamed
    in bounded memory when it is larger than memory allows -- a DataFrame, or a 2-D array
    (columns named x0, x1, ...). See docs/profiler.md for every statistic."""
    if isinstance(data, (str, os.PathLike)):
        return profile_path(data, seed=seed, streaming=streaming)
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise InputError(f"expected a 2-D array of features, got {data.ndim} dimensions")
        data = pd.DataFrame(data, columns=[f"x{i}" for i in range(data.shape[1])])
    return profile_table(load_table(data), seed=seed)


def _features_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    values = np.asarray(X)
    if values.ndim != 2:
        raise InputError(f"expected a 2-D array of features, got {values.ndim} dimensions")
    return pd.DataFrame(values, columns=[f"x{i}" for i in range(values.shape[1])])


def _with_target_column(data: Any, target: Any) -> tuple[Any, str | None]:
    """``(X, y)`` pairs, arrays and target values become one DataFrame with a named
    target column; paths and DataFrames with a target name pass through unchanged."""
    if isinstance(data, tuple):
        if len(data) != 2:
            raise InputError(f"expected data as an (X, y) pair, got a tuple of {len(data)}")
        if target is not None:
            raise InputError("give the target either inside (X, y) or as target=, not both")
        data, target = data
    if isinstance(data, np.ndarray) or (
        not isinstance(data, (str, os.PathLike, pd.DataFrame)) and hasattr(data, "__array__")
    ):
        data = _features_frame(data)
    if target is None or isinstance(target, str):
        return data, target
    if not isinstance(data, pd.DataFrame):
        raise InputError("target values (not a column name) need data as a DataFrame or array")
    values = target.to_numpy() if isinstance(target, pd.Series) else np.asarray(target)
    if values.ndim != 1 or len(values) != len(data):
        raise InputError(
            f"target must be one value per row: {len(data)} rows of features, "
            f"target of shape {values.shape}"
        )
    name = str(target.name) if isinstance(target, pd.Series) and target.name is not None else "y"
    while name in data.columns:
        name = f"{name}_"
    frame = data.copy(deep=False)
    frame[name] = values
    return frame, name


def _subset_split(split: Split | None, rows: np.ndarray) -> Split | None:
    if split is None:
        return None
    return Split(
        groups=tuple(split.groups[i] for i in rows) if split.groups is not None else None,
        order=tuple(split.order[i] for i in rows) if split.order is not None else None,
    )


def _fired(proposals: Proposals) -> list[str]:
    entries = [*proposals.features, proposals.in_network]
    if proposals.target is not None:
        entries.append(proposals.target)
    return [f.rule_id for entry in entries for f in entry.findings]


def advise(
    data: str | os.PathLike[str] | pd.DataFrame | np.ndarray | tuple[Any, Any],
    target: str | Any | None = None,
    task: TaskArg = "auto",
    budget: str = "fast",
    seed: int = 0,
    rules: Iterable[str | os.PathLike[str]] = (),
    disable_rules: Iterable[str] = (),
    overrides: Mapping[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
    work_dir: str | os.PathLike[str] | None = None,
    max_trials: int | None = None,
    time_limit: float | None = None,
    groups: str | None = None,
    time_order: str | None = None,
    sample_rows: int | None = None,
) -> Advice:
    """Profile ``data``, propose a scaler per feature, validate by cross-validated search
    when a target is given, and return the `Advice` with a fitted pipeline.

    Parameters
    ----------
    data : a CSV (plain or gzip) or Parquet path, a DataFrame (never modified), a 2-D
        array of features (columns x0, x1, ...), or an ``(X, y)`` pair of those
    target : the target column's name; or the target values themselves (an array or
        Series, one per row of ``data``); without a target the advice is the rules' plan,
        unvalidated
    task : "auto" (inferred from the target), "classification" or "regression"
    budget : "fast", "standard" or "thorough" (folds and training steps of the search)
    seed : every random choice derives from it: same seed, same advice
    rules : extra rule files (TOML) that add rules or override built-in ones by id
    disable_rules : rule ids to switch off
    overrides : per-column decisions that beat the rules: {"price": "robust", "id": "drop",
        "code": "keep"}; added to a rule file's own [overrides] table
    progress : called with a short message as the search advances
    work_dir : where the search keeps its trials (default: the user's cache directory);
        a rerun of the same search resumes or reuses them
    max_trials, time_limit : cap the search at this many candidates, or start no new
        trial after this many seconds (the default candidate always runs)
    groups : a column whose values must not be split across folds (patients, customers);
        it is dropped from the features
    time_order : a column giving the rows' time order: folds train on the past and
        validate on the future
    sample_rows : above this many rows, the search and the final fit use a seeded sample
        stratified by class (or target decile); default from the budget (fast 50,000,
        standard 100,000, thorough 200,000). The advice's notes and ``search["sample"]``
        say when it happened.

    Examples
    --------
    Without a target, the advice is the rules' plan:

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"height": rng.normal(170, 10, 500),
    ...                       "income": rng.lognormal(10, 1, 500)})
    >>> advice = advise(frame)
    >>> dict(advice.plan.scalers)
    {'height': 'standard', 'income': 'log1p_standard'}
    >>> advice.transform(frame).shape
    (500, 2)

    With a target, a cross-validated search validates it (seconds to a minute):

    >>> advice = advise("sample_data/penguins.csv", target="species")  # doctest: +SKIP
    >>> advice.search["winner"], advice.in_network  # doctest: +SKIP
    ('rules+none', 'none')
    """
    if budget not in BUDGETS:
        raise InputError(f"budget must be one of {', '.join(BUDGETS)}, got {budget!r}")
    frame, target = _with_target_column(data, target)
    table = load_table(frame, target=target, task=task)
    split = None
    for option, column in (("groups", groups), ("time_order", time_order)):
        if column is not None and column not in table.features.columns:
            raise InputError(f"{table.source}: {option} column {column!r} not found")
    if groups is not None:
        split = Split(groups=tuple(table.features[groups].astype(str)))
        overrides = {**dict(overrides or {}), groups: "drop"}
    elif time_order is not None:
        split = Split(order=tuple(table.features[time_order].astype(str).tolist())
                      if table.features[time_order].dtype == object
                      else tuple(table.features[time_order].tolist()))  # fmt: skip
    profile = profile_table(table)
    ruleset = load_rules(rules, disable_rules)
    proposals = apply_rules(profile, ruleset, overrides=overrides)
    rule_plan = proposals.rule_plan()
    if not rule_plan.scalers and not rule_plan.categorical:
        raise InputError(
            f"{table.source}: no usable feature column (all were dropped: "
            f"{', '.join(rule_plan.dropped[:5])})"
        )
    notes = [f"{n.column}: {n.message}" for n in table.notes]
    search = None
    plan = rule_plan
    in_network = "none"
    placement: str = "before"
    learning_rate: float | None = None
    classes = None
    target_tt = None
    features = table.features
    sample: dict[str, Any] | None = None
    if table.target is not None and table.task is not None:
        target_method = proposals.target.top if proposals.target is not None else None
        candidates = search_space(proposals, budget).candidates()
        chosen = BUDGETS[budget]
        if max_trials is not None or time_limit is not None:
            if max_trials is not None and max_trials < 1:
                raise InputError(f"max_trials must be at least 1, got {max_trials}")
            chosen = dataclasses.replace(
                chosen,
                max_trials=max_trials if max_trials is not None else chosen.max_trials,
                time_limit=time_limit,
            )
        if sample_rows is not None:
            if sample_rows < 100:
                raise InputError(f"sample_rows must be at least 100, got {sample_rows}")
            chosen = dataclasses.replace(chosen, sample_rows=sample_rows)
        features, target_values = table.features, table.target
        if table.n_rows > chosen.sample_rows:
            rows = stratified_sample(table.target, table.task, chosen.sample_rows, seed)
            features, target_values = features.iloc[rows], target_values.iloc[rows]
            split = _subset_split(split, rows)
            by = "class" if table.task == "classification" else "target decile"
            sample = {"rows": int(rows.size), "of": table.n_rows, "stratified_by": by}
            notes.append(
                f"big data: the search and the final fit used a seeded sample of {rows.size} "
                f"of {table.n_rows} rows, stratified by {by} (sample_rows of the "
                f"{budget} budget: {chosen.sample_rows})"
            )
        search = run_search(
            features,
            target_values,
            table.task,
            candidates,
            target_method=target_method,
            budget=chosen,
            seed=seed,
            progress=progress,
            work_dir=work_dir,
            split=split,
        )
        winner = next(c for c in candidates if c.key == search.winner_key)
        plan, in_network = winner.plan, winner.in_network
        placement, learning_rate = winner.placement, winner.learning_rate
        if table.task == "classification":
            classes = tuple(LabelCodec.fit(table.target).classes)
        else:
            target_tt = TargetTransformer(target_method or "standard").fit(table.target)
    else:
        notes.append(
            "no target given: the plan comes from the rules alone; validation needs --target"
        )
    pipeline = AutoScaler(plan=plan, seed=seed).fit(features)
    distributions = feature_distributions(features, pipeline.transformer_, seed=seed)
    n_inputs = len(pipeline.get_feature_names_out())
    if search is not None:
        net: NetSpec | None = NetSpec(
            **{
                **search.net.to_dict(),
                "n_inputs": n_inputs,
                "in_network": in_network,
                "placement": placement,
                "learning_rate": learning_rate or search.net.learning_rate,
            }
        )
    elif table.task is not None:
        width, depth = size_network(n_inputs)
        net = NetSpec(table.task, n_inputs, 1, width, depth, LEARNING_RATE, in_network)
    else:
        net = None
    return Advice(
        plan=plan,
        in_network=in_network,
        pipeline=pipeline,
        task=table.task,
        target_name=table.target_name,
        seed=seed,
        budget=budget,
        profile=profile.to_dict(),
        proposals={**proposals.to_dict(), "rules": ruleset.describe(_fired(proposals))},
        search={**search_to_dict(search), "sample": sample} if search is not None else None,
        classes=classes,
        target_transformer=target_tt,
        net=net,
        notes=tuple(notes),
        source=table.source,
        distributions=distributions,
        profile_obj=profile,
        proposals_obj=proposals,
        search_obj=search,
    )
