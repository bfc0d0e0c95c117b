"""`advise DATA.csv ...` (the `run` command): profile, propose and, with a target,
validate; then write the requested report files and print the terminal report."""

from __future__ import annotations

import sys
from typing import Any

import click

from advisor.cli.output import (
    AdvisorCLIError,
    check_output_path,
    chosen_paths,
    csv_options,
    dask_option,
    dialect_hint,
    emit_advice,
    progress_printer,
    report_options,
    show_rules,
)
from advisor.report.formats import file_formats
from advisor.vocab import BUDGET_NAMES, TASK_ARGS, BudgetName, TaskArg


@click.command("run")
@click.argument("data", type=click.Path(path_type=str))
@click.option("-t", "--target", help="Target column; validation by search needs it.")
@click.option(
    "--task",
    type=click.Choice(TASK_ARGS),
    default="auto",
    show_default=True,
    help="Learning task; auto infers it from the target.",
)
@click.option(
    "--budget",
    type=click.Choice(BUDGET_NAMES),
    default="fast",
    show_default=True,
    help="Search effort: candidates, folds, training steps and the rows of the race's "
    "first stage (fast: about a minute on 2 cores whatever the table's size; standard "
    "and thorough buy more evidence).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same advice.")
@report_options()
@click.option("-v", "--verbose", is_flag=True, help="Show every proposal, finding and fold.")
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=str),
    help="Extra rule file (TOML); repeatable. A rule with a built-in id replaces it.",
)
@click.option("--disable", "disabled", multiple=True, help="Rule id to switch off; repeatable.")
@click.option(
    "--scaler",
    "scalers",
    multiple=True,
    metavar="COL=KEY",
    help="Force a scaler for a column (e.g. price=robust); repeatable. `advise rules` lists keys.",
)
@click.option("--drop", "drops", multiple=True, metavar="COL", help="Drop a column; repeatable.")
@click.option(
    "--keep", "keeps", multiple=True, metavar="COL", help="Keep a column the rules would drop."
)
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=str),
    help="Where the search keeps its trials (default: the user cache directory). "
    "An interrupted search resumes from here.",
)
@click.option(
    "--max-trials", type=click.IntRange(min=1), help="Validate at most this many candidates."
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Start no new trial after this many seconds (the default candidate always runs).",
)
@click.option(
    "--sample-rows",
    type=click.IntRange(min=100),
    metavar="N",
    help="Above N rows, the search's last stage and the fit use a seeded stratified "
    "sample of N (default by budget: 50k, 100k, 200k).",
)
@click.option("--groups", metavar="COL", help="Keep each value of COL in one fold (and drop COL).")
@click.option(
    "--time-order", metavar="COL", help="Validate on later rows than training (ordered by COL)."
)
@csv_options()
@click.option(
    "--no-cache",
    is_flag=True,
    help="Train every candidate afresh (trials neither reused nor kept).",
)
@click.option(
    "--drop-rare-classes",
    is_flag=True,
    help="Leave out the rows of classes with fewer rows than the folds (else refused).",
)
@click.option(
    "--exportable",
    is_flag=True,
    help="Propose and validate only choices Advice.to_keras() exports (no date features, "
    "no string encoder).",
)
@dask_option()
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def run(
    data: str,
    target: str | None,
    task: TaskArg,
    budget: BudgetName,
    seed: int,
    verbose: bool,
    rule_files: tuple[str, ...],
    disabled: tuple[str, ...],
    scalers: tuple[str, ...],
    drops: tuple[str, ...],
    keeps: tuple[str, ...],
    work_dir: str | None,
    max_trials: int | None,
    time_limit: float | None,
    sample_rows: int | None,
    groups: str | None,
    time_order: str | None,
    drop_rare_classes: bool,
    no_cache: bool,
    exportable: bool,
    sep: str | None,
    decimal: str | None,
    encoding: str | None,
    dask_address: str | None,
    quiet: bool,
    **report_paths: str | None,
) -> None:
    """Profile DATA.csv, propose a scaler per feature and, with --target, validate.

    DATA is a CSV (plain or gzip), Parquet or Excel file, or a directory or glob
    ('parts/*.parquet', quoted) of CSV/Parquet partitions with one schema."""
    from advisor.errors import AdvisorError
    from advisor.options import AdviseOptions

    paths = chosen_paths(file_formats(), report_paths)
    for path in paths.values():
        check_output_path(path)
    try:  # the same validation as the Python API's, before anything heavy is imported
        options = AdviseOptions.from_arguments(
            task=task, budget=budget, seed=seed, rules=rule_files, disable_rules=disabled,
            overrides=parse_overrides(scalers, drops, keeps), work_dir=work_dir,
            max_trials=max_trials, time_limit=time_limit, groups=groups,
            time_order=time_order, sample_rows=sample_rows,
            drop_rare_classes=drop_rare_classes,
            use_cache=not no_cache,
            exportable_only=exportable,
            csv=dialect_hint(sep, decimal, encoding),
        )  # fmt: skip
    except AdvisorError as exc:
        raise AdvisorCLIError(str(exc)) from None
    from advisor.backend import quiet_environment

    quiet_environment()
    from advisor.api import run_stages
    from advisor.errors import SearchDelegated

    bar = progress_printer() if not quiet else None
    shown: list[bool] = []

    def progress(event: str | None) -> None:
        # The rules' part of the report as soon as the rules have spoken (the search, if
        # any, follows on stderr); then the bar.
        preview = getattr(event, "preview", None)
        if preview is not None and not quiet:
            if bar is not None:
                bar(None)
            show_rules(preview, verbose=verbose)
            shown.append(True)
        elif bar is not None:
            bar(event)

    try:
        advice = run_stages(data, target, options, progress, dask=dask_address)
    except AdvisorError as exc:
        raise AdvisorCLIError(str(exc)) from None
    except SearchDelegated:
        if not quiet:
            click.echo("keras-tuner worker: trials done; the chief writes the advice.")
        return
    except KeyboardInterrupt:
        click.echo("\nInterrupted: nothing was written; rerun to resume the search.", err=True)
        sys.exit(130)
    finally:
        progress(None)
    timings: dict[str, Any] = {}
    if advice.search_obj is not None:
        timings["seconds"] = advice.search_obj.seconds
        timings["cached"] = advice.search_obj.cached
    emit_advice(
        advice.to_dict(),
        paths,
        verbose=verbose,
        quiet=quiet,
        timings=timings,
        rules_shown=bool(shown),
    )


def parse_overrides(
    scalers: tuple[str, ...], drops: tuple[str, ...], keeps: tuple[str, ...]
) -> dict[str, str]:
    """``--scaler COL=KEY``, ``--drop COL`` and ``--keep COL`` as the API's overrides."""
    out: dict[str, str] = {}
    for item in scalers:
        column, sep, key = item.rpartition("=")
        if not sep or not column or not key:
            raise AdvisorCLIError(f"--scaler expects COLUMN=KEY (e.g. price=robust), got {item!r}")
        out[column] = key
    out.update({column: "drop" for column in drops})
    out.update({column: "keep" for column in keeps})
    return out
