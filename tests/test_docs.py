"""Documentation that is generated or executable stays true."""

from __future__ import annotations

import doctest
import subprocess
import sys

import pytest
from conftest import ROOT, SHARED

import advisor.api
import advisor.plan.target
import advisor.rules.autoscaler


@pytest.mark.parametrize("module", [advisor.api, advisor.rules.autoscaler, advisor.plan.target])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_rules_page_is_up_to_date():
    if not (SHARED / "targets.json").exists():
        pytest.skip("shared datasets not available")
    result = subprocess.run(
        [sys.executable, "docs/build_rules_md.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
