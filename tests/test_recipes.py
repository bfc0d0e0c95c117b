"""The recipes page and the notebook run as written (from the repository root)."""

from __future__ import annotations

import contextlib
import json
import re
import sys
import types

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


def test_the_notebook_runs(monkeypatch):
    notebook = json.loads((ROOT / "docs" / "notebook.ipynb").read_text(encoding="utf-8"))
    blocks = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") for c in notebook["cells"] if c["cell_type"] == "code")
    # IPython may not be installed where the tests run: stand in for its HTML display.
    display = types.ModuleType("IPython.display")
    display.HTML = lambda html: html  # type: ignore[attr-defined]
    ipython = types.ModuleType("IPython")
    ipython.display = display  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    _run(blocks, "docs/notebook.ipynb")
