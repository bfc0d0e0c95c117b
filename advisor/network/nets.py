"""The networks: the user's Keras MLP, and a packed twin that trains K copies at once.

The search trains one model per fold. Instead of building K Keras models, it builds one
*packed* model whose input has a slot axis: slot k holds fold k's rows and feeds its own
weights (`PackedDense` keeps a kernel per slot), its own normalization statistics and its
own output. Gradients never cross slots, so the packed model is exactly K independent MLPs
trained side by side, and one traced training step serves all folds; the compiled model is
then reused for every candidate with the same architecture (weights and optimizer state
reset between trials).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from advisor.backend import import_keras
from advisor.network.norms import get_norm
from advisor.vocab import Encoding, InNetwork, Placement, Task


@dataclass(frozen=True)
class NetSpec:
    """Everything that fixes an MLP's architecture and optimizer."""

    task: Task
    n_inputs: int
    n_outputs: int  # classes, or 1 for regression
    width: int
    depth: int
    learning_rate: float
    in_network: InNetwork = "none"
    placement: Placement = "before"  # normalization before or after the activation
    #: "periodic": PBLD embeddings of the first ``embedded`` inputs before the first layer
    #: (`advisor.network.embeddings`); "ple" changes the inputs, not the network.
    encoding: Encoding = "none"
    embedded: int = 0

    def with_norm(self, in_network: InNetwork, placement: Placement | None = None) -> NetSpec:
        return NetSpec(
            **{**asdict(self), "in_network": in_network, "placement": placement or self.placement}
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.encoding != "periodic":  # the network's own: absent where it has none
            del data["encoding"], data["embedded"]
        return data


#: Adam's default learning rate, the one most MLPs are trained with.
LEARNING_RATE = 1e-3


def size_network(n_features: int) -> tuple[int, int]:
    """Width and depth of the MLP the search validates with: the network people train on
    tables (2 x 128 ReLU), wider (256) above 64 feature columns. A column counts once
    however many inputs its encoding makes: a text column of 32 levels is one feature, and
    its one-hot block does not quadruple the hidden layers (issue 30; the quality
    benchmark's reference MLP is 128 wide on every table). Choices validated on it carry
    over to what users train; a network sized down to small data did not (it preferred
    plans the common one does worse with). Early stopping, not a narrow network, keeps
    small data from overfitting."""
    width = 128 if n_features <= 64 else 256
    return width, 2


def build_model(spec: NetSpec, seed: int = 0) -> Any:
    """A compiled Keras MLP: [Dense -> normalization -> ReLU] x depth -> output.

    Classification outputs class probabilities (softmax) and uses sparse categorical
    cross-entropy; regression outputs one linear unit trained with mean squared error.
    """
    keras = import_keras()
    layers = keras.layers
    inputs = keras.Input(shape=(spec.n_inputs,), name="features")
    z = inputs
    if spec.encoding == "periodic":
        from advisor.network.embeddings import PeriodicEmbedding

        z = PeriodicEmbedding(spec.embedded, seed=seed, name="periodic_embedding")(z)
    for i in range(spec.depth):
        after = spec.placement == "after"
        z = layers.Dense(
            spec.width,
            use_bias=spec.in_network == "none" or after,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + i),
            name=f"dense_{i}",
        )(z)
        if after:
            z = layers.Activation("relu", name=f"relu_{i}")(z)
        z = get_norm(spec.in_network).build(keras, f"norm_{i}")(z)
        if not after:
            z = layers.Activation("relu", name=f"relu_{i}")(z)
    # Every initializer is seeded: same seed, same model.
    head_init = keras.initializers.GlorotUniform(seed=seed + spec.depth)
    if spec.task == "classification":
        outputs = layers.Dense(
            spec.n_outputs, activation="softmax", kernel_initializer=head_init,
            name="probabilities",
        )(z)  # fmt: skip
        loss = keras.losses.SparseCategoricalCrossentropy()
        metrics = ["accuracy"]
    else:
        outputs = layers.Dense(1, kernel_initializer=head_init, name="prediction")(z)
        loss = keras.losses.MeanSquaredError()
        metrics = []
    model = keras.Model(inputs, outputs, name=f"mlp_{spec.in_network}")
    model.compile(optimizer=keras.optimizers.Adam(spec.learning_rate), loss=loss, metrics=metrics)
    return model


# ----------------------------------------------------------------------------- packed


def build_packed_model(spec: NetSpec, slots: int) -> Any:
    """K independent copies of `build_model`'s MLP in one Keras model (logits out), and its
    loss summed over rows and slots."""
    from advisor.network.packed import BatchFirst, PackedDense, PackedNorm, SlotsFirst

    keras = import_keras()
    norm = get_norm(spec.in_network)
    k, h = slots, spec.width
    after = spec.placement == "after"
    inputs = keras.Input(shape=(k, spec.n_inputs))
    z = SlotsFirst()(inputs)
    if spec.encoding == "periodic":
        from advisor.network.embeddings import PackedPeriodic

        z = PackedPeriodic(spec.embedded)(z)
    for _ in range(spec.depth):
        z = PackedDense(h, use_bias=spec.in_network == "none" or after)(z)
        if norm.slot_form is not None:
            z = PackedNorm(norm.slot_form, spec.placement)(z)
        else:
            assert norm.own_packed is not None
            z = norm.own_packed(keras, keras.layers.ReLU()(z) if after else z, k, h)
            z = z if after else keras.layers.ReLU()(z)
    outputs = BatchFirst()(PackedDense(spec.n_outputs)(z))
    model = keras.Model(inputs, outputs, name=f"packed_{spec.in_network}_{spec.placement}_{k}")
    # The summed loss: a trainer divides it by (batch rows x folds per candidate), so a
    # slot's gradient does not depend on how many candidates share the packed model.
    if spec.task == "classification":
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")
    else:
        loss = keras.losses.MeanSquaredError(reduction="sum")
    return model, loss


def initial_weights(model: Any, fresh: list[np.ndarray], seeds: list[int]) -> list[np.ndarray]:
    """Glorot-uniform kernels drawn per slot from that slot's seed; every other variable
    (biases, scales, BatchNorm statistics) as Keras initialised it in ``fresh``.
    Independent of Keras' global RNG, so fold k starts from the same weights in every
    candidate (common random numbers make the paired comparison sharper). Periodic
    embeddings' weights are drawn per slot too, from generators of their own (fold k's
    embedding starts the same in every candidate that has one)."""
    weights = []
    rngs = [np.random.default_rng(s) for s in seeds]
    embedding: list[dict[str, np.ndarray]] = []
    for variable, value in zip(model.weights, fresh, strict=True):
        leaf = str(getattr(variable, "path", variable.name)).split("/")[-1]
        if leaf in ("frequencies", "phases", "mixing", "offsets") and value.ndim >= 3:
            if not embedding:
                from advisor.network.embeddings import periodic_draws

                n = value.shape[1]
                embedding = [periodic_draws(np.random.default_rng([s, 1]), n) for s in seeds]
            weights.append(np.stack([d[leaf] for d in embedding]).astype(value.dtype))
        elif leaf == "kernel" and value.ndim == 3:
            _, fan_in, fan_out = value.shape
            limit = math.sqrt(6.0 / (fan_in + fan_out))
            draws = [rng.uniform(-limit, limit, size=(fan_in, fan_out)) for rng in rngs]
            weights.append(np.stack(draws).astype(value.dtype))
        else:
            weights.append(value.copy())
    return weights
