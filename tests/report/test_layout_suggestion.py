"""The table layout's line in the reports: `advise profile`, the terminal, Markdown and HTML
reports show the suggestion of a panel's advice (and its JSON fits the schema); an advice of
exchangeable rows, or of a run that chose its folds, shows none; the advice is unchanged."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advisor import advise
from advisor.advice.advice import SCHEMA_FILE
from advisor.report.html import render_html
from advisor.report.listings import render_profile_text
from advisor.report.markdown import render_markdown
from advisor.report.text import render_text

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def panel() -> dict:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        [(f"firm {f}", 1990 + y) for f in range(9) for y in range(12)], columns=["firm", "year"]
    )
    frame["capital"] = rng.lognormal(3, 1, len(frame))
    return advise(frame, seed=0).to_dict()


def _renders(data: dict) -> dict[str, str]:
    return {
        "text": render_text(data),
        "markdown": render_markdown(data),
        "html": render_html(data),
        "profile": render_profile_text(data["profile"]),
    }


def test_a_panels_reports_suggest_groups_or_time_order(panel):
    layout = panel["profile"]["layout"]
    assert (layout["kind"], layout["unit"], layout["time"]) == ("panel", "firm", "year")
    assert "consider --groups firm (or --time-order year)" in layout["suggestion"]
    for where, text in _renders(panel).items():
        assert "9 values of" in text and "--groups firm" in text, where
    assert "table layout: looks like a panel" in render_text(panel)
    assert "**Table layout:** looks like a panel" in render_markdown(panel)
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text())).validate(panel)


def test_the_suggestion_is_all_that_changes(panel):
    without = copy.deepcopy(panel)
    del without["profile"]["layout"]
    assert "layout" not in render_text(without).lower()
    added = render_text(panel).splitlines()
    for line in render_text(without).splitlines():
        added.remove(line)
    assert added == [f"  table layout: {panel['profile']['layout']['suggestion']}"]


def _panel_with_target() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        [(f"firm {f}", 1990 + y) for f in range(9) for y in range(12)], columns=["firm", "year"]
    )
    frame["capital"] = rng.lognormal(3, 1, len(frame))
    frame["invest"] = np.log(frame["capital"]) + rng.normal(size=len(frame))
    return frame


@pytest.mark.parametrize("split", [{"groups": "firm"}, {"time_order": "year"}])
def test_no_suggestion_once_the_run_chose_its_folds(split, tmp_path):
    data = advise(
        _panel_with_target(), target="invest", max_trials=1, work_dir=tmp_path, **split
    ).to_dict()
    assert data["search"]["split"]["kind"] in ("group", "time")
    for where, text in _renders(data).items():
        assert ("consider --groups" in text) == (where == "profile"), where


def test_shuffled_folds_still_get_the_suggestion(tmp_path):
    data = advise(_panel_with_target(), target="invest", max_trials=1, work_dir=tmp_path).to_dict()
    assert data["search"]["split"]["kind"] == "kfold"
    for where, text in _renders(data).items():
        assert "consider --groups firm" in text, where


def test_the_golden_advice_has_no_layout_line():
    data = json.loads((GOLDEN / "penguins.advice.json").read_text(encoding="utf-8"))
    assert "layout" not in data["profile"]
    assert "layout" not in render_text(data).lower()
    assert "layout" not in render_markdown(data).lower()
