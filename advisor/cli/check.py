"""`advise check DATA --baseline ADVICE.json`: does new data still fit a saved advice?
Prints the findings in the chosen format, writes the requested files, and exits 0 (fits),
1 (a finding reaches --fail-on) or 2 (bad input)."""

from __future__ import annotations

import sys
from functools import partial

import click

from advisor.check.render import CHECK_FORMAT_REGISTRY, render
from advisor.cli.output import (
    AdvisorCLIError,
    check_output_path,
    chosen_paths,
    csv_options,
    dask_option,
    dialect_hint,
    file_options,
    write_output,
)
from advisor.vocab import SEVERITIES, CheckFormat, Severity

#: The severities that can fail a run (an info finding never does).
FAIL_ON = tuple(s for s in SEVERITIES if s != "info")


def _format_help() -> str:
    labels = [spec.label for spec in CHECK_FORMAT_REGISTRY.values()]
    return f"What to print: {', '.join(labels[:-1])} or {labels[-1]}."


@click.command("check")
@click.argument("data", type=click.Path(path_type=str))
@click.option(
    "--baseline",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="The advice file (from --json) the new data must fit.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="error",
    show_default=True,
    help="The severity that fails the run (exit 1).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(tuple(CHECK_FORMAT_REGISTRY)),
    default="text",
    show_default=True,
    help=_format_help(),
)
@file_options(CHECK_FORMAT_REGISTRY.values())
@click.option("--seed", type=int, default=0, show_default=True)
@csv_options()
@dask_option()
@click.option("-q", "--quiet", is_flag=True, help="Print nothing; the exit code tells.")
def check(
    data: str,
    baseline: str,
    fail_on: Severity,
    fmt: CheckFormat,
    seed: int,
    sep: str | None,
    decimal: str | None,
    encoding: str | None,
    dask_address: str | None,
    quiet: bool,
    **format_paths: str | None,
) -> None:
    """Check new DATA against a saved advice: missing, added or retyped columns, new
    missing values, values outside fitted ranges, drift, unseen categories, and whether
    the rules would now advise otherwise. DATA is a file, or a directory or glob of
    partitions with one schema. Exit 0: fits; 1: a finding reaches --fail-on; 2: bad
    input."""
    from advisor.check.check import check as check_data
    from advisor.errors import AdvisorError

    paths = chosen_paths(CHECK_FORMAT_REGISTRY, format_paths)
    for path in paths.values():
        check_output_path(path)
    try:
        hint = dialect_hint(sep, decimal, encoding)
        result = check_data(data, baseline, seed=seed, hint=hint, dask=dask_address)
    except AdvisorError as exc:
        raise AdvisorCLIError(str(exc)) from None
    for kind, path in paths.items():
        write_output(path, partial(render, result, kind, fail_on))
    if not quiet:
        click.echo(render(result, fmt, fail_on), nl=False)
    if result.fails(fail_on):
        sys.exit(1)
