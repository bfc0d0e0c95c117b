"""What the `advise` commands share for their output: the one-line user error, options
naming files (checked before any work, written atomically), the advice's report files,
color, and the progress bars on stderr.

Only click and the light registries are imported at module level (`advise --help` stays
fast); the renderers load when they render.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, Protocol, TypeVar

import click

from advisor.report.formats import file_formats
from advisor.vocab import ReportFormat

EXIT_INPUT_ERROR = 2

F = TypeVar("F", bound=Callable[..., Any])
K = TypeVar("K", bound=str)


class AdvisorCLIError(click.ClickException):
    """A user-fixable problem: one line on stderr, exit code 2."""

    exit_code = EXIT_INPUT_ERROR


class FileOption(Protocol):
    """A registry entry the CLI can write to a file: its option and parameter name."""

    @property
    def option(self) -> str | None: ...

    @property
    def help(self) -> str | None: ...

    @property
    def dest(self) -> str | None: ...


def output_option(flag: str, dest: str, help_text: str | None) -> Callable[[F], F]:
    """An option naming a file the command writes (atomically, checked before any work)."""
    return click.option(
        flag, dest, type=click.Path(dir_okay=False, writable=True, path_type=str), help=help_text
    )


def file_options(specs: Iterable[FileOption]) -> Callable[[F], F]:
    """One `output_option` per registry entry that has an option, in the registry's order."""
    chosen = [spec for spec in specs if spec.option and spec.dest]

    def decorate(command: F) -> F:
        for spec in reversed(chosen):
            command = output_option(str(spec.option), str(spec.dest), spec.help)(command)
        return command

    return decorate


def report_options() -> Callable[[F], F]:
    """The advice's report files (``--json``, ``--html``, ``--markdown``...), from
    `advisor.report.formats`."""
    return file_options(file_formats().values())


def chosen_paths(registry: Mapping[K, FileOption], params: Mapping[str, Any]) -> dict[K, str]:
    """The files asked for, by format (registry order), from a command's parameters."""
    out: dict[K, str] = {}
    for fmt, spec in registry.items():
        path = params.get(spec.dest) if spec.dest else None
        if path:
            out[fmt] = path
    return out


def check_output_path(path: str) -> None:
    """Fail before the search, not after it, when an output cannot be written."""
    import os

    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise AdvisorCLIError(f"{path}: directory {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise AdvisorCLIError(f"{path}: directory {directory} is not writable")


def write_output(path: str, render: Callable[[], str]) -> None:
    """Write ``render()`` to ``path`` atomically; an OS error is a one-line user error."""
    from advisor.io.atomic import write_atomic

    try:
        write_atomic(path, render())
    except OSError as exc:
        raise AdvisorCLIError(f"{path}: cannot write ({exc.strerror})") from None


def emit_advice(
    data: dict[str, Any],
    paths: Mapping[ReportFormat, str],
    *,
    verbose: bool,
    quiet: bool,
    timings: dict[str, Any] | None = None,
    rules_shown: bool = False,
) -> None:
    """Write the requested report files (each atomically, in registry order), then print
    the terminal report (without its rules' part when `show_rules` printed it already)
    and one line per file written."""
    written = []
    for fmt, spec in file_formats().items():
        path = paths.get(fmt)
        if not path:
            continue
        write_output(path, partial(spec.render, data))
        written.append(f"{spec.label} written to {path}")
    if not quiet:
        from advisor.report.text import render_text

        text = render_text(
            data,
            timings,
            color=use_color(),
            verbose=verbose,
            width=term_width(),
            rules_shown=rules_shown,
        )
        click.echo(text, nl=False)
        for line in written:
            click.echo(line)


def show_rules(preview: dict[str, Any], *, verbose: bool) -> None:
    """Print the report's rules part from a `advisor.progress.rules_ready` preview."""
    from advisor.report.text import render_rules_text

    text = render_rules_text(preview, color=use_color(), verbose=verbose, width=term_width())
    click.echo(text, nl=False)


def use_color() -> bool:
    """Color only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    import os

    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def progress_bar(label: str, delay: float = 2.0) -> Callable[[float | None], None]:
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


#: The bar's label per stage of an `advisor.progress.ProgressEvent`.
STAGE_LABELS = {"profile": "profiling", "rules": "rules", "search": "searching", "fit": "fitting"}


def progress_printer(*, tty: bool | None = None) -> Callable[[str | None], None] | None:
    """The stages' progress as a bar on stderr (terminals only; None elsewhere): each
    `advisor.progress.ProgressEvent` with a ``total`` draws "searching [###...] i/n
    candidate"; any other message is shown as it is. Call with None to clear the line."""
    if not (sys.stderr.isatty() if tty is None else tty):
        return None
    shown = [False]

    def show(event: str | None) -> None:
        if event is None:
            if shown[0]:
                click.echo("\r\x1b[K", nl=False, err=True)
            return
        shown[0] = True
        click.echo(f"\r\x1b[K{progress_line(event)}", nl=False, err=True)

    return show


def progress_line(event: str) -> str:
    """A progress event as one line: a bar when it says how far (``done`` of ``total``),
    else its text. Reads the event's fields, never its text; a plain string, or an event
    without them, is shown as it is."""
    total = getattr(event, "total", 0) or 0
    if total <= 0:
        return str(event)
    done = getattr(event, "done", 0) or 0
    stage = getattr(event, "stage", None)
    label = STAGE_LABELS.get(stage, str(stage)) if stage else "working"
    candidate = getattr(event, "candidate", None)
    width = 30
    filled = int(width * (done - 1) / max(total, 1))
    filled = min(max(filled, 0), width)
    bar = "#" * filled + "." * (width - filled)
    return f"{label} [{bar}] {done}/{total}" + (f" {candidate}" if candidate else "")


def csv_options() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--sep``, ``--decimal`` and ``--encoding``: what to say of a CSV when sniffing
    its delimiter, decimal mark or encoding is not enough."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(
            (
                click.option(
                    "--sep", metavar="CHAR", help="Field delimiter (default: sniffed: , ; tab |)."
                ),
                click.option(
                    "--decimal",
                    type=click.Choice([".", ","]),
                    help="Decimal mark (default: sniffed).",
                ),
                click.option(
                    "--encoding",
                    metavar="NAME",
                    help="Text encoding (default: UTF-8, with or without BOM, or UTF-16).",
                ),
            )
        ):
            command = option(command)
        return command

    return decorate


def dask_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--dask ADDRESS``: read and summarize the data on a Dask cluster."""
    return click.option(
        "--dask",
        "dask_address",
        metavar="ADDRESS",
        help="Profile (and sample) the data on a Dask cluster: a scheduler (tcp://host:8786) "
        "or local / local:N (N worker processes here); needs the [dask] extra.",
    )


def dialect_hint(sep: str | None, decimal: str | None, encoding: str | None) -> Any:
    """The user's CSV options as the readers' `DialectHint` (one-line error when invalid)."""
    from advisor.errors import AdvisorError
    from advisor.io.sniff import DialectHint

    try:
        return DialectHint(encoding=encoding, delimiter=sep, decimal=decimal)
    except AdvisorError as exc:
        raise AdvisorCLIError(str(exc)) from None


def term_width() -> int | None:
    """The terminal's width (``COLUMNS`` first), at least 60; None (no fitting) when the
    report goes to a file or a pipe and ``COLUMNS`` is not set."""
    import os
    import shutil

    if os.environ.get("COLUMNS", "").isdigit():
        return max(60, int(os.environ["COLUMNS"]))
    if not sys.stdout.isatty():
        return None
    return max(60, shutil.get_terminal_size((100, 24)).columns)
