"""What a notebook shows for an advice (`_repr_html_`) and a profile (a kernel formatter): a
compact card whose
styles touch only itself, with the decision once, the plan per feature, the evidence, and
the full report behind a disclosure."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from advisor.report.notebook import (
    profile_card,
    render_advice_card,
    render_profile_card,
    show_profiles_as_cards,
)

GOLDEN = Path(__file__).parent / "golden"


def _penguins() -> dict:
    return json.loads((GOLDEN / "penguins.advice.json").read_text())


def _scoped(card: str) -> str:
    """The card's id, after checking that every rule of its style starts with it."""
    uid = re.match(r'<div id="([^"]+)" class="nadv-card">', card)
    assert uid, card[:80]
    style = re.search(r"<style>(.*?)</style>", card, flags=re.S)
    assert style
    selectors = re.findall(r"([^{}]+)\{", style.group(1))
    for group in selectors:
        for selector in group.split(","):
            assert selector.strip().startswith(f"#{uid.group(1)}"), selector
    return uid.group(1)


def test_two_cards_of_one_advice_do_not_share_an_id_and_style_only_themselves():
    data = _penguins()
    first, second = render_advice_card(data, "<p>page</p>"), render_advice_card(data, "<p>page</p>")
    assert _scoped(first) != _scoped(second)


def test_the_advice_card_has_the_decision_once_the_plan_the_evidence_and_the_full_report():
    data = _penguins()
    card = render_advice_card(data)
    assert card.count(html.escape(data["search"]["decision"])) == 1
    for column in data["advice"]["plan"]["scalers"]:
        assert f"<td>{column}</td>" in card
    scored = [c for c in data["search"]["candidates"] if c["status"] in ("ok", "eliminated")]
    assert all(f"<td>{c['key']}</td>" in card for c in scored)
    assert "<details><summary>The full report</summary><iframe" in card
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', card).group(1))
    assert page.startswith("<!DOCTYPE html>") and "Each challenger" in page


def test_cards_escape_what_comes_from_the_data(tmp_path):
    from advisor import advise
    from advisor.api import profile_dataset

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"<b>x</b>": rng.normal(size=200), "y&z": rng.lognormal(size=200)})
    advice = advise(frame)
    card = advice._repr_html_()
    assert "<b>x</b>" not in card.replace(html.escape("<b>x</b>"), "")
    assert "&lt;b&gt;x&lt;/b&gt;" in card and "y&amp;z" in card
    assert "Not run" in html.unescape(card)  # no target: the full report says why
    profile = profile_dataset(frame)
    shown = profile_card(profile)
    _scoped(shown)
    assert shown.count("<tr>") == 1 + len(frame.columns)  # the header and one per column


def test_the_profile_card_has_the_profile_columns_and_a_row_per_column():
    data = _penguins()["profile"]
    card = render_profile_card(data)
    _scoped(card)
    assert "<th>skew</th>" in card and "<th>normal p</th>" in card
    assert all(f"<td>{f['name']}</td>" in card for f in data["features"])


def test_a_kernel_shows_profiles_as_cards_and_elsewhere_nothing_is_registered(monkeypatch):
    import sys
    import types

    from advisor.api import profile_dataset

    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert not show_profiles_as_cards()
    registered: dict[tuple[str, str], object] = {}
    html_formatter = types.SimpleNamespace(
        for_type_by_name=lambda module, name, fn: registered.__setitem__((module, name), fn)
    )
    shell = types.SimpleNamespace(
        kernel=object(),
        display_formatter=types.SimpleNamespace(formatters={"text/html": html_formatter}),
    )
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    profile = profile_dataset(pd.DataFrame({"x": np.arange(50.0)}))
    show = registered[("advisor.profiling.types", "DatasetProfile")]
    assert type(profile).__module__ == "advisor.profiling.types"
    assert 'class="nadv-card"' in show(profile)  # type: ignore[operator]
