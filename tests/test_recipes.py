"""The recipes page and the notebook run as written (from the repository root)."""

from __future__ import annotations

import contextlib
import json
import os
import re
from typing import Any

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow


def _run(blocks: list[str], where: str) -> None:
    namespace: dict[str, object] = {"__name__": "__recipes__"}
    with contextlib.chdir(ROOT):
        for n, block in enumerate(blocks):
            try:
                exec(compile(block, f"{where} block {n + 1}", "exec"), namespace)
            except Exception as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"{where} block {n + 1} failed: {exc!r}\n{block}")


def test_every_recipe_runs():
    text = (ROOT / "docs" / "recipes.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 6
    _run(blocks, "docs/recipes.md")


def test_the_notebook_runs_in_a_real_kernel(tmp_path):
    """docs/notebook.ipynb executed by nbclient in an IPython kernel, as a user runs it:
    the profile and the advice display as cards (`_repr_html_`), the search shows a
    progress bar, and the repository keeps the notebook without outputs."""
    import shutil

    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "docs" / "notebook.ipynb"
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    shutil.copytree(ROOT / "sample_data", tmp_path / "sample_data")
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute(env={**os.environ, "ADVISOR_CACHE_DIR": str(tmp_path / "cache")})
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors

    def html_of(cell: Any) -> str:
        return "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)

    profile_cell = next(c for c in code if "profile_dataset(" in c.source)
    assert 'class="nadv-card"' in html_of(profile_cell) and "Profile of" in html_of(profile_cell)
    advice_cell = next(c for c in code if "advise(" in c.source)
    card = html_of(advice_cell)
    assert 'class="nadv-card"' in card and "The full report" in card
    progress = "".join(
        o.get("text", "") for o in advice_cell.outputs if o.get("name") == "stderr"
    ) + json.dumps([o.get("data", {}) for o in advice_cell.outputs])
    assert "epoch" in progress  # the bar (text on stderr, or a widget's view)
    assert (tmp_path / "penguins_advice.html").read_text().startswith("<!DOCTYPE html>")
