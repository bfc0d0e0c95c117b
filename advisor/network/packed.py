"""The packed twin's own Keras layers: the slot axis moved first and back, a Dense layer per
slot, and the in-network normalizations of every slot.

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
    from advisor.network.norms import SlotForm

keras = import_keras()
ops = keras.ops

#: A run of slots with one normalization: (norm key, placement, first slot, end slot).
Segment = tuple[str, str, int, int]


class SlotsFirst(keras.layers.Layer):  # type: ignore[name-defined]
    """(batch, slots, features) -> (slots, batch, features)."""

    def call(self, x: Any) -> Any:
        return ops.transpose(x, (1, 0, 2))

    def compute_output_shape(self, shape: Any) -> Any:
        return (shape[1], shape[0], shape[2])


class BatchFirst(SlotsFirst):
    """(slots, batch, features) -> (batch, slots, features): the same swap, back."""


class PackedDense(keras.layers.Layer):  # type: ignore[name-defined]
    """A Dense layer per slot: (K, batch, d) x (K, d, h) -> (K, batch, h). ``bias``: True,
    False, or per slot (slots without one keep a zero bias: its gradient is masked)."""

    def __init__(self, units: int, bias: bool | tuple[bool, ...] = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.bias_slots = bias

    def build(self, shape: Any) -> None:
        self.kernel = self.add_weight(
            shape=(shape[0], shape[2], self.units), initializer="zeros", name="kernel"
        )
        self.bias = self.mask = None
        if self.bias_slots is not False:
            self.bias = self.add_weight(
                shape=(shape[0], self.units), initializer="zeros", name="bias"
            )
        if isinstance(self.bias_slots, tuple) and not all(self.bias_slots):
            self.mask = ops.convert_to_tensor([[float(b)] for b in self.bias_slots])

    def call(self, x: Any) -> Any:
        out = ops.matmul(x, self.kernel)
        if self.bias is None:
            return out
        bias = self.bias if self.mask is None else self.bias * self.mask
        return out + bias[:, None, :]

    def compute_output_shape(self, shape: Any) -> Any:
        return (shape[0], shape[1], self.units)


class PackedNorms(keras.layers.Layer):  # type: ignore[name-defined]
    """Each segment's normalization and the ReLU (before or after it, as its placement
    says) on its slots of a (K, batch, width) tensor. Every variable of a normalization has
    a row per slot of the whole model, so a model's state is sliced by slot alike for every
    normalization; rows of slots that do not use it stay as initialised. ``forms``: the
    slot form of each normalization whose variables it holds (every segment's, and any
    others a larger model it continues had)."""

    def __init__(
        self, segments: tuple[Segment, ...], forms: dict[str, SlotForm], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.segments = segments
        self.forms = forms

    def build(self, shape: Any) -> None:
        self.params: dict[str, dict[str, Any]] = {}
        for key, form in self.forms.items():
            self.params[key] = {
                name: self.add_weight(
                    shape=(shape[0], shape[2]),
                    initializer=init,
                    trainable=trainable,
                    name=f"{key}_{name}",
                )
                for name, init, trainable in form.variables
            }

    def call(self, x: Any, training: bool | None = None) -> Any:
        whole = len(self.segments) == 1
        parts: list[Any] = []
        state: dict[tuple[str, str], Any] = {}
        for key, placement, start, stop in self.segments:
            form = self.forms[key]
            z = x if whole else x[start:stop]
            if placement == "after":
                z = ops.relu(z)
            variables = self.params[key]
            params = {n: v if whole else v[start:stop] for n, v in variables.items()}
            z, updates = form.apply(ops, z, params, bool(training))
            for name, value in updates.items():
                current = state.get((key, name), variables[name])
                state[(key, name)] = (
                    value
                    if whole
                    else ops.concatenate([current[:start], value, current[stop:]], axis=0)
                )
            parts.append(ops.relu(z) if placement != "after" else z)
        for (key, name), value in state.items():
            self.params[key][name].assign(value)
        return parts[0] if whole else ops.concatenate(parts, axis=0)

    def compute_output_shape(self, shape: Any) -> Any:
        return shape
