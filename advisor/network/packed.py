"""The packed twin's own Keras layers: the slot axis moved first and back, a Dense layer per
slot, and an in-network normalization per slot.

In: the model's input ``(batch, slots, features)``; `SlotsFirst` turns it into
``(slots, batch, features)``, the layout every packed layer works in (a batched matrix
product per slot needs no transpose there), and `BatchFirst` turns the output back. Every
slot has its own weights. This module imports Keras at its top: import it only where a
packed model is built (`advisor.network.nets.build_packed_model`, the norms' packed
builders).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.backend import import_keras

if TYPE_CHECKING:
    from advisor.network.slots import SlotForm

keras = import_keras()
ops = keras.ops


class SlotsFirst(keras.layers.Layer):  # type: ignore[name-defined]
    """(batch, slots, features) -> (slots, batch, features)."""

    def call(self, x: Any) -> Any:
        return ops.transpose(x, (1, 0, 2))

    def compute_output_shape(self, shape: Any) -> Any:
        return (shape[1], shape[0], shape[2])


class BatchFirst(SlotsFirst):
    """(slots, batch, features) -> (batch, slots, features): the same swap, back."""


class PackedDense(keras.layers.Layer):  # type: ignore[name-defined]
    """A Dense layer per slot: (K, batch, d) x (K, d, h) -> (K, batch, h)."""

    def __init__(self, units: int, use_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.use_bias = use_bias

    def build(self, shape: Any) -> None:
        self.kernel = self.add_weight(
            shape=(shape[0], shape[2], self.units), initializer="zeros", name="kernel"
        )
        self.bias = (
            self.add_weight(shape=(shape[0], self.units), initializer="zeros", name="bias")
            if self.use_bias
            else None
        )

    def call(self, x: Any) -> Any:
        out = ops.matmul(x, self.kernel)
        return out + self.bias[:, None, :] if self.bias is not None else out

    def compute_output_shape(self, shape: Any) -> Any:
        return (shape[0], shape[1], self.units)


class PackedNorm(keras.layers.Layer):  # type: ignore[name-defined]
    """An in-network normalization (its registry `SlotForm`) and the ReLU, before or after
    it as ``placement`` says, on (K, batch, width): every slot its own parameters and
    statistics, each a (K, width) variable."""

    def __init__(self, form: SlotForm, placement: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.form = form
        self.placement = placement

    def build(self, shape: Any) -> None:
        self.params = {
            name: self.add_weight(
                shape=(shape[0], shape[2]), initializer=init, trainable=trainable, name=name
            )
            for name, init, trainable in self.form.variables
        }

    def call(self, x: Any, training: bool | None = None) -> Any:
        after = self.placement == "after"
        z, updates = self.form.apply(ops, ops.relu(x) if after else x, self.params, bool(training))
        for name, value in updates.items():
            self.params[name].assign(value)
        return z if after else ops.relu(z)

    def compute_output_shape(self, shape: Any) -> Any:
        return shape
