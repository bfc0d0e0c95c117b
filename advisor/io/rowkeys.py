"""Row keys: a seeded 64-bit key per row position, the one order in which rows are sampled.

The profile's row sample (`advisor.profiling.sketch.RowSample`), the loaded table's seeded
samples (`advisor.table.sample`) and the cluster's sample (`advisor.cluster.sample`) all
take the rows with the smallest keys, so they agree on which rows a seed picks. A key
depends only on the row's position in the data (partitions counted in reading order) and
the seed, never on its values.
"""

from __future__ import annotations

import numpy as np

_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _splitmix(h: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer on uint64 (wrapping arithmetic)."""
    h = h ^ (h >> np.uint64(30))
    h = h * _MIX1
    h = h ^ (h >> np.uint64(27))
    h = h * _MIX2
    return h ^ (h >> np.uint64(31))


def row_keys(start: int, count: int, seed: int) -> np.ndarray:
    """Seeded 64-bit keys of the rows at positions ``start .. start + count - 1`` of the
    data (every partition counted before): SplitMix64 is a bijection, so no two rows share
    a key, and a row's key does not depend on how the rows are split."""
    base = _splitmix(np.array([seed], dtype=np.uint64))[0]
    with np.errstate(over="ignore"):
        index = np.arange(start, start + count, dtype=np.uint64)
        return _splitmix(index * _GOLDEN + base)
