"""The documentation site builds with warnings as errors: every page in the nav, every link
between pages resolving, and the API reference generated from the docstrings
(mkdocs with mkdocstrings; ``mkdocs.yml`` at the repository root)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_docs_build_strictly_with_the_api_reference(tmp_path):
    pytest.importorskip("mkdocstrings")
    site = tmp_path / "site"
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("advisor.api.advise", "advisor.advice.advice.Advice.build_model",
                 "advisor.export.model.to_keras", "advisor.check.check.check"):  # fmt: skip
        assert f'id="{name}"' in api, name
    assert "Profile" in api and "keyword-only" in api  # docstring text, not just headings
