"""The search space each budget validates."""

from __future__ import annotations

from conftest import shared_dataset

from advisor.profiling.profile import profile_table
from advisor.rules.engine import apply_rules, load_rules
from advisor.search.space import search_space
from advisor.table.load import load_table


def _proposals(path, target):
    return apply_rules(profile_table(load_table(path, target=target)), load_rules())


def test_fast_budget_is_the_small_grid_with_the_default_first(penguins_path):
    candidates = search_space(_proposals(penguins_path, "species"), "fast").candidates()
    # The default embeds its numbers (NRM303, a baseline); the plan without it challenges.
    assert candidates[0].key == "rules+none@periodic"
    assert "rules+none" in {c.key for c in candidates[1:]}
    assert {c.in_network for c in candidates} == {"none", "batch", "layer"}
    # In-network normalization with the rules' plan and with no scaling only; every plan
    # without it.
    normalized = {c.key for c in candidates if c.in_network != "none"}
    assert normalized == {"rules+batch", "rules+layer", "none+batch", "none+layer"}
    assert {c.plan.name for c in candidates if c.in_network == "none"} == {
        "rules",
        "shapes",
        "none",
    }
    assert len(candidates) <= 10
    # On penguins the shapes plan is standardize-everything (near-Gaussian columns, NRM010),
    # so that control is not tried twice.
    assert {c.plan.name for c in candidates} == {"rules", "shapes", "none"}
    rules = next(c.plan for c in candidates if c.plan.name == "rules")
    shapes = next(c.plan for c in candidates if c.plan.name == "shapes")
    assert rules.scaler_for("body_mass_g") == "robust_clip"  # the baseline
    assert shapes.scaler_for("body_mass_g") == "standard"  # near-Gaussian, NRM010


def test_standard_budget_adds_controls_norms_and_runner_up_swaps():
    proposals = _proposals(shared_dataset("breast_cancer"), "target")
    candidates = search_space(proposals, "standard").candidates()
    plans = {c.plan.name for c in candidates}
    assert {"runner-ups", "shapes", "yeo-johnson", "quantile"} <= plans
    # RealMLP's control is the rules' plan on these all-numeric columns: not tried twice.
    assert "realmlp" not in plans
    assert any(name.startswith("swap:") for name in plans)
    assert {c.in_network for c in candidates} == {"none", "batch", "batch_renorm", "layer", "group"}
    assert candidates[0].key == "rules+none@periodic"
    assert len({c.key for c in candidates}) == len(candidates)
    # The standard budget tries every plan with every normalization.
    assert {"shapes+batch", "quantile+layer", "yeo-johnson+group"} <= {c.key for c in candidates}


def test_thorough_budget_places_normalization_after_and_tries_learning_rates(penguins_path):
    candidates = search_space(_proposals(penguins_path, "species"), "thorough").candidates()
    assert any(c.placement == "after" for c in candidates)
    assert {c.learning_rate for c in candidates} == {None, 3e-4, 3e-3}
    assert not any(c.placement == "after" and c.in_network == "none" for c in candidates)
