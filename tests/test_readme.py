"""The README's Python blocks run as written (from a scratch folder with the sample data)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def _python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_readme_has_python_blocks():
    assert len(_python_blocks()) >= 2


@pytest.mark.slow
def test_the_readmes_python_blocks_run(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "sample_data", tmp_path / "sample_data")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    namespace: dict[str, object] = {}
    for block in _python_blocks():
        exec(compile(block, "README.md", "exec"), namespace)
    assert (tmp_path / "model.keras").exists() and (tmp_path / "served").is_dir()
    assert os.path.exists("advice.json")


def test_the_readme_counts_the_strategies_and_datasets_the_harness_has():
    """The quality benchmark's line in the README names as many fixed strategies as
    `benchmarks/reference.py` defines and as many datasets as the committed split holds."""
    import json

    import reference

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"against (\d+) fixed strategies on (\d+) datasets", text)
    assert found, "the README no longer says what the quality benchmark compares"
    halves = json.loads((ROOT / "benchmarks" / "split.json").read_text())["halves"]
    datasets = sum(len(names) for names in halves.values())
    for strategies, tables in found:
        assert (int(strategies), int(tables)) == (len(reference.STRATEGIES), datasets)
