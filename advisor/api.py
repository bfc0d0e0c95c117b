"""The Python entry point: `advise()` runs load -> profile -> rules -> search -> fit.

In: a path, a DataFrame, an array or an ``(X, y)`` pair, a target and the options
(`advisor.options.AdviseOptions`). Out: an `Advice` (or a `DatasetProfile` from
`profile_dataset`). Each stage is one call into its subpackage; besides, the later
stages' imports run in a thread while the data is read.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import threading
from typing import TYPE_CHECKING, Any, cast

from advisor.errors import InputError
from advisor.io.sniff import DialectHint
from advisor.vocab import TaskArg

if TYPE_CHECKING:  # the stages are imported when used: profiling alone stays light
    import numpy as np
    import pandas as pd

    from advisor.advice.advice import Advice
    from advisor.cluster.flow import ClusterRows
    from advisor.options import AdviseOptions
    from advisor.profiling.types import DatasetProfile
    from advisor.progress import Progress
    from advisor.table.load import Table


def profile_dataset(
    data: str | os.PathLike[str] | pd.DataFrame | np.ndarray,
    seed: int = 0,
    streaming: bool | None = None,
    *,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    dask: Any = None,
) -> DatasetProfile:
    """Profile every column of ``data``: a CSV (plain or gzip) or Parquet path, or a
    directory or glob of partitions -- streamed in bounded memory when it is larger than
    memory allows -- a DataFrame, or a 2-D array (columns named x0, x1, ...). ``dask``: a
    scheduler address, ``"local"`` / ``"local:N"`` or a `distributed.Client`: the
    partitions are summarized on its workers (the ``[dask]`` extra; docs/scale.md). See
    docs/profiler.md for every statistic."""
    from advisor.profiling.profile import profile_path, profile_table
    from advisor.progress_bar import in_kernel
    from advisor.table.frames import features_frame
    from advisor.table.load import load_table

    if in_kernel():  # a notebook shows the profile as a card
        from advisor.report.notebook import show_profiles_as_cards

        show_profiles_as_cards()
    if isinstance(data, (str, os.PathLike)):
        hint = DialectHint(encoding=encoding, delimiter=sep, decimal=decimal)
        if dask is not None:
            from advisor.cluster.connect import connect
            from advisor.cluster.profile import profile_dask

            client, close = connect(dask)
            try:
                return profile_dask(data, client, seed=seed, hint=hint)
            finally:
                close()
        return profile_path(data, seed=seed, streaming=streaming, hint=hint)
    if dask is not None:
        raise InputError("dask= needs data as a path (a file, directory or glob), not in memory")
    return profile_table(load_table(features_frame(data)), seed=seed)


def advise(
    data: str | os.PathLike[str] | pd.DataFrame | np.ndarray | tuple[Any, Any],
    target: str | Any | None = None,
    *,
    progress: Progress | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    dask: Any = None,
    **options: Any,
) -> Advice:
    """Profile ``data``, propose a scaler per feature, validate by cross-validated search
    when a target is given, and return the `Advice` with a fitted pipeline.

    ``data`` is a CSV (plain or gzip) or Parquet path (or a directory or glob of
    partitions), a DataFrame (never modified), a 2-D array (columns x0, x1, ...) or an
    ``(X, y)`` pair; ``dask`` a scheduler address, ``"local"`` / ``"local:N"`` or a
    `distributed.Client`: every row is profiled on its workers and the search's seeded
    sample is drawn there (stratified; whole groups or the latest times with ``groups`` or
    ``time_order``; docs/scale.md); ``target`` a column name or the
    target values (without one, the advice is the rules' plan, unvalidated); ``progress``
    receives a `ProgressEvent` (a ``str``) as the search advances (without one, a
    notebook shows a progress bar, and anywhere else nothing is shown); ``sep``, ``decimal`` and
    ``encoding`` override what is sniffed from a CSV. The other options (``task``,
    ``budget``, ``seed``, ``rules``, ``disable_rules``, ``overrides``, ``work_dir``,
    ``max_trials``, ``time_limit``, ``groups``, ``time_order``, ``gap``, ``sample_rows``,
    ``drop_rare_classes``, ``use_cache``, ``exportable_only``) are keyword-only and
    documented on `AdviseOptions`, where each is defined once.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"height": rng.normal(170, 10, 500),
    ...                       "income": rng.lognormal(10, 1, 500)})
    >>> dict(advise(frame).plan.scalers)  # no target: the rules' plan
    {'height': 'robust_clip', 'income': 'robust_clip'}
    >>> dict(advise(frame, disable_rules=["NRM018"]).plan.scalers)  # the shapes plan
    {'height': 'standard', 'income': 'log1p_standard'}
    >>> advice = advise("sample_data/penguins.csv", target="species")  # doctest: +SKIP
    >>> advice.search["winner"], advice.in_network  # doctest: +SKIP
    ('rules+none@periodic', 'none')
    """
    from advisor.options import AdviseOptions
    from advisor.progress_bar import notebook_progress

    csv = DialectHint(encoding=encoding, delimiter=sep, decimal=decimal)
    settings = AdviseOptions.from_keywords(options, csv=csv)
    with notebook_progress(progress) as shown:
        return run_stages(data, target, settings, shown, dask=dask)


#: What the stages after the read import (`run_stages` imports them while it reads).
#: What `run_stages` imports after the read (keep the two lists together).
_LATER_STAGES = (
    "scipy.stats",
    "advisor.advice.build",
    "advisor.profiling.profile",
    "advisor.rules.engine",
    "advisor.search.validate",
)


def _import_stages() -> None:
    try:
        for name in _LATER_STAGES:
            importlib.import_module(name)
    except Exception:  # the stages import it again, and report what fails there
        return


def run_stages(
    data: Any,
    target: Any,
    options: AdviseOptions,
    progress: Progress | None = None,
    dask: Any = None,
) -> Advice:
    """The stages of `advise()` for already validated options (the CLI calls this)."""
    table, drawn, options = _load(data, target, options, dask)
    # The later stages (`_LATER_STAGES`, imported by now).
    from advisor.advice.build import build_advice, check_usable, preview
    from advisor.profiling.profile import profile_table
    from advisor.progress import rules_ready
    from advisor.rules.engine import apply_rules, load_rules
    from advisor.rules.target_links import with_target_links
    from advisor.search.validate import fold_split, split_columns, validate

    split = fold_split(table, options)
    overrides = {**options.override_map, **split_columns(options)}
    profile = profile_table(table, seed=options.seed)
    if drawn is not None:
        from advisor.cluster.profile import with_full_statistics

        profile = with_full_statistics(profile, drawn.full)
    profile = with_target_links(profile, table)
    ruleset = load_rules(options.rules, options.disable_rules)
    proposals = apply_rules(
        profile, ruleset, overrides=overrides, exportable_only=options.exportable_only
    )
    check_usable(table, proposals)
    if progress is not None:
        progress(rules_ready(preview(table, profile, ruleset, proposals, options)))
    validation = None
    if table.target is not None and table.task is not None:
        validation = validate(table, proposals, split, options, progress, drawn is not None)
    return build_advice(
        table, profile, ruleset, proposals, validation, options,
        drawn=None if drawn is None else (drawn.sample(table.n_rows), drawn.note()),
    )  # fmt: skip


def _load(
    data: Any, target: Any, options: AdviseOptions, dask: Any
) -> tuple[Table, ClusterRows | None, AdviseOptions]:
    """The loaded table (on a cluster: from its seeded sample, with what the cluster sent
    back) and the options with the task the cluster read; the later stages' imports run
    in a thread meanwhile (scikit-learn, SciPy: 2-3 s; the parser releases the GIL)."""
    from advisor.search.budgets import BUDGETS
    from advisor.table.frames import with_target_column
    from advisor.table.load import keep_learnable_classes, load_table
    from advisor.table.units import split_request

    preload = threading.Thread(target=_import_stages, daemon=True)
    preload.start()
    drawn = None
    try:
        if dask is not None:
            from advisor.cluster.flow import draw

            drawn = draw(
                data, dask, seed=options.seed, hint=options.csv, target=target,
                task=options.task, minimum=BUDGETS[options.budget].folds,
                size=options.sample_rows or BUDGETS[options.budget].sample_rows,
                split=split_request(options),
            )  # fmt: skip
            data = drawn.frame
            options = dataclasses.replace(options, task=cast(TaskArg, drawn.task or options.task))
        frame, target_name = with_target_column(data, target)
        table = keep_learnable_classes(
            load_table(frame, target=target_name, task=options.task, hint=options.csv),
            folds=BUDGETS[options.budget].folds,
            drop_rare=options.drop_rare_classes,
        )
    finally:  # also on bad input: no import left half done at exit
        preload.join()
    if drawn is not None:
        table = dataclasses.replace(table, source=drawn.full.source)
    return table, drawn, options
