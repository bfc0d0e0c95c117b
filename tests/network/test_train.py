"""The packed trainers: groups of slots with their own batches, and carrying the running
slots' state into a smaller packed model."""

from __future__ import annotations

import numpy as np
import pytest

from advisor.network.nets import NetSpec
from advisor.network.train import make_trainer, select_slots


@pytest.mark.parametrize("norm", ["none", "batch", "layer", "group", "periodic"])
def test_a_smaller_trainer_continues_the_kept_slots_exactly_where_they_were(norm):
    """Moving slots 2 and 3 of a 4-slot model (2 groups of 2 folds) into a 2-slot model
    keeps their weights, normalization statistics and optimizer state (and a periodic
    embedding's weights): both then predict the same, and train on the same."""
    if norm == "periodic":
        spec = NetSpec("classification", 5, 3, 16, 2, 1e-3, encoding="periodic", embedded=3)
    else:
        spec = NetSpec("classification", 5, 3, 16, 2, 1e-3, norm)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4, 5)).astype("float32")
    y = rng.integers(0, 3, size=(40, 4))
    big = make_trainer(spec, 4, 8, groups=2)
    big.reset([1, 2, 3, 4])
    xt, yt = big.load(x, y)
    big.epoch(xt, yt, np.stack([rng.permutation(40), rng.permutation(40)]))
    small = make_trainer(spec, 2, 8, groups=1)
    weights, optimizer = big.slot_state()
    small.load_state(select_slots(weights, 4, [2, 3]), select_slots(optimizer, 4, [2, 3]))
    np.testing.assert_allclose(
        small.predict(small.load(x[:, 2:], y[:, 2:])[0]), big.predict(xt)[:, 2:], atol=1e-5
    )
    order = rng.permutation(40)
    small.epoch(*small.load(x[:, 2:], y[:, 2:]), order[None])
    big.epoch(xt, yt, np.stack([rng.permutation(40), order]))  # group 2 draws the same rows
    np.testing.assert_allclose(
        small.predict(small.load(x[:, 2:], y[:, 2:])[0]), big.predict(xt)[:, 2:], atol=1e-4
    )


def test_select_slots_knows_the_slot_axis_and_refuses_arrays_without_one():
    kernel = np.arange(4 * 2 * 3).reshape(4, 2, 3)
    flat = np.arange(4 * 3)  # BatchNormalization's slots x units, flattened
    step = np.array(7)
    out = select_slots([kernel, flat, step], 4, [1, 3])
    np.testing.assert_array_equal(out[0], kernel[[1, 3]])
    np.testing.assert_array_equal(out[1], np.concatenate([flat[3:6], flat[9:12]]))
    assert out[2] == 7
    with pytest.raises(ValueError, match="no axis of 4 slots"):
        select_slots([np.zeros(6)], 4, [0])
