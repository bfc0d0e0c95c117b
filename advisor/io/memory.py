"""How much memory a file's data takes loaded, and whether that fits: larger data is
streamed (the profile) or refused with a pointer to what can handle it (the advice)."""

from __future__ import annotations

import os

#: Files are loaded in memory while their data's float64 size stays below this share of
#: the memory available; larger files stream.
IN_MEMORY_SHARE = 0.25


def fits_in_memory(need: int) -> bool:
    """Whether data that takes ``need`` bytes loaded (`memory_need`) stays within
    `IN_MEMORY_SHARE` of the memory available: larger data is streamed, not loaded."""
    return need <= IN_MEMORY_SHARE * _available_memory()


def memory_need(path: str | os.PathLike[str]) -> int:
    """A guess of the bytes the file's data takes loaded as float64, with a sorted copy."""
    size = os.path.getsize(path)
    if str(path).lower().endswith((".gz", ".parquet", ".pq")):
        size *= 5  # compressed: guess the text size
    # A CSV value takes about 6-8 bytes of text; as float64 it takes 8, plus a sorted copy.
    return size * 2


def _available_memory() -> int:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 4 << 30
