"""The report formats: one registry entry per `ReportFormat`, with what the CLI needs.

In: a `ReportFormat` name. Out: its `ReportFormatSpec` (renderer from the advice's JSON
form to text, label, file suffix, CLI option and help). Adding a format is one entry here
plus its renderer; `advise` and `advise report` derive their options from this registry.
Nothing heavy is imported at module level (the CLI reads this registry for ``--help``):
each renderer imports its module when it first renders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from advisor.vocab import ReportFormat

Renderer = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class ReportFormatSpec:
    """A report format: ``render`` (advice dictionary -> text), the ``label`` the CLI
    prints ("<label> written to PATH"), the file ``suffix``, the CLI ``option`` that
    writes it to a file (None: the terminal report, printed rather than written) and that
    option's ``help``."""

    render: Renderer
    label: str
    suffix: str
    option: str | None
    help: str

    @property
    def dest(self) -> str | None:
        """The CLI parameter name of ``option`` ("--json" -> "json_path")."""
        return None if self.option is None else f"{self.option.lstrip('-')}_path"


def _render_text(data: dict[str, Any]) -> str:
    from advisor.report.text import render_text

    return render_text(data)


def _render_json(data: dict[str, Any]) -> str:
    from advisor.io.jsontext import dumps

    return dumps(data)


def _render_html(data: dict[str, Any]) -> str:
    from advisor.report.html import render_html

    return render_html(data)


def _render_markdown(data: dict[str, Any]) -> str:
    from advisor.report.markdown import render_markdown

    return render_markdown(data)


#: Every report format; the order is the order of the CLI's options and of the files the
#: CLI writes.
REPORT_FORMAT_REGISTRY: dict[ReportFormat, ReportFormatSpec] = {
    "text": ReportFormatSpec(
        render=_render_text,
        label="Text report",
        suffix=".txt",
        option=None,
        help="The terminal report (printed).",
    ),
    "json": ReportFormatSpec(
        render=_render_json,
        label="Advice",
        suffix=".json",
        option="--json",
        help="Write the advice as JSON (atomically).",
    ),
    "html": ReportFormatSpec(
        render=_render_html,
        label="HTML report",
        suffix=".html",
        option="--html",
        help="Write a self-contained HTML report with plots.",
    ),
    "markdown": ReportFormatSpec(
        render=_render_markdown,
        label="Markdown report",
        suffix=".md",
        option="--markdown",
        help="Write a Markdown report (pull-request comments, CI summaries).",
    ),
}


def file_formats() -> dict[ReportFormat, ReportFormatSpec]:
    """The formats the CLI writes to files (those with an option), in registry order."""
    return {fmt: spec for fmt, spec in REPORT_FORMAT_REGISTRY.items() if spec.option}


def render_report(data: dict[str, Any], fmt: ReportFormat) -> str:
    """An advice dictionary (`Advice.to_dict()`) in the report format ``fmt``."""
    return REPORT_FORMAT_REGISTRY[fmt].render(data)
