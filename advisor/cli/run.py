"""`advise DATA.csv ...` (the `run` command): profile, propose and, with a target,
validate; then write the requested report files and print the terminal report."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

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

if TYPE_CHECKING:
    from advisor.advice.advice import Advice
    from advisor.options import AdviseOptions, Flag

F = TypeVar("F", bound=Callable[..., Any])


def option_flags() -> Callable[[F], F]:
    """The options of `AdviseOptions` that have a flag (`advisor.options.flags`), as click
    options in the fields' order: an option added there appears here by itself."""
    from advisor.options import AdviseOptions, flags

    defaults = AdviseOptions()

    def decorate(command: F) -> F:
        for name, flag in reversed(flags().items()):
            settings = _click_settings(flag, getattr(defaults, name))
            command = click.option(flag.decl, name, **settings)(command)
        return command

    return decorate


def _click_settings(flag: Flag, default: Any) -> dict[str, Any]:
    if flag.switch:
        return {"is_flag": True, "help": flag.help}
    kind: Any = flag.type
    if flag.choices is not None:
        kind = click.Choice(flag.choices)
    elif flag.path or flag.directory:
        kind = click.Path(
            exists=flag.path, dir_okay=flag.directory, file_okay=not flag.directory, path_type=str
        )
    elif flag.minimum is not None and flag.type is int:
        kind = click.IntRange(min=int(flag.minimum))
    elif flag.minimum is not None:
        kind = click.FloatRange(min=flag.minimum)
    return {
        "type": kind,
        "multiple": flag.multiple,
        "metavar": flag.metavar,
        "help": flag.help,
        **({"default": default, "show_default": True} if default not in (None, ()) else {}),
    }


@click.command("run")
@click.argument("data", type=click.Path(path_type=str))
@click.option("-t", "--target", help="Target column; validation by search needs it.")
@option_flags()
@report_options()
@click.option("-v", "--verbose", is_flag=True, help="Show every proposal, finding and fold.")
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
@csv_options()
@dask_option()
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def run(
    data: str,
    target: str | None,
    verbose: bool,
    scalers: tuple[str, ...],
    drops: tuple[str, ...],
    keeps: tuple[str, ...],
    sep: str | None,
    decimal: str | None,
    encoding: str | None,
    dask_address: str | None,
    quiet: bool,
    **params: Any,
) -> None:
    """Profile DATA.csv, propose a scaler per feature and, with --target, validate.

    DATA is a CSV (plain or gzip), Parquet or Excel file, or a directory or glob
    ('parts/*.parquet', quoted) of CSV/Parquet partitions with one schema."""
    from advisor.errors import AdvisorError
    from advisor.options import AdviseOptions, flags

    paths = chosen_paths(file_formats(), params)
    for path in paths.values():
        check_output_path(path)
    try:  # the same validation as the Python API's, before anything heavy is imported
        options = AdviseOptions.from_flags(
            {name: params[name] for name in flags()},
            overrides=parse_overrides(scalers, drops, keeps),
            csv=dialect_hint(sep, decimal, encoding),
        )
    except AdvisorError as exc:
        raise AdvisorCLIError(str(exc)) from None
    done = _advise(data, target, options, dask_address, verbose=verbose, quiet=quiet)
    if done is None:
        return
    advice, rules_shown = done
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
        rules_shown=rules_shown,
    )


def _advise(
    data: str,
    target: str | None,
    options: AdviseOptions,
    dask_address: str | None,
    *,
    verbose: bool,
    quiet: bool,
) -> tuple[Advice, bool] | None:
    """The advice and whether the rules' part of the report was printed (as soon as the
    rules have spoken, then a progress bar on stderr); None on a keras-tuner worker."""
    from advisor.backend import quiet_environment

    quiet_environment()
    from advisor.api import run_stages
    from advisor.errors import AdvisorError, SearchDelegated

    bar = progress_printer() if not quiet else None
    shown: list[bool] = []

    def progress(event: str | None) -> None:
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
        return None
    except KeyboardInterrupt:
        click.echo("\nInterrupted: nothing was written; rerun to resume the search.", err=True)
        sys.exit(130)
    finally:
        progress(None)
    return advice, bool(shown)


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
