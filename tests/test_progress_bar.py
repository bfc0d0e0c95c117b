"""The notebook's progress bar: shown in a kernel, silent elsewhere, and following the
search's epochs (`advisor.progress_bar`)."""

from __future__ import annotations

import io
import sys
import types

from advisor.progress import race_stage, rules_ready, training_together
from advisor.progress_bar import Bar, in_kernel, notebook_progress


def _fake_ipython(monkeypatch, kernel: object | None) -> None:
    shell = types.SimpleNamespace(kernel=kernel)
    module = types.ModuleType("IPython")
    module.get_ipython = lambda: shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", module)


def test_silent_outside_a_kernel_and_a_callback_given_wins(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert not in_kernel()
    with notebook_progress(None) as shown:
        assert shown is None
    _fake_ipython(monkeypatch, kernel=None)  # IPython in a terminal: no kernel, no bar
    assert not in_kernel()
    _fake_ipython(monkeypatch, kernel=object())
    assert in_kernel()
    seen: list[str] = []
    with notebook_progress(seen.append) as shown:
        assert shown == seen.append


def test_in_a_kernel_a_bar_follows_the_epochs_and_closes(monkeypatch):
    _fake_ipython(monkeypatch, kernel=object())
    out = io.StringIO()
    bar = Bar(file=out)
    bar(rules_ready({}))
    bar(race_stage(1, 2000, 17))
    bar(training_together(17, 3, 40))
    bar(training_together(17, 40, 40))
    bar.close()
    text = out.getvalue()
    assert "stage 1: 17 candidates on 2,000 rows" in text
    assert "training 17 candidates together" in text and "40/40" in text
