"""`advisor.network.embeddings`: PBLD periodic embeddings against pytabkit's definition,
the packed twin slot for slot, and the initial weights the search gives them."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("keras")

from advisor.network import embeddings
from advisor.network.nets import (
    NetSpec,
    build_model,
    build_packed_model,
    initial_weights,
)


def _pbld(x: np.ndarray, w: dict[str, np.ndarray], n: int) -> np.ndarray:
    """pytabkit's PLREmbeddingsLayerCosBias (linear activation, DenseNet), loop by loop:
    cos(2 pi x w1 + b1) @ w2 + b2 per number, then the inputs themselves."""
    rows = []
    for row in x:
        values = []
        for f in range(n):
            hidden = [math.cos(2 * math.pi * row[f] * w["frequencies"][f, h] + w["phases"][f, h])
                      for h in range(16)]  # fmt: skip
            for o in range(3):
                values.append(sum(hidden[h] * w["mixing"][f, h, o] for h in range(16))
                              + w["offsets"][f, o])  # fmt: skip
        rows.append(values + list(row))
    return np.array(rows)


def test_the_layer_is_pytabkits_pbld_with_realmlps_defaults():
    assert (embeddings.FREQUENCIES, embeddings.OUTPUTS, embeddings.SIGMA) == (16, 4, 0.1)
    layer = embeddings.PeriodicEmbedding(2, seed=3)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    out = np.asarray(layer(x))
    w = {name: np.asarray(v) for name, v in layer.w.items()}
    assert out.shape == (5, 3 * 2 + 4)
    np.testing.assert_allclose(out, _pbld(x, w, 2), atol=1e-5)
    draws = embeddings.periodic_draws(np.random.default_rng(0), 500)
    assert abs(draws["frequencies"].std() - 0.1) < 0.005
    assert np.abs(draws["phases"]).max() <= math.pi and np.abs(draws["mixing"]).max() <= 0.25


def test_a_packed_slot_computes_what_the_plain_model_computes():
    spec = NetSpec("regression", 5, 1, 8, 2, 1e-3, encoding="periodic", embedded=3)
    packed, _ = build_packed_model(spec, 2)
    packed.set_weights(initial_weights(packed, packed.get_weights(), [11, 12]))
    plain = build_model(spec)
    # slot 1's weights into the plain model, in the same variable order
    plain.set_weights([w[1] for w in packed.get_weights()])
    x = np.random.default_rng(1).normal(size=(6, 5)).astype("float32")
    both = np.stack([np.zeros_like(x), x], axis=1)
    np.testing.assert_allclose(np.asarray(packed(both))[:, 1], np.asarray(plain(x)), atol=1e-5)


def test_embedding_weights_are_drawn_per_fold_from_the_folds_seeds():
    spec = NetSpec("classification", 5, 3, 8, 2, 1e-3, encoding="periodic", embedded=5)
    one, _ = build_packed_model(spec, 2)
    two, _ = build_packed_model(spec, 3)
    a = initial_weights(one, one.get_weights(), [4, 5])
    b = initial_weights(two, two.get_weights(), [9, 5, 4])
    assert [w.shape for w in a[:4]] == [(2, 5, 16), (2, 5, 16), (2, 5, 16, 3), (2, 5, 3)]
    assert not np.allclose(a[0][0], a[0][1])  # each fold its own draw
    # fold seed 4 starts from the same embedding in any packed model (any candidate)
    for k in range(4):
        np.testing.assert_array_equal(a[k][0], b[k][2])
        np.testing.assert_array_equal(a[k][1], b[k][1])
