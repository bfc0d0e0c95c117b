"""The advice file's exact text: one canonical JSON form for a dictionary of plain values.

In: `Advice.to_dict()` (plain JSON values). Out: the text `Advice.save` writes and the
``json`` report format prints (stable key order, UTF-8, no NaN): same seed, same bytes.
Here, with the other file output (`advisor.io.atomic`), below both the advice and the
reports that write it.
"""

from __future__ import annotations

import json
from typing import Any


def dumps(data: dict[str, Any]) -> str:
    """The advice file's exact text for an advice dictionary (stable key order, UTF-8,
    no NaN): the same seed gives the same bytes."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
