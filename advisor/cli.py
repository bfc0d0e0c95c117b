"""The `advise` command: a thin shell over the Python API (parse, call, print).

`advise DATA.csv ...` runs the default command; subcommands sit beside it in a click
group. Nothing heavy is imported at module level, so `advise --help` never loads
TensorFlow.
"""

from __future__ import annotations

import sys
from typing import Any

import click

EXIT_INPUT_ERROR = 2
DEFAULT_COMMAND = "run"


class AdvisorCLIError(click.ClickException):
    """A user-fixable problem: one line on stderr, exit code 2."""

    exit_code = EXIT_INPUT_ERROR


class DefaultCommandGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, goes to the default
    command: `advise data.csv` means `advise run data.csv`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("advise", "DATA.csv [OPTIONS]\n       advise COMMAND [ARGS]...")


def _output_option(flag: str, dest: str, help_text: str) -> Any:
    """An option naming a file the command writes (atomically, checked before any work)."""
    return click.option(
        flag, dest, type=click.Path(dir_okay=False, writable=True, path_type=str), help=help_text
    )


@click.group(
    cls=DefaultCommandGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=False,
)
@click.version_option(package_name="normalization-advisor", prog_name="advise")
def main() -> None:
    """Advise, with evidence, how to scale each feature of a tabular dataset and which
    normalization to put inside the network.

    \b
    advise data.csv                      profile and propose (no validation)
    advise data.csv --target price       ... and validate by cross-validated search
    advise data.csv -t label --json advice.json
    """


@main.command(DEFAULT_COMMAND)
@click.argument("data", type=click.Path(dir_okay=False, path_type=str))
@click.option("-t", "--target", help="Target column; validation by search needs it.")
@click.option(
    "--task",
    type=click.Choice(["auto", "classification", "regression"]),
    default="auto",
    show_default=True,
    help="Learning task; auto infers it from the target.",
)
@click.option(
    "--budget",
    type=click.Choice(["fast", "standard", "thorough"]),
    default="fast",
    show_default=True,
    help="Search effort: folds and training steps.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same advice.")
@_output_option("--json", "json_path", "Write the advice as JSON (atomically).")
@_output_option("--html", "html_path", "Write a self-contained HTML report with plots.")
@_output_option(
    "--markdown", "markdown_path", "Write a Markdown report (pull-request comments, CI summaries)."
)
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
    help="Above N rows, search and fit on a seeded stratified sample of N "
    "(default by budget: 50k, 100k, 200k).",
)
@click.option("--groups", metavar="COL", help="Keep each value of COL in one fold (and drop COL).")
@click.option(
    "--time-order", metavar="COL", help="Validate on later rows than training (ordered by COL)."
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def run(
    data: str,
    target: str | None,
    task: str,
    budget: str,
    seed: int,
    json_path: str | None,
    html_path: str | None,
    markdown_path: str | None,
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
    quiet: bool,
) -> None:
    """Profile DATA.csv, propose a scaler per feature and, with --target, validate."""
    from advisor.backend import quiet_environment

    quiet_environment()
    from advisor.api import advise
    from advisor.errors import AdvisorError
    from advisor.search.run import SearchDelegated

    for path in (json_path, html_path, markdown_path):
        if path:
            _check_output_path(path)
    overrides = _overrides(scalers, drops, keeps)
    progress = _progress_printer() if not quiet else None
    try:
        advice = advise(
            data,
            target=target,
            task=task,  # type: ignore[arg-type]
            budget=budget,
            seed=seed,
            rules=rule_files,
            disable_rules=disabled,
            overrides=overrides,
            progress=progress,
            work_dir=work_dir,
            max_trials=max_trials,
            time_limit=time_limit,
            groups=groups,
            time_order=time_order,
            sample_rows=sample_rows,
        )
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
        if progress is not None:
            progress(None)
    timings: dict[str, Any] = {}
    if advice.search_obj is not None:
        timings["seconds"] = advice.search_obj.seconds
    _emit(advice.to_dict(), json_path, html_path, markdown_path, verbose, quiet, timings)


def _emit(
    data: dict[str, Any],
    json_path: str | None,
    html_path: str | None,
    markdown_path: str | None,
    verbose: bool,
    quiet: bool,
    timings: dict[str, Any] | None = None,
) -> None:
    """Write the requested files (each atomically), then print the terminal report."""
    from advisor.advice.advice import dumps
    from advisor.io.atomic import write_atomic
    from advisor.report.html import render_html
    from advisor.report.markdown import render_markdown
    from advisor.report.text import render_text

    written = []
    outputs: list[tuple[str | None, str, Any]] = [
        (json_path, "Advice", lambda: dumps(data)),
        (html_path, "HTML report", lambda: render_html(data)),
        (markdown_path, "Markdown report", lambda: render_markdown(data)),
    ]  # fmt: skip
    for path, what, render in outputs:
        if not path:
            continue
        try:
            write_atomic(path, render())
        except OSError as exc:
            raise AdvisorCLIError(f"{path}: cannot write ({exc.strerror})") from None
        written.append(f"{what} written to {path}")
    if not quiet:
        click.echo(render_text(data, timings, color=_use_color(), verbose=verbose), nl=False)
        for line in written:
            click.echo(line)


def _use_color() -> bool:
    """Color only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    import os

    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


@main.command("report")
@click.argument("advice_file", type=click.Path(dir_okay=False, path_type=str))
@_output_option("--html", "html_path", "Write the self-contained HTML report.")
@_output_option("--markdown", "markdown_path", "Write the Markdown report.")
@click.option("-v", "--verbose", is_flag=True, help="Show every proposal, finding and fold.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def report_command(
    advice_file: str,
    html_path: str | None,
    markdown_path: str | None,
    verbose: bool,
    quiet: bool,
) -> None:
    """Render a saved advice file (from --json) as text, HTML or Markdown."""
    from advisor.advice.advice import Advice
    from advisor.errors import AdvisorError

    for path in (html_path, markdown_path):
        if path:
            _check_output_path(path)
    try:
        data = Advice.read_dict(advice_file)
        Advice.from_dict(data, advice_file)  # validates: schema, version, fitted parts
    except AdvisorError as exc:
        raise AdvisorCLIError(str(exc)) from None
    _emit(data, None, html_path, markdown_path, verbose, quiet)


@main.command("check")
@click.argument("data", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--baseline",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="The advice file (from --json) the new data must fit.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["warning", "error"]),
    default="error",
    show_default=True,
    help="The severity that fails the run (exit 1).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit", "github", "markdown"]),
    default="text",
    show_default=True,
    help="What to print: text, JSON, JUnit XML, GitHub annotations or Markdown.",
)
@_output_option("--json", "json_path", "Also write the findings as JSON.")
@_output_option("--junit", "junit_path", "Also write JUnit XML (one test case per finding).")
@_output_option("--markdown", "markdown_path", "Also write a Markdown summary.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing; the exit code tells.")
def check_command(
    data: str,
    baseline: str,
    fail_on: str,
    fmt: str,
    json_path: str | None,
    junit_path: str | None,
    markdown_path: str | None,
    seed: int,
    quiet: bool,
) -> None:
    """Check new DATA against a saved advice: missing, added or retyped columns, new
    missing values, values outside fitted ranges, drift, unseen categories, and whether
    the rules would now advise otherwise. Exit 0: fits; 1: a finding reaches --fail-on;
    2: bad input."""
    from advisor.check.check import check
    from advisor.check.render import render
    from advisor.errors import AdvisorError
    from advisor.io.atomic import write_atomic

    for path in (json_path, junit_path, markdown_path):
        if path:
            _check_output_path(path)
    try:
        result = check(data, baseline, seed=seed)
    except AdvisorError as exc:
        raise AdvisorCLIError(str(exc)) from None
    for path, kind in ((json_path, "json"), (junit_path, "junit"), (markdown_path, "markdown")):
        if path:
            try:
                write_atomic(path, render(result, kind, fail_on))
            except OSError as exc:
                raise AdvisorCLIError(f"{path}: cannot write ({exc.strerror})") from None
    if not quiet:
        click.echo(render(result, fmt, fail_on), nl=False)
    if result.fails(fail_on):
        sys.exit(1)


@main.command("profile")
@click.argument("data", type=click.Path(dir_okay=False, path_type=str))
@_output_option("--json", "json_path", "Write the profile as JSON (atomically).")
@click.option(
    "--streaming/--in-memory",
    default=None,
    help="Force the streaming (bounded memory) or the in-memory (exact) path; "
    "by default the file's size decides.",
)
@click.option("--seed", type=int, default=0, show_default=True)
def profile_command(data: str, json_path: str | None, streaming: bool | None, seed: int) -> None:
    """Profile every column of DATA (CSV, gzip CSV or Parquet), even larger than memory."""
    import json

    from advisor.errors import AdvisorError
    from advisor.io.atomic import write_atomic
    from advisor.profiling.profile import profile_path
    from advisor.report.text import render_profile_text

    if json_path:
        _check_output_path(json_path)
    bar = _progress_bar("profiling")
    try:
        result = profile_path(data, seed=seed, streaming=streaming, progress=bar)
    except AdvisorError as exc:
        raise AdvisorCLIError(str(exc)) from None
    finally:
        bar(None)
    as_dict = result.to_dict()
    if json_path:
        text = json.dumps(as_dict, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        write_atomic(json_path, text)
    click.echo(render_profile_text(as_dict))


def _progress_bar(label: str, delay: float = 2.0) -> Any:
    """A progress bar on stderr that appears only after ``delay`` seconds and only on a
    terminal; call it with a fraction in [0, 1], and with None when done."""
    import time

    started = time.monotonic()
    shown = [False]
    tty = sys.stderr.isatty()

    def update(fraction: float | None) -> None:
        if not tty:
            return
        if fraction is None:
            if shown[0]:
                click.echo("\r\x1b[K", nl=False, err=True)
            return
        if time.monotonic() - started < delay:
            return
        shown[0] = True
        width = 30
        done = int(width * min(max(fraction, 0.0), 1.0))
        click.echo(
            f"\r{label} [{'#' * done}{'.' * (width - done)}] {100 * fraction:5.1f}%",
            nl=False,
            err=True,
        )

    return update


def _overrides(
    scalers: tuple[str, ...], drops: tuple[str, ...], keeps: tuple[str, ...]
) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in scalers:
        column, sep, key = item.rpartition("=")
        if not sep or not column or not key:
            raise AdvisorCLIError(f"--scaler expects COLUMN=KEY (e.g. price=robust), got {item!r}")
        out[column] = key
    out.update({column: "drop" for column in drops})
    out.update({column: "keep" for column in keeps})
    return out


@main.command("rules")
@click.option("--rules", "rule_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="Extra rule file (TOML) to include; repeatable.")  # fmt: skip
@click.option("--disable", "disabled", multiple=True, help="Rule id to leave out; repeatable.")
@click.option("--scope", type=click.Choice(["feature", "dataset", "target"]), default=None)
@click.option("--scalers", "show_scalers", is_flag=True, help="List the scaler catalog instead.")
def rules_command(
    rule_files: tuple[str, ...], disabled: tuple[str, ...], scope: str | None, show_scalers: bool
) -> None:
    """List the rules with their conditions, proposals and rationale."""
    from advisor.errors import AdvisorError
    from advisor.report.text import render_catalog_text, render_rules_text
    from advisor.rules.engine import load_rules

    if show_scalers:
        click.echo(render_catalog_text())
        return
    try:
        ruleset = load_rules(rule_files, disabled)
    except AdvisorError as exc:
        raise AdvisorCLIError(str(exc)) from None
    click.echo(render_rules_text(ruleset, scope))


def _check_output_path(path: str) -> None:
    """Fail before the search, not after it, when an output cannot be written."""
    import os

    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise AdvisorCLIError(f"{path}: directory {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise AdvisorCLIError(f"{path}: directory {directory} is not writable")


def _progress_printer() -> Any:
    """The search's progress as a bar on stderr (terminals only): the search reports
    "trial i/n: candidate"; call with None to clear the line."""
    import re

    if not sys.stderr.isatty():
        return None
    shown = [False]

    def show(message: str | None) -> None:
        if message is None:
            if shown[0]:
                click.echo("\r\x1b[K", nl=False, err=True)
            return
        shown[0] = True
        match = re.match(r"trial (\d+)/(\d+): (.*)", message)
        if match is None:
            click.echo(f"\r\x1b[K{message}", nl=False, err=True)
            return
        done, total, key = int(match[1]), int(match[2]), match[3]
        width = 30
        filled = int(width * (done - 1) / max(total, 1))
        bar = "#" * filled + "." * (width - filled)
        click.echo(f"\r\x1b[Ksearching [{bar}] {done}/{total} {key}", nl=False, err=True)

    return show


if __name__ == "__main__":  # pragma: no cover
    main()
