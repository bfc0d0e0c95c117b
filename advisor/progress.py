"""Progress events: what the stages report while they run, as structured values.

In: a stage's position (which stage, how far, which candidate).
Out: a `ProgressEvent`, which *is* its own text (a ``str`` subclass), so a callback written
for plain strings (``Callable[[str], None]``) keeps working while the CLI and ``--json``
consumers read the fields instead of parsing the text back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

Stage = Literal["profile", "rules", "search", "fit"]


class ProgressEvent(str):
    """One step of a stage: ``stage``, ``done`` of ``total``, the ``candidate`` being
    trained (search trials) and, once the rules have spoken, the ``preview``: the advice's
    JSON form so far (source, settings, profile, proposals and the rules' plan), which a
    consumer can show before the search starts; ``str(event)`` is the human-readable line."""

    stage: Stage
    done: int
    total: int
    candidate: str | None
    preview: dict[str, Any] | None

    def __new__(
        cls,
        text: str,
        *,
        stage: Stage,
        done: int = 0,
        total: int = 0,
        candidate: str | None = None,
        preview: dict[str, Any] | None = None,
    ) -> ProgressEvent:
        event = super().__new__(cls, text)
        event.stage = stage
        event.done = done
        event.total = total
        event.candidate = candidate
        event.preview = preview
        return event

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data (for ``--json`` progress consumers)."""
        out: dict[str, Any] = {
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "candidate": self.candidate,
            "message": str(self),
        }
        if self.preview is not None:
            out["preview"] = self.preview
        return out


def trial_started(done: int, total: int, candidate: str) -> ProgressEvent:
    """The search starts training ``candidate``, the ``done``-th of ``total`` trials."""
    return ProgressEvent(
        f"trial {done}/{total}: {candidate}",
        stage="search",
        done=done,
        total=total,
        candidate=candidate,
    )


def training_together(candidates: int, done: int, total: int) -> ProgressEvent:
    """The search trains ``candidates`` together: ``done`` of at most ``total`` epochs."""
    return ProgressEvent(
        f"training {candidates} candidates together: epoch {done} of at most {total}",
        stage="search",
        done=done,
        total=total,
        candidate=f"{candidates} candidates together",
    )


def race_stage(number: int, rows: int, candidates: int) -> ProgressEvent:
    """The search's ``number``-th stage trains ``candidates`` on ``rows`` rows (the race
    across sample sizes: more rows for the candidates still open)."""
    return ProgressEvent(
        f"stage {number}: {candidates} candidates on {rows:,} rows",
        stage="search",
        done=number,
        total=0,
        candidate=f"{candidates} candidates",
    )


def rules_ready(preview: dict[str, Any]) -> ProgressEvent:
    """The rules have proposed a plan (``preview``: the advice's JSON form so far); the
    search, if any, starts next."""
    return ProgressEvent("rules: plan proposed", stage="rules", preview=preview)


Progress = Callable[[ProgressEvent], None]
