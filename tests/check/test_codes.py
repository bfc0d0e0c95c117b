"""The registry of check codes: one entry per code, never reused, every finding built from
it (no code written as a literal elsewhere), and docs/ci.md's table generated from it."""

from __future__ import annotations

import ast
import os
import re

from conftest import ROOT

from advisor.check import codes
from advisor.check.codes import CHECK_CODES, KIND_CHANGED, NEW_COLUMN, CheckCode
from advisor.check.findings import Finding
from advisor.check.render import render_codes_markdown
from advisor.vocab import SEVERITIES

CI_PAGE = ROOT / "docs" / "ci.md"
UPDATE = os.environ.get("ADVISOR_UPDATE_GOLDEN") == "1"
TABLE_HEAD = "| code | finding | severity |"


def _table_span(lines: list[str]) -> tuple[int, int]:
    """Where docs/ci.md's table of codes is: its header line, and the line after its last row."""
    start = lines.index(TABLE_HEAD)
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return start, end


def test_the_ci_page_lists_every_code_as_the_registry_says():
    """ADVISOR_UPDATE_GOLDEN=1 rewrites the table from the registry."""
    lines = CI_PAGE.read_text(encoding="utf-8").splitlines()
    start, end = _table_span(lines)
    generated = render_codes_markdown().splitlines()
    if UPDATE:
        lines[start:end] = generated
        CI_PAGE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert lines[start:end] == generated, (
        "docs/ci.md's table of check codes is out of date: rerun this test with "
        "ADVISOR_UPDATE_GOLDEN=1"
    )


def test_codes_are_numbered_in_order_and_never_skipped_or_reused():
    ids = list(CHECK_CODES)
    assert ids == [f"CHK{n:03d}" for n in range(1, len(ids) + 1)]
    assert all(code.id == key for key, code in CHECK_CODES.items())
    for code in CHECK_CODES.values():
        forms = [code.form, *code.variants.values()]
        assert code.finds and code.severities, code.id
        for form in forms:
            assert form.title and form.action and form.severity in SEVERITIES, code.id
        # The documented severities name every form's default.
        assert all(form.severity in code.severities for form in forms), code.id
        assert len({form.title for form in forms}) == len(forms), code.id


def _code_literals(path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"CHK\d{3}", node.value)
    ]


def test_codes_are_written_in_the_registry_only():
    """Findings are built from registry entries: no other module spells a code."""
    found = [
        literal
        for path in sorted((ROOT / "advisor").rglob("*.py"))
        if path != ROOT / "advisor" / "check" / "codes.py"
        for literal in _code_literals(path)
    ]
    assert not found, "check codes written as literals:\n" + "\n".join(found)


def test_every_code_is_raised_by_some_check():
    names = {name for name, value in vars(codes).items() if isinstance(value, CheckCode)}
    used = set()
    for path in sorted((ROOT / "advisor" / "check").glob("*.py")):
        if path.name == "codes.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & names
    assert used == names, f"codes no check raises: {sorted(names - used)}"
    assert len(names) == len(CHECK_CODES)


def test_a_finding_takes_its_title_action_and_severity_from_its_entry():
    plain = Finding.of(NEW_COLUMN, "x", "'x' is new")
    assert (plain.code, plain.severity, plain.title, plain.action) == (
        "CHK002",
        "info",
        "new column",
        "make a new advice if the column should be used",
    )
    assert plain.evidence == {} and plain.feature == "x" and plain.message == "'x' is new"
    kind = Finding.of(KIND_CHANGED, "x", "m", {"kind": "count"}, variant="kind")
    assert (kind.severity, kind.title) == ("info", "column changed kind")
    assert kind.evidence == {"kind": "count"}
    louder = Finding.of(NEW_COLUMN, None, "m", severity="error")
    assert louder.severity == "error" and louder.title == "new column"
