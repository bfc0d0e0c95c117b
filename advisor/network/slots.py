"""`SlotForm`: how a normalization runs on the packed twin, every slot its own parameters.

A value both the registry of normalizations (`advisor.network.norms`, which gives each
entry its form) and the packed layers (`advisor.network.packed.PackedNorm`, which applies
it) read, here below both so that neither imports the other for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Updates = dict[str, Any]


@dataclass(frozen=True)
class SlotForm:
    """A normalization on the packed twin's ``(slots, batch, width)`` tensors, every slot
    its own parameters and statistics (`advisor.network.packed.PackedNorm`).

    ``variables``: (name, initializer, trainable) of its per-slot parameters and statistics,
    each of shape ``(slots, width)``. ``apply(ops, x, params, training)`` normalizes ``x``
    with ``params`` (those variables) and returns it with the new values of any statistics
    it updates.
    """

    variables: tuple[tuple[str, str, bool], ...]
    apply: Callable[[Any, Any, dict[str, Any], bool], tuple[Any, Updates]]
