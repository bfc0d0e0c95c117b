"""The normalization advisor: evidence-based scaling and in-network normalization advice.

>>> from advisor import advise                         # doctest: +SKIP
>>> advice = advise("data.csv", target="price", seed=0)  # doctest: +SKIP
>>> Z = advice.pipeline.transform(frame.drop(columns="price"))  # doctest: +SKIP

Attributes are imported on first use, so ``import advisor`` (and ``advise --help``) stays
fast and never imports TensorFlow.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from advisor.version import __version__

if TYPE_CHECKING:
    from advisor.advice.advice import Advice
    from advisor.api import advise, profile_dataset
    from advisor.errors import AdvisorError, InputError, RuleError
    from advisor.plan.pipeline import PlanTransformer
    from advisor.rules.autoscaler import AutoScaler

_LAZY = {
    "advise": "advisor.api",
    "profile_dataset": "advisor.api",
    "Advice": "advisor.advice.advice",
    "PlanTransformer": "advisor.plan.pipeline",
    "AutoScaler": "advisor.rules.autoscaler",
    "AdvisorError": "advisor.errors",
    "InputError": "advisor.errors",
    "RuleError": "advisor.errors",
}

__all__ = [
    "Advice",
    "AdvisorError",
    "AutoScaler",
    "InputError",
    "PlanTransformer",
    "RuleError",
    "__version__",
    "advise",
    "profile_dataset",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'advisor' has no attribute {name!r}")
