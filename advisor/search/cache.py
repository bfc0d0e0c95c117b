"""Where searches keep their trials, and the key that tells a stored search from a changed one.

In: the data, the candidates and every setting a search's results depend on. Out: the cache
directory (`cache_dir`), a hash of all of it (`search_key`), including `code_version`, a
digest of every source file of the advisor: any change to the code that computes a trial
invalidates stored trials.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from pathlib import Path

import pandas as pd

from advisor.backend import import_keras
from advisor.plan.plans import Candidate
from advisor.search.budgets import Budget
from advisor.table.units import Split


def cache_dir() -> Path:
    """ADVISOR_CACHE_DIR, else $XDG_CACHE_HOME/normalization-advisor, else
    ~/.cache/normalization-advisor -- never the working directory."""
    if os.environ.get("ADVISOR_CACHE_DIR"):
        return Path(os.environ["ADVISOR_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "normalization-advisor"


def search_key(
    features: pd.DataFrame,
    y: pd.Series,
    task: str,
    candidates: tuple[Candidate, ...],
    target_method: str | None,
    budget: Budget,
    seed: int,
    split: Split | None = None,
) -> str:
    """A hash of everything a search's results depend on."""
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(features, index=False).to_numpy().tobytes())
    digest.update(pd.util.hash_pandas_object(y.astype(str), index=False).to_numpy().tobytes())
    digest.update(",".join(map(str, features.columns)).encode())
    settings = {
        "task": task,
        "target_method": target_method,
        "budget": dataclasses.asdict(budget),
        "seed": seed,
        "split": None if split is None else [split.kind, split.groups, split.order],
        "candidates": [(c.key, c.plan.to_dict(), c.in_network) for c in candidates],
        "code": code_version(),
        "backend": import_keras().backend.backend(),  # TensorFlow and JAX differ in bits
        # So do TensorFlow's kernels (oneDNN or Eigen) and the threads a sum is split over.
        "kernels": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
        "cores": os.cpu_count(),
    }
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:20]


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The advisor's version plus a digest of every source file of the package: any change
    to the code that computes a trial invalidates stored trials (the rules' effect on a
    trial is its candidate's plan, which `search_key` hashes)."""
    from advisor.version import __version__

    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"
