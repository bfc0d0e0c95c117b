"""The packed twin's layers compute what the user's Keras layers compute, slot by slot."""

from __future__ import annotations

import numpy as np
import pytest

from advisor.network.nets import NetSpec, build_model, build_packed_model


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("placement", ["before", "after"])
@pytest.mark.parametrize("norm", ["none", "batch", "layer", "group"])
def test_each_slot_of_a_packed_model_computes_its_keras_model(norm, placement):
    """Each of three slots given the weights of a Keras model of the same architecture
    (random weights, gammas, betas and moving statistics) predicts what that model
    predicts, at inference and with batch statistics."""
    from advisor.network.packed import PackedDense, PackedNorm

    rng = np.random.default_rng(0)
    spec = NetSpec("classification", 5, 3, 16, 2, 1e-3, norm, placement)  # type: ignore[arg-type]
    users = []
    for _ in range(3):
        user = build_model(spec)
        user.set_weights(
            [
                np.abs(rng.normal(1.0, 0.3, w.shape))
                if "variance" in v.path
                else rng.normal(0.0, 0.5, w.shape)
                for v, w in zip(user.weights, user.get_weights(), strict=True)
            ]
        )
        users.append(user)
    packed, _ = build_packed_model(spec, 3)
    dense = [layer for layer in packed.layers if isinstance(layer, PackedDense)]
    norms = [layer for layer in packed.layers if isinstance(layer, PackedNorm)]
    for slot, user in enumerate(users):
        names = [f"dense_{i}" for i in range(spec.depth)] + ["probabilities"]
        for layer, name in zip(dense, names, strict=True):
            source = user.get_layer(name)
            layer.kernel[slot].assign(source.kernel)
            if source.bias is not None:
                layer.bias[slot].assign(source.bias)
        for i, layer in enumerate(norms):
            for variable in user.get_layer(f"norm_{i}").weights:
                layer.params[str(variable.path).split("/")[-1]][slot].assign(variable)
    x = rng.normal(size=(8, 5)).astype("float32")
    for training in (False, True):
        out = _softmax(np.asarray(packed(np.stack([x] * 3, axis=1), training=training)))
        for slot, user in enumerate(users):
            expected = np.asarray(user(x, training=training))
            np.testing.assert_allclose(out[:, slot], expected, atol=1e-5)
