"""Numeric encodings as candidates of the search: proposed by the rules from the profile,
tried with the default's plan and network, decided by the same rule, and stated in the
advice file and the reports."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from advisor.plan.plans import Candidate, InputPlan
from advisor.profiling.profile import profile_table
from advisor.rules.engine import apply_rules, load_rules
from advisor.search.space import search_space
from advisor.table.load import load_table


def _wavy(n: int, seed: int = 0) -> pd.DataFrame:
    """A target that is a fast sine of one number: what a first ReLU layer fits coarsely
    and an encoding of the number fits well."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.uniform(-3, 3, n), rng.normal(size=n)
    y = np.sin(3 * x1) + 0.1 * x2 + 0.1 * rng.normal(size=n)
    return pd.DataFrame({"x1": x1, "x2": x2, "y": y})


def _proposals(frame: pd.DataFrame):
    table = load_table(frame, target="y")
    return apply_rules(profile_table(table), load_rules())


def test_the_encodings_the_rules_propose_are_candidates_with_the_defaults_plan():
    proposals = _proposals(_wavy(2500))
    assert [c for c, _ in proposals.encoding_choices()] == ["periodic", "ple"]
    # NRM303 is a baseline: the default embeds its numbers, the plain plan challenges it
    assert proposals.default_encoding == "periodic"
    candidates = search_space(proposals, "fast").candidates()
    default = candidates[0]
    assert default.key == "rules+none@periodic"
    plain = next(c for c in candidates if c.key == "rules+none")
    assert plain.plan == default.plan and plain.encoding == "none"
    encoded = {c.key: c for c in candidates if c.encoding != "none"}
    assert set(encoded) == {"rules+none@periodic", "rules+none@ple"}
    assert all(c.plan == default.plan and c.in_network == "none" for c in encoded.values())
    assert encoded["rules+none@ple"].bins == proposals.ple_bins == (("x1", 48), ("x2", 48))
    assert encoded["rules+none@periodic"].bins == ()
    # ... and nothing is encoded where no rule fires (numbers of few values)
    few = np.random.default_rng(1).integers(0, 8, size=(600, 2)).astype(float)
    quiet = _proposals(pd.DataFrame({"x1": few[:, 0], "x2": few[:, 1], "y": few.sum(axis=1)}))
    assert quiet.encoding_choices() == () and quiet.default_encoding == "none"
    quiet_candidates = search_space(quiet, "fast").candidates()
    assert quiet_candidates[0].key == "rules+none"
    assert all(c.encoding == "none" for c in quiet_candidates)


def test_an_encoding_is_the_most_complex_choice_and_named_in_the_key():
    plan = InputPlan("rules", (("x", "robust_clip"),))
    plain, normed = Candidate(plan, "none"), Candidate(plan, "batch")
    encoded = Candidate(plan, "none", encoding="ple", bins=(("x", 8),))
    assert encoded.key == "rules+none@ple"
    assert plain.complexity < normed.complexity < encoded.complexity


@pytest.mark.slow
def test_a_search_that_picks_an_encoding_advises_and_reports_it(tmp_path):
    from advisor import advise
    from advisor.advice.advice import SCHEMA_FILE, Advice

    frame = _wavy(2500)
    advice = advise(frame, target="y", use_cache=False)
    assert advice.search["winner"] in ("rules+none@ple", "rules+none@periodic")
    assert advice.encoding == advice.search["winner"].split("@")[1]
    statuses = {c["key"]: c["encoding"] for c in advice.search["candidates"]}
    assert statuses["rules+none@ple"] == "ple" and statuses["rules+none"] == "none"
    data = json.loads(advice.to_json())
    assert data["schema_version"] == 6
    assert data["advice"]["encoding"]["kind"] == advice.encoding
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text())).validate(data)
    text = advice.to_text()
    assert "encoding      :" in text and "Numeric encodings from the rules: x1:" in text
    assert "| encoding |" in advice.to_markdown() and "<dt>encoding</dt>" in advice.to_html()
    # saved and loaded, the same pipeline and the same network
    path = advice.save(tmp_path / "advice.json")
    again = Advice.load(path)
    features = frame.drop(columns="y")
    np.testing.assert_array_equal(again.transform(features), advice.transform(features))
    assert again.encoding == advice.encoding and again.net == advice.net
    assert again.to_json() == advice.to_json()
    # same seed, same advice file, byte for byte (a second search, not a cached one)
    assert advise(frame, target="y", use_cache=False).to_json() == advice.to_json()
