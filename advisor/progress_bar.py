"""Progress in a notebook: a tqdm bar fed by the stages' `ProgressEvent`s.

In: the events `advise()` reports (`advisor.progress`). Out: a progress bar while
`advise()` runs in a Jupyter (or any IPython) kernel -- tqdm's notebook widget where
ipywidgets is installed, its text bar on the cell's stderr otherwise -- and nothing at all
elsewhere: a script, a test or a pipeline without a callback stays silent, and a callback
given by the caller replaces the bar. tqdm is imported only here, only in a kernel, so
`advise --help` and the CLI never pay for it.

The bar counts epochs of the packed training (``training N candidates together: epoch d
of at most T``); its description is the latest step (the stage of the race, the rules).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from advisor.progress import Progress, ProgressEvent


def in_kernel() -> bool:
    """Whether the code runs in an IPython kernel (Jupyter, VS Code, Colab): IPython is
    loaded and its shell has a kernel."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    if get is None:
        return False
    try:
        shell = get()
    except Exception:  # an IPython stand-in or a half-initialised one: not a kernel
        return False
    return getattr(shell, "kernel", None) is not None


class Bar:
    """A tqdm bar that follows the events: epochs as its count, the step as its text."""

    def __init__(self, file: IO[str] | None = None) -> None:
        if file is None and importlib.util.find_spec("ipywidgets") is not None:
            from tqdm.notebook import tqdm
        else:
            from tqdm.std import tqdm
        self._bar: Any = tqdm(total=0, unit="epoch", desc="advise", file=file or sys.stderr)

    def __call__(self, event: ProgressEvent) -> None:
        bar = self._bar
        if event.stage == "search" and event.total and "epoch" in str(event):
            if bar.total != event.total:
                bar.reset(total=event.total)
            bar.n = event.done
            bar.set_description_str(f"training {event.candidate}", refresh=False)
            bar.refresh()
        else:
            bar.set_description_str(str(event))

    def close(self) -> None:
        self._bar.close()


@contextmanager
def notebook_progress(progress: Progress | None) -> Iterator[Progress | None]:
    """``progress`` when given; else a `Bar` in a kernel (closed at the end), else None."""
    if progress is not None or not in_kernel():
        yield progress
        return
    bar = Bar()
    try:
        yield bar
    finally:
        bar.close()
