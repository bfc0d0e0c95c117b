"""`advise check`'s result as text, JSON, JUnit XML, GitHub workflow annotations and
Markdown: one renderer per `CheckFormat`, registered in `CHECK_FORMAT_REGISTRY` (and the
registry of codes as docs/ci.md's table, `render_codes_markdown`).

Adding a check format is one registry entry plus its renderer; the CLI derives its
``--format`` choices and its file options (``--json``, ``--junit``, ...) from the registry.
Only the standard library is imported here, so the CLI reads the registry for ``--help``
without loading the check itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from advisor.check.codes import CHECK_CODES
from advisor.report.layout import escape_markdown
from advisor.vocab import SEVERITIES, CheckFormat, Severity

if TYPE_CHECKING:
    from advisor.check.findings import CheckResult, Finding

CheckRenderer = Callable[["CheckResult", Severity], str]


def _verdict(result: CheckResult, fail_on: Severity) -> str:
    counts = result.counts()
    summary = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in SEVERITIES[::-1])
    state = "FAILED" if result.fails(fail_on) else "passed"
    return f"{state} ({summary}; fails on {fail_on} and above)"


def render_text(result: CheckResult, fail_on: Severity = "error") -> str:
    lines = [
        f"Check of {result.data} ({result.n_rows} rows) against {result.baseline} "
        f"({result.n_baseline_rows} rows): {_verdict(result, fail_on)}"
    ]
    for f in result.findings:
        where = f" {f.feature}" if f.feature else ""
        lines.append(f"  {f.severity.upper():7} {f.code}{where}: {f.message}")
        lines.append(f"          -> {f.action}")
    if not result.findings:
        lines.append(f"  all {len(result.checked)} features fit the advice")
    return "\n".join(lines) + "\n"


def render_json(result: CheckResult, fail_on: Severity = "error") -> str:
    return json.dumps(result.to_dict(fail_on), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_junit(result: CheckResult, fail_on: Severity = "error") -> str:
    """One test case per finding (failing when it reaches ``fail_on``), and one passing
    case per checked feature without findings, so CI systems list every check."""
    failing = {id(f) for f in result.at_least(fail_on)}
    suite = ET.Element(
        "testsuite",
        {
            "name": "advise check",
            "tests": "0",
            "failures": str(len(failing)),
            "errors": "0",
            "skipped": "0",
        },
    )
    props = ET.SubElement(suite, "properties")
    for name, value in (("data", result.data), ("baseline", result.baseline),
                        ("fail_on", fail_on)):  # fmt: skip
        ET.SubElement(props, "property", {"name": name, "value": value})
    cases = 0
    flagged = set()
    for f in result.findings:
        flagged.add(f.feature)
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": f"advise.check.{f.code}", "name": _case_name(f)},
        )
        cases += 1
        evidence = json.dumps(f.to_dict()["evidence"])
        text = f"{f.message}\nWhat to do: {f.action}\nEvidence: {evidence}"
        if id(f) in failing:
            node = ET.SubElement(case, "failure", {"message": f.message, "type": f.severity})
            node.text = text
        else:
            ET.SubElement(case, "system-out").text = f"[{f.severity}] {text}"
    for feature in result.checked:
        if feature not in flagged:
            ET.SubElement(
                suite, "testcase", {"classname": "advise.check", "name": f"{feature}: fits"}
            )
            cases += 1
    suite.set("tests", str(cases))
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, "unicode") + "\n"


def _case_name(f: Finding) -> str:
    return f"{f.feature}: {f.title}" if f.feature else f.title


def render_github(result: CheckResult, fail_on: Severity = "error") -> str:
    """GitHub Actions workflow commands: one ::error / ::warning / ::notice per finding."""
    command = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in result.findings:
        title = _escape_property(f"{f.code} {_case_name(f)}")
        file = _escape_property(result.data)
        message = _escape_data(f"{f.message}. {f.action}")
        lines.append(f"::{command[f.severity]} file={file},title={title}::{message}")
    lines.append(f"::notice title=advise check::{_escape_data(_verdict(result, fail_on))}")
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_markdown(result: CheckResult, fail_on: Severity = "error") -> str:
    icon = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}
    lines = [
        f"### advise check: {escape_markdown(_verdict(result, fail_on))}",
        "",
        f"`{_code(result.data)}` ({result.n_rows} rows) against `{_code(result.baseline)}` "
        f"({result.n_baseline_rows} rows).",
        "",
    ]
    if not result.findings:
        lines.append(f"All {len(result.checked)} features fit the advice.")
        return "\n".join(lines) + "\n"
    lines += ["| | code | feature | finding | what to do |", "|---|---|---|---|---|"]
    for f in result.findings:
        lines.append(
            f"| {icon[f.severity]} {f.severity} | {f.code} | {escape_markdown(f.feature or '-')} "
            f"| {escape_markdown(f.message)} | {escape_markdown(f.action)} |"
        )
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    return text.replace("`", "'")


def render_codes_markdown() -> str:
    """Every check code (`advisor.check.codes`) as the table of docs/ci.md: what it finds
    and at which severities."""
    lines = ["| code | finding | severity |", "|---|---|---|"]
    lines += [f"| {c.id} | {c.finds} | {c.severities} |" for c in CHECK_CODES.values()]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class CheckFormatSpec:
    """A check format: its ``render`` function, the ``label`` ``--format``'s help names it
    by, and the CLI ``option`` that also writes it to a file (None: printed only) with
    that option's ``help``."""

    render: CheckRenderer
    label: str
    option: str | None = None
    help: str | None = None

    @property
    def dest(self) -> str | None:
        """The CLI parameter name of ``option`` ("--junit" -> "junit_path")."""
        return None if self.option is None else f"{self.option.lstrip('-')}_path"


#: Every check format, in the order ``--format``'s help lists them and the CLI writes files.
CHECK_FORMAT_REGISTRY: dict[CheckFormat, CheckFormatSpec] = {
    "text": CheckFormatSpec(render_text, "text"),
    "json": CheckFormatSpec(
        render_json, "JSON", option="--json", help="Also write the findings as JSON."
    ),
    "junit": CheckFormatSpec(
        render_junit,
        "JUnit XML",
        option="--junit",
        help="Also write JUnit XML (one test case per finding).",
    ),
    "github": CheckFormatSpec(render_github, "GitHub annotations"),
    "markdown": CheckFormatSpec(
        render_markdown, "Markdown", option="--markdown", help="Also write a Markdown summary."
    ),
}


def render(result: CheckResult, fmt: CheckFormat, fail_on: Severity = "error") -> str:
    """The check result in the format ``fmt`` (a key of `CHECK_FORMAT_REGISTRY`)."""
    return CHECK_FORMAT_REGISTRY[fmt].render(result, fail_on)
