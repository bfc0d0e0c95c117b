"""The in-network normalizations: one registry entry each, read by everything that names one.

In: a key from `advisor.vocab.InNetwork`.
Out: its `Norm` entry: the label reports print, whether it keeps batch statistics (moving
averages at inference), which budgets' search spaces try it, the Keras layer of the user's
model, and the packed twin's form (one statistic set per slot).

The search space (`advisor.search.space`), the networks (`advisor.network.nets`), the reports,
the rules' check of dataset choices (`advisor.rules.parse`) and the advice file's JSON Schema
all read this registry. Adding a normalization is one `Norm` entry here (the user's layer
and the packed twin's form), its key in `advisor.vocab.InNetwork` and in the advice
schema's ``in_network`` enum (`tests/network/test_norms.py` keeps the three in step), and its
tests.

Nothing here imports Keras: the builders receive it (and the slot forms Keras' ``ops``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from advisor.network.slots import SlotForm, Updates
from advisor.vocab import BudgetName, InNetwork

#: GroupNormalization's groups; the search networks' widths are multiples of 8.
GROUPS = 8


@dataclass(frozen=True)
class Norm:
    """One in-network normalization.

    ``build(keras, name)`` returns the layer of the user's model (after each hidden Dense).
    The packed twin (``(slots, batch, width)`` tensors, every slot's statistics and
    parameters its own) applies it as ``slot_form``, a `SlotForm`, or, when that is None, with
    ``own_packed(keras, z, slots, width)``: Keras layers of its own (batch renormalization
    keeps Keras' layer, its corrections and their schedule).
    """

    key: InNetwork
    label: str
    keeps_batch_statistics: bool
    search_budgets: tuple[BudgetName, ...]
    build: Callable[[Any, str], Any]
    slot_form: SlotForm | None = None
    own_packed: Callable[[Any, Any, int, int], Any] | None = None


#: BatchNormalization's momentum and epsilon, LayerNormalization's and GroupNormalization's
#: epsilon (Keras' defaults), given to the user's layers and used by the packed twin's.
BN_MOMENTUM, BN_EPSILON, LN_EPSILON = 0.99, 1e-3, 1e-3
_AFFINE = (("gamma", "ones", True), ("beta", "zeros", True))


def _identity(keras: Any, name: str) -> Any:
    return keras.layers.Identity(name=name)


def _unchanged(ops: Any, x: Any, params: dict[str, Any], training: bool) -> tuple[Any, Updates]:
    return x, {}


def _affine(x: Any, params: dict[str, Any]) -> Any:
    return x * params["gamma"][:, None, :] + params["beta"][:, None, :]


def _batch_build(keras: Any, name: str) -> Any:
    return keras.layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON, name=name)


def _batch_slots(ops: Any, x: Any, params: dict[str, Any], training: bool) -> tuple[Any, Updates]:
    # Keras' BatchNormalization per (slot, unit): batch statistics in training (and the
    # moving averages updated), the moving averages at inference.
    updates: Updates = {}
    if training:
        mean, variance = ops.moments(x, axes=[1])
        updates = {
            "moving_mean": params["moving_mean"] * BN_MOMENTUM + mean * (1.0 - BN_MOMENTUM),
            "moving_variance": params["moving_variance"] * BN_MOMENTUM
            + variance * (1.0 - BN_MOMENTUM),
        }
    else:
        mean, variance = params["moving_mean"], params["moving_variance"]
    inv = ops.rsqrt(variance + BN_EPSILON) * params["gamma"]
    return x * inv[:, None, :] + (params["beta"] - mean * inv)[:, None, :], updates


def _renorm_build(keras: Any, name: str) -> Any:
    return keras.layers.BatchNormalization(renorm=True, name=name)


def _renorm_packed(keras: Any, z: Any, slots: int, width: int) -> Any:
    from advisor.network.packed import BatchFirst, SlotsFirst

    layers = keras.layers
    # Batch first, then the slot axis flattened: Keras' renorm (its corrections and their
    # schedule) with every (slot, unit) its own batch statistics.
    z = layers.Reshape((slots * width,))(BatchFirst()(z))
    z = layers.BatchNormalization(renorm=True)(z)
    return SlotsFirst()(layers.Reshape((slots, width))(z))


def _layer_build(keras: Any, name: str) -> Any:
    return keras.layers.LayerNormalization(epsilon=LN_EPSILON, name=name)


def _normalize_last(ops: Any, x: Any) -> Any:
    mean, variance = ops.moments(x, axes=[-1], keepdims=True)
    return (x - mean) * ops.rsqrt(variance + LN_EPSILON)


def _layer_slots(ops: Any, x: Any, params: dict[str, Any], training: bool) -> tuple[Any, Updates]:
    return _affine(_normalize_last(ops, x), params), {}


def _group_build(keras: Any, name: str) -> Any:
    return keras.layers.GroupNormalization(groups=GROUPS, epsilon=LN_EPSILON, name=name)


def _group_slots(ops: Any, x: Any, params: dict[str, Any], training: bool) -> tuple[Any, Updates]:
    shape = ops.shape(x)
    grouped = ops.reshape(x, (shape[0], shape[1], GROUPS, shape[2] // GROUPS))
    return _affine(ops.reshape(_normalize_last(ops, grouped), shape), params), {}


_ALL: tuple[BudgetName, ...] = ("fast", "standard", "thorough")
_LARGER: tuple[BudgetName, ...] = ("standard", "thorough")
_NORMS = (
    Norm("none", "no normalization", False, _ALL, _identity, SlotForm((), _unchanged)),
    Norm(
        "batch",
        "BatchNormalization",
        True,
        _ALL,
        _batch_build,
        SlotForm(
            (*_AFFINE, ("moving_mean", "zeros", False), ("moving_variance", "ones", False)),
            _batch_slots,
        ),
    ),
    Norm(
        "batch_renorm",
        "BatchNormalization(renorm=True)",
        True,
        _LARGER,
        _renorm_build,
        own_packed=_renorm_packed,
    ),
    Norm("layer", "LayerNormalization", False, _ALL, _layer_build, SlotForm(_AFFINE, _layer_slots)),
    Norm(
        "group", "GroupNormalization", False, _LARGER, _group_build, SlotForm(_AFFINE, _group_slots)
    ),
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
