"""The commands that show without searching: `advise profile` (every column's
statistics), `advise rules` (the rules or the scaler catalog) and `advise report` (a saved
advice rendered again, in every report format of `advisor.report.formats`)."""

from __future__ import annotations

import click

from advisor.cli.output import (
    AdvisorCLIError,
    check_output_path,
    chosen_paths,
    csv_options,
    dask_option,
    dialect_hint,
    emit_advice,
    output_option,
    progress_bar,
    report_options,
)
from advisor.report.formats import file_formats
from advisor.vocab import RULE_SCOPES


@click.command("report")
@click.argument("advice_file", type=click.Path(dir_okay=False, path_type=str))
@report_options()
@click.option("-v", "--verbose", is_flag=True, help="Show every proposal, finding and fold.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def report(advice_file: str, verbose: bool, quiet: bool, **report_paths: str | None) -> None:
    """Render a saved advice file (from --json) as text, HTML or Markdown."""
    from advisor.advice.advice import Advice
    from advisor.errors import AdvisorError

    paths = chosen_paths(file_formats(), report_paths)
    for path in paths.values():
        check_output_path(path)
    try:
        data = Advice.read_dict(advice_file)
        Advice.from_dict(data, advice_file)  # validates: schema, version, fitted parts
    except AdvisorError as exc:
        raise AdvisorCLIError(str(exc)) from None
    emit_advice(data, paths, verbose=verbose, quiet=quiet)


@click.command("profile")
@click.argument("data", type=click.Path(path_type=str))
@output_option("--json", "json_path", "Write the profile as JSON (atomically).")
@click.option(
    "--streaming/--in-memory",
    default=None,
    help="Force the streaming (bounded memory) or the in-memory (exact) path; "
    "by default the file's size decides.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@dask_option()
@csv_options()
def profile(
    data: str,
    json_path: str | None,
    streaming: bool | None,
    seed: int,
    dask_address: str | None,
    sep: str | None,
    decimal: str | None,
    encoding: str | None,
) -> None:
    """Profile every column of DATA (CSV, gzip CSV or Parquet; a file, or a directory or
    glob of partitions with one schema), even larger than memory."""
    import json

    from advisor.errors import AdvisorError
    from advisor.io.atomic import write_atomic
    from advisor.profiling.profile import profile_path
    from advisor.report.listings import render_profile_text

    if json_path:
        check_output_path(json_path)
    bar = progress_bar("profiling")
    try:
        hint = dialect_hint(sep, decimal, encoding)
        if dask_address is not None:
            from advisor.api import profile_dataset

            result = profile_dataset(
                data, seed=seed, dask=dask_address, sep=sep, decimal=decimal, encoding=encoding
            )
        else:
            result = profile_path(data, seed=seed, streaming=streaming, progress=bar, hint=hint)
    except AdvisorError as exc:
        raise AdvisorCLIError(str(exc)) from None
    finally:
        bar(None)
    as_dict = result.to_dict()
    if json_path:
        text = json.dumps(as_dict, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        write_atomic(json_path, text)
    click.echo(render_profile_text(as_dict))


@click.command("rules")
@click.option("--rules", "rule_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="Extra rule file (TOML) to include; repeatable.")  # fmt: skip
@click.option("--disable", "disabled", multiple=True, help="Rule id to leave out; repeatable.")
@click.option("--scope", type=click.Choice(RULE_SCOPES), default=None)
@click.option("--scalers", "show_scalers", is_flag=True, help="List the scaler catalog instead.")
def rules(
    rule_files: tuple[str, ...], disabled: tuple[str, ...], scope: str | None, show_scalers: bool
) -> None:
    """List the rules with their conditions, proposals and rationale."""
    from advisor.errors import AdvisorError
    from advisor.report.listings import render_catalog_text, render_rules_text
    from advisor.rules.engine import load_rules

    if show_scalers:
        click.echo(render_catalog_text())
        return
    try:
        ruleset = load_rules(rule_files, disabled)
    except AdvisorError as exc:
        raise AdvisorCLIError(str(exc)) from None
    click.echo(render_rules_text(ruleset, scope))
