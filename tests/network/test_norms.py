"""The in-network normalization registry: one entry per key, read by every stage."""

from __future__ import annotations

import json

import numpy as np
import pytest

from advisor.advice.advice import SCHEMA_FILE
from advisor.network import norms
from advisor.network.nets import NetSpec, build_model, build_packed_model
from advisor.rules.parse import parse_rules
from advisor.search.space import Space
from advisor.vocab import IN_NETWORK_KEYS


def test_the_registry_the_vocabulary_and_the_schema_name_the_same_normalizations():
    schema = json.loads(SCHEMA_FILE.read_text())
    enum = schema["properties"]["advice"]["properties"]["in_network"]["enum"]
    assert list(norms.NORMS) == list(IN_NETWORK_KEYS) == enum


def test_budgets_try_the_registry_entries_in_order():
    assert norms.for_budget("fast") == ("none", "batch", "layer")
    assert norms.for_budget("standard") == ("none", "batch", "batch_renorm", "layer", "group")
    assert norms.for_budget("thorough") == norms.for_budget("standard")
    assert all(n.search_budgets for n in norms.NORMS.values())


def test_labels_and_batch_statistics_come_from_the_entries():
    assert norms.label("batch") == "BatchNormalization"
    assert norms.label("something-newer") == "something-newer"
    assert [k for k in norms.NORMS if norms.keeps_batch_statistics(k)] == ["batch", "batch_renorm"]
    with pytest.raises(ValueError, match="known: none, batch"):
        norms.get_norm("instance")


def test_dataset_rules_may_propose_every_registered_normalization_and_nothing_else():
    for key in norms.NORMS:
        text = f"""
[[rule]]
id = "T001"
name = "t"
scope = "dataset"
when = "n_rows > 0"
propose = [{{use = "{key}", score = 50}}]
rationale = {{triggers = "t", why = "t", example = "t"}}
"""
        assert parse_rules(text, "test")[0].id == "T001"
    bad = text.replace(f'use = "{key}"', 'use = "instance"')
    with pytest.raises(Exception, match="instance"):
        parse_rules(bad, "test")


@pytest.mark.slow
@pytest.mark.parametrize("key", list(norms.NORMS))
def test_every_normalization_builds_the_users_model_and_the_packed_twin(key):
    spec = NetSpec("classification", 5, 3, 16, 2, 1e-3, key)
    model = build_model(spec)
    x = np.random.default_rng(0).normal(size=(8, 5)).astype("float32")
    assert model.predict(x, verbose=0).shape == (8, 3)
    packed, _ = build_packed_model(spec, slots=2)
    out = packed(np.stack([x, x], axis=1), training=False)
    assert tuple(out.shape) == (8, 2, 3)


def test_the_search_space_offers_only_registered_normalizations():
    space = Space((), norms.for_budget("standard"))
    assert set(space.in_network) <= set(norms.NORMS)
