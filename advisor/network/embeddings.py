"""Periodic embeddings (PBLD): a Keras layer to put first, and its packed twin.

PBLD is RealMLP-TD's default numeric embedding (Holzmüller, Grinsztajn and Steinwart,
"Better by Default: Strong Pre-Tuned MLPs and Boosted Trees on Tabular Data", NeurIPS
2024; pytabkit's ``DefaultParams.RealMLP_TD_CLASS``: ``num_emb_type='pbld'``,
``plr_sigma=0.1``, ``plr_hidden_1=16``, ``plr_hidden_2=4``, and
``PLREmbeddingsLayerCosBias`` in ``pytabkit/models/nn_models/nn.py``). Each of the first
``embedded`` inputs ``x`` (the scaled numbers) becomes ``cos(2 pi w x + b) @ W + c``:
`FREQUENCIES` learned frequencies ``w ~ N(0, SIGMA^2)`` with phases ``b ~ U(-pi, pi)``,
then a linear map to `OUTPUTS` - 1 values (weights and biases ``~ U(-1/4, 1/4)``,
PyTorch's Linear initialisation for 16 inputs). The layer outputs every number's three
values (number-major), then all its inputs unchanged (pytabkit's "DenseNet" connection:
the numbers themselves, and the inputs it does not embed, such as one-hot columns).
RealMLP trains these weights at 0.1 x its base rate of 0.04 (4e-3); here they train with
the network at Adam's 1e-3.

This module imports Keras at its top: import it only where a model is built.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from advisor.backend import import_keras

keras = import_keras()
ops = keras.ops
_Layer: Any = keras.layers.Layer

FREQUENCIES = 16
OUTPUTS = 4  # per number: 3 embedding values and the number itself
SIGMA = 0.1
#: The weights' names, as `advisor.network.nets.initial_weights` recognizes them.
WEIGHTS = ("frequencies", "phases", "mixing", "offsets")


def periodic_draws(rng: np.random.Generator, embedded: int) -> dict[str, np.ndarray]:
    """PBLD's initial weights for ``embedded`` numbers, drawn from ``rng``."""
    limit = 1.0 / math.sqrt(FREQUENCIES)
    return {
        "frequencies": SIGMA * rng.standard_normal((embedded, FREQUENCIES)),
        "phases": rng.uniform(-math.pi, math.pi, (embedded, FREQUENCIES)),
        "mixing": rng.uniform(-limit, limit, (embedded, FREQUENCIES, OUTPUTS - 1)),
        "offsets": rng.uniform(-limit, limit, (embedded, OUTPUTS - 1)),
    }


def _embed(x: Any, w: dict[str, Any], embedded: int, packed: bool) -> Any:
    """x: (batch, d), or (slots, batch, d) when ``packed`` with a slot axis first on every
    weight -> (..., 3 * embedded + d)."""
    shape: tuple[Any, ...]
    if packed:
        # Numbers first, rows second: (K, n, b, ...), so that the linear map is one
        # batched matrix product per (slot, number).
        numbers = ops.expand_dims(ops.transpose(x[:, :, :embedded], (0, 2, 1)), -1)
        frequencies, phases = (ops.expand_dims(w[n], 2) for n in ("frequencies", "phases"))
        waves = ops.cos(2.0 * math.pi * numbers * frequencies + phases)  # (K, n, b, 16)
        values = ops.matmul(waves, w["mixing"]) + ops.expand_dims(w["offsets"], 2)
        values = ops.transpose(values, (0, 2, 1, 3))  # (K, b, n, 3)
        shape = (ops.shape(x)[0], ops.shape(x)[1], embedded * (OUTPUTS - 1))
    else:
        numbers = ops.expand_dims(x[:, :embedded], -1)  # (b, n, 1)
        waves = ops.cos(2.0 * math.pi * numbers * w["frequencies"] + w["phases"])
        values = ops.einsum("bnh,nho->bno", waves, w["mixing"]) + w["offsets"]
        shape = (ops.shape(x)[0], embedded * (OUTPUTS - 1))
    return ops.concatenate([ops.reshape(values, shape), x], axis=-1)


def _add_weights(layer: Any, lead: tuple[int, ...], embedded: int, seed: int) -> dict[str, Any]:
    """The four weights, each with the ``lead`` axes (the slots) first; initialised from
    ``seed`` (the packed twin redraws them per slot: `initial_weights`)."""
    draws = periodic_draws(np.random.default_rng(seed), embedded)
    out = {}
    for name in WEIGHTS:
        value = np.broadcast_to(draws[name], (*lead, *draws[name].shape))
        out[name] = layer.add_weight(
            shape=value.shape,
            initializer=keras.initializers.Constant(np.array(value, dtype="float32")),
            name=name,
        )
    return out


@keras.saving.register_keras_serializable(package="advisor")
class PeriodicEmbedding(_Layer):
    """PBLD periodic embeddings of the first ``embedded`` inputs: (batch, d) ->
    (batch, 3 * embedded + d). Put it first in a model whose inputs are the advice's
    pipeline output (the scaled numbers lead it); its weights are learned with the model.
    ``seed`` fixes their initial values."""

    def __init__(self, embedded: int, seed: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.embedded = int(embedded)
        self.seed = int(seed)

    def build(self, input_shape: Any) -> None:
        self.w = _add_weights(self, (), self.embedded, self.seed)

    def call(self, x: Any) -> Any:
        return _embed(x, self.w, self.embedded, packed=False)

    def compute_output_shape(self, shape: Any) -> Any:
        return (shape[0], (OUTPUTS - 1) * self.embedded + shape[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "embedded": self.embedded, "seed": self.seed}


class PackedPeriodic(_Layer):
    """`PeriodicEmbedding` on the packed twin's (slots, batch, d): every slot its own
    weights."""

    def __init__(self, embedded: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.embedded = int(embedded)

    def build(self, shape: Any) -> None:
        self.w = _add_weights(self, (shape[0],), self.embedded, 0)

    def call(self, x: Any) -> Any:
        return _embed(x, self.w, self.embedded, packed=True)

    def compute_output_shape(self, shape: Any) -> Any:
        return (shape[0], shape[1], (OUTPUTS - 1) * self.embedded + shape[2])
