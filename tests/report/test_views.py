"""The typed views of the advice the reports read: every schema version's advice parses and
renders, what an older version lacks reads as that version meant it, a missing key is a
one-line error naming its path, and the views import nothing heavy."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from advisor.errors import AdviceFileError
from advisor.report.html import render_html
from advisor.report.listings import render_proposals_markdown
from advisor.report.markdown import render_markdown
from advisor.report.text import render_rules_text, render_text
from advisor.report.views import AdviceView, ProfileView, RulesView

GOLDEN = Path(__file__).parent / "golden"


def _golden(name: str) -> dict[str, Any]:
    return json.loads((GOLDEN / f"{name}.advice.json").read_text(encoding="utf-8"))


def _as_version(data: dict[str, Any], version: int) -> dict[str, Any]:
    """A current advice as a file of an older version holds it. Version 5 has no features' links to
    the target; version 3 has no split, default target transform or candidates' targets in
    its search; version 2, besides, no search evidence (one stage), no date or string-
    encoded columns and no image top or code flags; version 1 (before the reports), besides,
    no distributions, no fired rules' rationale, no search sample, and comparisons decided
    by Holm-adjusted significance."""
    old = copy.deepcopy(data)
    old["schema_version"] = version
    for feature in [*old["profile"]["features"], old["profile"]["target"] or {}]:
        feature.pop("target_r2", None)  # version 6: the target's links
        feature.pop("target_r2_clipped", None)
    if version == 5:
        return old
    if old["search"] is not None:
        old["search"].pop("split")
        old["search"].pop("target_transform")
        for candidate in old["search"]["candidates"]:
            candidate.pop("target")
    if version == 3:
        return old
    for part in (old["advice"]["plan"], old["proposals"]):
        part.pop("dates")
        part.pop("text_encoded")
    old["profile"].pop("image_top", None)
    for feature in old["profile"]["features"]:
        feature.pop("code_like")
    if old["search"] is not None:
        old["search"].pop("evidence")
    if version == 1:
        old.pop("distributions")
        old["proposals"].pop("rules")
        if old["search"] is not None:
            old["search"].pop("sample")
            for comparison in old["search"]["comparisons"]:
                comparison.pop("beats_default")
    return old


SAMPLES = [(name, version) for name in ("penguins", "concrete") for version in (1, 2, 3, 5, 6)]


@pytest.mark.parametrize(("name", "version"), SAMPLES)
def test_every_schema_versions_advice_parses_and_renders(name, version):
    data = _as_version(_golden(name), version) if version < 6 else _golden(name)
    view = AdviceView.from_dict(data)
    assert view.profile.n_rows == data["profile"]["n_rows"]
    assert [e.subject for e in view.proposals.features] == [
        f["subject"] for f in data["proposals"]["features"]
    ]
    assert (view.search is None) == (data["search"] is None)
    assert bool(view.distributions) == (version > 1)
    assert bool(view.proposals.rules) == (version > 1)
    for text in (render_text(data, verbose=True), render_markdown(data), render_html(data)):
        assert name in text
    if view.search is not None:
        assert (view.search.evidence is not None) == (version >= 3)
        said = "the decision rests on" in render_text(data)
        assert said == (version >= 3)  # a search of version 2 reads as one stage
        assert (view.search.split is not None) == (version >= 4)
        for text in (render_text(data), render_markdown(data), render_html(data)):
            assert ("Folds: not recorded" in text) == (version < 4)


def test_an_older_file_renders_as_the_newer_one_but_for_what_it_lacks():
    new = _golden("penguins")
    old = _as_version(new, 2)
    strip = ("Evidence: ", "Folds: ")
    new_lines = [
        line for line in render_text(new).splitlines() if not line.strip().startswith(strip)
    ]
    old_lines = [
        line for line in render_text(old).splitlines() if not line.strip().startswith(strip)
    ]
    assert old_lines == new_lines


def test_comparisons_of_files_before_the_standard_error_rule_read_significance():
    data = _as_version(_golden("penguins"), 1)
    comparisons = data["search"]["comparisons"]
    comparisons[0]["significant"] = True
    comparisons[1]["significant"] = False
    view = AdviceView.from_dict(data)
    assert [c.beats_default for c in view.search.comparisons[:2]] == [True, False]


def test_values_keep_their_json_types():
    data = _golden("penguins")
    data["proposals"]["features"][0]["ranked"][0]["score"] = 78
    view = AdviceView.from_dict(data)
    score = view.proposals.features[0].top.score
    assert score == 78 and isinstance(score, int)  # so a report writes "78", not "78.0"
    assert view.search.alpha == data["search"]["alpha"]


@pytest.mark.parametrize(
    ("damage", "path"),
    [
        (lambda d: d["profile"]["features"][1].pop("kind"), "profile.features[1].kind"),
        (lambda d: d["search"]["candidates"][0].pop("mean"), "search.candidates[0].mean"),
        (lambda d: d["proposals"]["in_network"].pop("ranked"), "proposals.in_network.ranked"),
        (lambda d: d["advice"].pop("validated"), "advice.validated"),
        (lambda d: d.pop("settings"), "settings"),
    ],
)
def test_a_missing_required_key_is_one_line_naming_its_path(damage, path):
    data = _golden("penguins")
    damage(data)
    with pytest.raises(AdviceFileError, match=f"^malformed advice: {re.escape(path)} is missing$"):
        AdviceView.from_dict(data)
    with pytest.raises(AdviceFileError) as raised:
        render_markdown(data)  # the renderers read the advice through the views
    assert "\n" not in str(raised.value) and path in str(raised.value)


def test_a_value_of_the_wrong_shape_is_named():
    data = _golden("penguins")
    data["search"]["candidates"] = {"rules+none": {}}
    with pytest.raises(AdviceFileError, match=r"search\.candidates is not an array"):
        AdviceView.from_dict(data)
    with pytest.raises(AdviceFileError, match="the advice is not an object"):
        AdviceView.from_dict([])


def test_the_rules_preview_is_a_rules_view_not_a_whole_advice():
    data = _golden("concrete")
    preview = {key: data[key] for key in ("source", "settings", "notes", "profile", "proposals")}
    preview["advice"] = {"plan": data["advice"]["plan"], "in_network": "none"}
    view = RulesView.from_dict(preview)
    assert view.plan_name == "rules" and view.dates == ()
    assert render_rules_text(preview) == render_rules_text(data)
    with pytest.raises(AdviceFileError, match=r"^malformed advice: \S+ is missing$"):
        AdviceView.from_dict(preview)  # no advisor version, validation, search ...


def test_the_profile_and_proposals_listings_read_their_own_parts():
    data = _golden("concrete")
    profile = ProfileView.from_dict(data["profile"])
    assert [f.name for f in profile.features] == [f["name"] for f in data["profile"]["features"]]
    assert profile.by_name()["cement"].kind == data["profile"]["features"][0]["kind"]
    text = render_proposals_markdown("concrete", data["proposals"])
    assert text.startswith("### concrete") and "In-network candidates" in text
    with pytest.raises(AdviceFileError, match=r"proposals\.features is missing"):
        render_proposals_markdown("x", {})


def test_the_views_and_the_reports_text_import_nothing_heavy():
    """The views are the standard library's; the reports no longer import the search's
    statistics (NumPy, SciPy) for their words."""
    code = (
        "import sys\n"
        "import advisor.report.views\n"
        "print(','.join(m for m in ('numpy', 'scipy', 'pandas') if m in sys.modules))\n"
        "import advisor.report.text, advisor.report.html, advisor.report.markdown\n"
        "print('advisor.search.stats' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["", "False"]
