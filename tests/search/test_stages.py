"""The race across sample sizes: stages, who goes on, what the decision rests on."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from advisor.plan.plans import InputPlan, make_candidates
from advisor.search.budgets import BUDGETS, Budget
from advisor.search.results import Comparison, SearchResult
from advisor.search.run import run_search
from advisor.search.stages import DROP_T, SURE_T, race, stage_rows, standing
from advisor.search.stats import PairedTest
from advisor.table.units import Split


def test_stages_grow_by_the_budget_s_factor_and_end_on_every_row():
    fast = BUDGETS["fast"]
    assert fast.first_rows == 2000 and fast.growth == 4
    assert stage_rows(300, fast) == (300,)
    assert stage_rows(3999, fast) == (3999,)  # a first stage over half the rows saves little
    assert stage_rows(4000, fast) == (2000, 4000)
    assert stage_rows(15_999, fast) == (2000, 15_999)
    assert stage_rows(16_000, fast) == (2000, 8000, 16_000)
    assert stage_rows(50_000, fast) == (2000, 8000, 50_000)
    # The larger budgets start on more rows.
    assert stage_rows(50_000, BUDGETS["standard"]) == (4000, 16_000, 50_000)
    assert stage_rows(50_000, BUDGETS["thorough"]) == (8000, 50_000)


def _comparison(t: float | None, improvement: float) -> Comparison:
    return Comparison("c", improvement, 3, t, 0.1, 0.2)


def test_a_challenger_goes_on_only_while_it_could_still_beat_the_default():
    assert standing(_comparison(-1.0, -0.1)) == "out"
    assert standing(_comparison(DROP_T, 0.0)) == "out"  # no lower mean loss
    assert standing(_comparison(0.4, 0.01)) == "open"
    assert standing(_comparison(SURE_T - 0.01, 0.1)) == "open"
    assert standing(_comparison(SURE_T, 0.1)) == "won"
    # Every fold differing by the same amount: the sign decides.
    assert standing(_comparison(None, 0.2)) == "won"
    assert standing(_comparison(None, -0.2)) == "out"
    # Beside a leader (the challenger the decision would name), a challenger with no lower
    # mean loss than the leader's is out however far it leads the default; one that leads
    # the leader stays open, and nobody has won while it does.
    behind = PairedTest(-0.01, 2, 5, -0.3, 0.6)
    ahead = PairedTest(0.01, 3, 5, 0.4, 0.3)
    assert standing(_comparison(5.0, 0.2), behind) == "out"
    assert standing(_comparison(5.0, 0.2), ahead) == "open"


def _data(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Classification from a Gaussian column in the thousands and a standard one: scaled
    inputs learn far better than raw ones, and the scalers come close to each other."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0, 1, n), rng.normal(0, 1, n)
    frame = pd.DataFrame({"a": a * 1000 + 5000, "b": b, "c": rng.poisson(3, n).astype(float)})
    y = pd.Series(np.where(np.sin(2 * a) + b + 0.5 * rng.normal(size=n) > 0, "yes", "no"))
    return frame, y


def _plan(name: str, key: str) -> InputPlan:
    return InputPlan(name, tuple((column, key) for column in ("a", "b", "c")))


@pytest.mark.slow
def test_the_race_trains_fewer_candidates_on_more_rows_and_says_so(tmp_path):
    frame, y = _data(1600)
    candidates = make_candidates(_plan("rules", "robust"), ("none", "batch"))
    budget = Budget("fast", folds=3, max_steps=60, patience=2, min_steps=10, first_rows=400)
    calls: list[tuple[int, tuple[str, ...]]] = []

    def search(x: pd.DataFrame, t: pd.Series, chosen, part: Split | None) -> SearchResult:
        calls.append((len(x), tuple(c.key for c in chosen)))
        return run_search(
            x, t, "classification", chosen, budget=budget, seed=0, work_dir=tmp_path, split=part
        )

    result = race(frame, y, "classification", candidates, budget, 0, None, search)
    assert calls[0] == (400, tuple(c.key for c in candidates))  # every candidate first
    assert [n for n, _ in calls] == [400, 1600]
    # Raw inputs with a column in the thousands trail the default: out after the first
    # stage; standardizing comes close to robust scaling and goes on.
    assert calls[1] == (1600, ("rules+none", "standard+none"))
    raw = result.candidate("none+none")
    assert raw.status == "eliminated" and "400 rows" in raw.message
    assert len(raw.fold_scores) == 3  # the scores of the stage it left at
    assert all("none+none" not in keys for _, keys in calls[1:])
    assert result.evidence is not None
    assert result.evidence.rows == calls[-1][0] and result.evidence.folds == 3
    assert [s.rows for s in result.evidence.stages] == [n for n, _ in calls]
    assert [s.candidates for s in result.evidence.stages] == [len(k) for _, k in calls]
    assert result.evidence.certainty in ("clear", "close")
    # The candidates keep their order; the default is first and scored on the last stage.
    assert [c.key for c in result.candidates] == [c.key for c in candidates]
    assert result.candidate(result.default_key).status == "ok"
    # Same seed, same race.
    again = race(frame, y, "classification", candidates, budget, 0, None, search)
    assert dataclasses.replace(again, seconds=0.0, trial_dir="", cached=0) == (
        dataclasses.replace(result, seconds=0.0, trial_dir="", cached=0)
    )


@pytest.mark.slow
def test_one_stage_is_the_plain_search(tmp_path):
    frame, y = _data(300)
    candidates = make_candidates(_plan("rules", "robust"), ("none",))
    budget = Budget("fast", folds=3, max_steps=30, patience=1, first_rows=4000)

    def search(x: pd.DataFrame, t: pd.Series, chosen, part: Split | None) -> SearchResult:
        return run_search(x, t, "classification", chosen, budget=budget, work_dir=tmp_path)

    staged = race(frame, y, "classification", candidates, budget, 0, None, search)
    plain = run_search(frame, y, "classification", candidates, budget=budget, work_dir=tmp_path)
    assert staged.evidence is not None and len(staged.evidence.stages) == 1
    assert staged.evidence.rows == 300
    assert staged.candidates == plain.candidates and staged.decision == plain.decision


def test_lanes_keep_two_cores_busy_when_every_candidate_left_has_one_shape():
    from advisor.network.nets import NetSpec
    from advisor.plan.plans import Candidate
    from advisor.search.blocks import Blocks
    from advisor.search.runner import lanes_of

    blocks = Blocks(train=(np.zeros((4, 3), np.float32),), valid=(), seconds=0.0)
    spec = {norm: NetSpec("classification", 3, 2, 128, 2, 1e-3, norm) for norm in ("none", "batch")}

    def members(norm: str, n: int) -> list:
        return [(Candidate(_plan(f"p{i}", "robust"), norm), blocks) for i in range(n)]

    def shape(plan: list) -> list[list[int]]:
        return [[len(chunk) for _, chunk in lane] for lane in plan]

    # Three candidates of one shape: two lanes (two and one), two trainers never shared.
    assert shape(lanes_of([(spec["none"], members("none", 3))], 2)) == [[2], [1]]
    # Two shapes are two lanes already: nothing is split.
    two = [(spec["none"], members("none", 3)), (spec["batch"], members("batch", 2))]
    assert shape(lanes_of(two, 2)) == [[3], [2]]
    # A shape in several packed models gives half of them to the new lane.
    chunks = [(spec["none"], members("none", 2)), (spec["none"], members("none", 2))]
    assert shape(lanes_of(chunks, 2)) == [[2], [2]]
    # One candidate cannot be split; no candidates, no lanes.
    assert shape(lanes_of([(spec["none"], members("none", 1))], 2)) == [[1]]
    assert lanes_of([], 2) == []
    # A lane count of one keeps one lane per shape (a keras-tuner worker).
    assert shape(lanes_of([(spec["none"], members("none", 3))], 1)) == [[3]]


@pytest.mark.slow
def test_the_first_stage_screens_and_never_decides(tmp_path):
    """Every challenger behind the default on the first stage's rows: the one with the
    lowest mean loss still meets the default on the next stage, where the decision is."""
    rng = np.random.default_rng(0)
    signal = rng.standard_t(2, 1600)
    frame = pd.DataFrame({"amount": signal * 50_000.0 + 1e6, "noise": rng.normal(0, 1, 1600)})
    y = pd.Series(np.where(signal + 0.3 * rng.normal(size=1600) > 0, "yes", "no"))
    plan = InputPlan("rules", (("amount", "quantile_normal"), ("noise", "standard")))
    candidates = make_candidates(plan, ("none", "batch"))
    budget = Budget("fast", folds=3, max_steps=60, patience=2, min_steps=10, first_rows=400)
    calls: list[tuple[int, tuple[str, ...]]] = []

    def search(x: pd.DataFrame, t: pd.Series, chosen, part: Split | None) -> SearchResult:
        calls.append((len(x), tuple(c.key for c in chosen)))
        return run_search(x, t, "classification", chosen, budget=budget, work_dir=tmp_path)

    result = race(frame, y, "classification", candidates, budget, 0, None, search)
    assert [n for n, _ in calls] == [400, 1600]
    out = [c for c in result.candidates if c.status == "eliminated"]
    assert len(out) == len(candidates) - 2
    assert all(c.message.startswith("no lower loss than the default") for c in out)
    assert len(calls[1][1]) == 2 and calls[1][1][0] == "rules+none"
    assert result.candidate(calls[1][1][1]).status == "ok"
    assert result.evidence is not None and result.evidence.rows == 1600
