"""The packed twin's own Keras layers: a Dense layer and an affine scale/shift per slot.

In: tensors of shape ``(batch, slots, features)``.
Out: the same shape, every slot with its own weights. This module imports Keras at its top:
import it only where a packed model is built (`advisor.network.nets.build_packed_model`,
the norms' packed builders).
"""

from __future__ import annotations

from typing import Any

from advisor.backend import import_keras

keras = import_keras()
ops = keras.ops


class PackedDense(keras.layers.Layer):  # type: ignore[name-defined]
    """A Dense layer per slot: (batch, K, d) x (K, d, h) -> (batch, K, h)."""

    def __init__(self, units: int, use_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.use_bias = use_bias

    def build(self, shape: Any) -> None:
        self.kernel = self.add_weight(
            shape=(shape[1], shape[2], self.units), initializer="zeros", name="kernel"
        )
        self.bias = (
            self.add_weight(shape=(shape[1], self.units), initializer="zeros", name="bias")
            if self.use_bias
            else None
        )

    def call(self, x: Any) -> Any:
        out = ops.einsum("bkd,kdh->bkh", x, self.kernel)
        return out + self.bias if self.bias is not None else out


class PackedAffine(keras.layers.Layer):  # type: ignore[name-defined]
    """Per-slot scale and shift (the gamma/beta of LayerNorm and GroupNorm)."""

    def build(self, shape: Any) -> None:
        self.gamma = self.add_weight(shape=(shape[1], shape[2]), initializer="ones")
        self.beta = self.add_weight(shape=(shape[1], shape[2]), initializer="zeros")

    def call(self, x: Any) -> Any:
        return x * self.gamma + self.beta
