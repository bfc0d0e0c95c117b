"""The ordered tree-reduce: partial results of partitions merged on the workers, in order.

Neighbours merge pairwise, level by level, so a merge always sees the earlier rows first
and only the last result travels to the client. Every partition-wise pass of the Dask path
(the profile's summaries, the sample's candidates) reduces through this one function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def ordered_reduce(client: Any, level: list[Any], merge: Callable[..., Any], *args: Any) -> Any:
    """``merge(earlier, later, *args)`` applied pairwise over ``level`` (futures in the
    partitions' order) until one is left; its result."""
    while len(level) > 1:
        pairs = [
            client.submit(merge, a, b, *args, pure=False)
            for a, b in zip(level[::2], level[1::2], strict=False)
        ]
        level = pairs + ([level[-1]] if len(level) % 2 else [])
    return level[0].result()
