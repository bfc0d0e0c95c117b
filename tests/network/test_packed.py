"""The packed twin's layers compute what the user's Keras layers compute, slot by slot,
whatever normalizations share the packed model."""

from __future__ import annotations

import numpy as np
import pytest

from advisor.network.nets import NetSpec, build_model, build_packed_model
from advisor.network.train import make_trainer

NORMS = ("none", "batch", "layer", "group")


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("placement", ["before", "after"])
def test_a_mixed_packed_model_computes_each_slots_keras_model(placement):
    """One slot per normalization in one packed model, each slot given the weights of a
    Keras model of that normalization (random weights, gammas, betas and moving
    statistics): every slot predicts what its Keras model predicts, at inference and with
    batch statistics."""
    from advisor.network.packed import PackedDense, PackedNorms

    rng = np.random.default_rng(0)
    spec = NetSpec("classification", 5, 3, 16, 2, 1e-3, "none", placement)
    users = []
    for norm in NORMS:
        user = build_model(spec.with_norm(norm, placement))  # type: ignore[arg-type]
        user.set_weights(
            [
                np.abs(rng.normal(1.0, 0.3, w.shape))
                if "variance" in v.path
                else rng.normal(0.0, 0.5, w.shape)
                for v, w in zip(user.weights, user.get_weights(), strict=True)
            ]
        )
        users.append(user)
    packed, _ = build_packed_model(spec, 4, tuple((n, placement) for n in NORMS))  # type: ignore[misc]
    dense = [layer for layer in packed.layers if isinstance(layer, PackedDense)]
    norms = [layer for layer in packed.layers if isinstance(layer, PackedNorms)]
    for slot, (norm, user) in enumerate(zip(NORMS, users, strict=True)):
        names = [f"dense_{i}" for i in range(spec.depth)] + ["probabilities"]
        for layer, name in zip(dense, names, strict=True):
            source = user.get_layer(name)
            layer.kernel[slot].assign(source.kernel)
            if source.bias is not None:
                layer.bias[slot].assign(source.bias)
        for i, layer in enumerate(norms):
            for variable in user.get_layer(f"norm_{i}").weights:
                name = str(variable.path).split("/")[-1]
                layer.params[norm][name][slot].assign(variable)
    x = rng.normal(size=(8, 5)).astype("float32")
    stacked = np.stack([x] * 4, axis=1)
    for training in (False, True):
        out = _softmax(np.asarray(packed(stacked, training=training)))
        for slot, user in enumerate(users):
            expected = np.asarray(user(x, training=training))
            np.testing.assert_allclose(out[:, slot], expected, atol=1e-5, err_msg=NORMS[slot])


def test_slots_without_a_bias_keep_a_zero_one_while_training():
    """In a model shared by "none" (a Dense bias) and LayerNorm (none: the norm's beta
    shifts instead), the LayerNorm slots' bias rows are masked and stay zero."""
    spec = NetSpec("regression", 4, 1, 16, 2, 1e-3)
    trainer = make_trainer(spec, 4, 8, groups=2, norms=(("none", "before"), ("layer", "before")))
    trainer.reset([1, 2, 3, 4])
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 4, 4)).astype("float32")
    y = rng.normal(size=(32, 4, 1)).astype("float32")
    xt, yt = trainer.load(x, y)
    for _ in range(3):
        trainer.epoch(xt, yt, np.stack([rng.permutation(32), rng.permutation(32)]))
    bias = trainer.model.layers[2].bias.numpy()
    assert np.all(bias[2:] == 0.0) and np.any(bias[:2] != 0.0)
