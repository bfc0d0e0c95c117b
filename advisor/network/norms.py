"""The in-network normalizations: one registry entry each, read by everything that names one.

In: a key from `advisor.vocab.InNetwork`.
Out: its `Norm` entry: the label reports print, whether it keeps batch statistics (moving
averages at inference), which budgets' search spaces try it, the Keras layer of the user's
model, and the packed twin's layers (one statistic set per fold slot).

The search space (`advisor.search.space`), the networks (`advisor.network.nets`), the reports,
the rules' check of dataset choices (`advisor.rules.parse`) and the advice file's JSON Schema
all read this registry. Adding a normalization is one `Norm` entry here (with its two
builders), its key in `advisor.vocab.InNetwork` and in the advice schema's ``in_network``
enum (`tests/test_norms.py` keeps the three in step), and its tests.

Nothing here imports Keras: the builders receive it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from advisor.vocab import BudgetName, InNetwork

#: GroupNormalization's groups; the search networks' widths are multiples of 8.
GROUPS = 8


@dataclass(frozen=True)
class Norm:
    """One in-network normalization.

    ``build(keras, name)`` returns the layer of the user's model (after each hidden Dense);
    ``packed(keras, z, slots, width)`` applies the same normalization to the packed twin's
    ``(batch, slots, width)`` tensor, keeping every slot's statistics and parameters its own.
    """

    key: InNetwork
    label: str
    keeps_batch_statistics: bool
    search_budgets: tuple[BudgetName, ...]
    build: Callable[[Any, str], Any]
    packed: Callable[[Any, Any, int, int], Any]


def _identity(keras: Any, name: str) -> Any:
    return keras.layers.Identity(name=name)


def _unchanged(keras: Any, z: Any, slots: int, width: int) -> Any:
    return z


def _batch(renorm: bool) -> tuple[Callable[[Any, str], Any], Callable[[Any, Any, int, int], Any]]:
    def build(keras: Any, name: str) -> Any:
        if renorm:
            return keras.layers.BatchNormalization(renorm=True, name=name)
        return keras.layers.BatchNormalization(name=name)

    def packed(keras: Any, z: Any, slots: int, width: int) -> Any:
        layers = keras.layers
        # Flattening the slot axis gives every (slot, unit) its own batch statistics.
        z = layers.Reshape((slots * width,))(z)
        z = layers.BatchNormalization(renorm=renorm)(z)
        return layers.Reshape((slots, width))(z)

    return build, packed


def _layer_build(keras: Any, name: str) -> Any:
    return keras.layers.LayerNormalization(name=name)


def _layer_packed(keras: Any, z: Any, slots: int, width: int) -> Any:
    from advisor.network.packed import PackedAffine

    z = keras.layers.LayerNormalization(axis=-1, center=False, scale=False)(z)
    return PackedAffine()(z)


def _group_build(keras: Any, name: str) -> Any:
    return keras.layers.GroupNormalization(groups=GROUPS, name=name)


def _group_packed(keras: Any, z: Any, slots: int, width: int) -> Any:
    from advisor.network.packed import PackedAffine

    layers = keras.layers
    z = layers.Reshape((slots, GROUPS, width // GROUPS))(z)
    z = layers.LayerNormalization(axis=-1, center=False, scale=False)(z)
    z = layers.Reshape((slots, width))(z)
    return PackedAffine()(z)


_ALL: tuple[BudgetName, ...] = ("fast", "standard", "thorough")
_LARGER: tuple[BudgetName, ...] = ("standard", "thorough")
_NORMS = (
    Norm("none", "no normalization", False, _ALL, _identity, _unchanged),
    Norm("batch", "BatchNormalization", True, _ALL, *_batch(renorm=False)),
    Norm("batch_renorm", "BatchNormalization(renorm=True)", True, _LARGER, *_batch(renorm=True)),
    Norm("layer", "LayerNormalization", False, _ALL, _layer_build, _layer_packed),
    Norm("group", "GroupNormalization", False, _LARGER, _group_build, _group_packed),
)

#: Every in-network normalization by key, in the order the search space tries them.
NORMS: dict[str, Norm] = {n.key: n for n in _NORMS}
#: The label of each normalization, for reports.
LABELS: dict[str, str] = {n.key: n.label for n in _NORMS}


def get_norm(key: str) -> Norm:
    """The registry entry for ``key``; a ValueError lists the known keys."""
    try:
        return NORMS[key]
    except KeyError:
        raise ValueError(
            f"unknown in-network normalization {key!r}; known: {', '.join(NORMS)}"
        ) from None


def label(key: str) -> str:
    """The report label of ``key`` (the key itself for one this version does not know)."""
    return LABELS.get(key, key)


def keeps_batch_statistics(key: str) -> bool:
    """Whether the normalization uses moving averages of batch statistics at inference."""
    norm = NORMS.get(key)
    return norm is not None and norm.keeps_batch_statistics


def for_budget(budget: str) -> tuple[InNetwork, ...]:
    """The normalizations a budget's search space tries, in registry order."""
    return tuple(n.key for n in _NORMS if budget in n.search_budgets)
