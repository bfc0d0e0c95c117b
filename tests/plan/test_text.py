"""Text columns of many categories: one-hot by default, skrub's StringEncoder offered as an
alternative that the search validates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advisor.rules.engine import apply_rules, load_rules
from advisor.search.space import search_space

LEVELS = ["senior", "junior", "lead", "chief", "head", "assistant", "deputy"]
JOBS = [f"{a} {b}" for a in LEVELS for b in ["scientist", "nurse", "teacher", "engineer", "clerk"]]


def _frame(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"job": rng.choice(JOBS, n), "x": rng.normal(size=n)})
    frame.loc[::50, "job"] = None
    return frame


def test_many_categories_are_one_hot_with_the_string_encoder_as_the_searched_alternative():
    from advisor.profiling.profile import profile_table
    from advisor.table.load import load_table

    proposals = apply_rules(profile_table(load_table(_frame())), load_rules())
    job = proposals.feature("job")
    assert [p.choice for p in job.ranked] == ["onehot", "string_encoder"]
    plans = {c.plan.name: c.plan for c in search_space(proposals, "fast").candidates()}
    assert plans["rules"].categorical == ("job",)
    assert plans["string-encoder"].text_encoded == ("job",)
    assert plans["string-encoder"].categorical == ()


def test_the_string_encoder_gives_every_category_30_components_seeded():
    from advisor import advise

    frame = _frame()
    advice = advise(frame, overrides={"job": "string_encoder"}, seed=3)
    assert advice.plan.text_encoded == ("job",)
    z = advice.transform(frame)
    assert z.shape == (len(frame), 1 + 30) and np.isfinite(z).all()
    again = advise(frame, overrides={"job": "string_encoder"}, seed=3).transform(frame)
    assert np.array_equal(z, again)
    unseen = advice.transform(pd.DataFrame({"job": ["senior scientist", "astronaut"], "x": 0.0}))
    assert np.isfinite(unseen).all()


def test_a_numeric_column_cannot_be_string_encoded():
    from advisor import advise
    from advisor.errors import RuleError

    with pytest.raises(RuleError, match="needs a text column"):
        advise(_frame(), overrides={"x": "string_encoder"})


def test_the_search_validates_the_string_encoder_plan(tmp_path):
    from advisor import advise

    frame = _frame(300)
    frame["y"] = frame["job"].fillna("").str.contains("senior|chief").map({True: "a", False: "b"})
    advice = advise(frame, target="y", max_trials=3, work_dir=tmp_path)
    ran = {c["key"] for c in advice.search["candidates"] if c["status"] == "ok"}
    # the default (its numbers embedded), the plain plan, then the string encoder's
    assert ran == {"rules+none@periodic", "rules+none", "string-encoder+none"}
