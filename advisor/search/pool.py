"""What the tuner calls once per trial: candidates trained together, answered one by one.

In: the `FoldSetup`, the candidates a search may try, whether to pack them, and the search's
progress callback. Out: `CandidatePool`, a callable from a candidate to its
`CandidateResult` (or the `CandidateFailed` it raises), which keras-tuner's `run_trial`
calls (`advisor.search.tuner.CVTuner`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from advisor.plan.plans import Candidate
from advisor.progress import Progress, training_together
from advisor.search.blocks import Blocks, Inputs
from advisor.search.results import CandidateFailed, CandidateResult
from advisor.search.runner import MAX_WORKERS, MIN_LANES, Outcome, evaluate_together
from advisor.search.setup import FoldSetup


class CandidatePool:
    """What the tuner calls once per trial. With ``pack``, the first trial trains every
    pending candidate (one packed model per network shape, the shapes side by side in
    threads, reporting each epoch to ``progress``) and later trials are answered from that
    run; with ``one_shape`` too (a keras-tuner worker, which gets some of the trials), a
    trial trains the candidates of its own network shape, the same packed models, so every
    score is the one a single process computes, bit for bit. Without ``pack`` (a search
    that tries only some candidates) each trial trains its candidate alone. Each plan's
    transformed folds are kept until the last candidate using them has an outcome."""

    def __init__(
        self,
        setup: FoldSetup,
        pending: Sequence[Candidate],
        pack: bool = True,
        progress: Progress | None = None,
        one_shape: bool = False,
    ) -> None:
        self.setup = setup
        self.pending = tuple(pending)
        self.pack = pack
        self.one_shape = one_shape
        self.progress = progress
        self.outcomes: dict[str, Outcome] = {}
        self.blocks: dict[Inputs, Blocks | CandidateFailed] = {}

    def __call__(self, candidate: Candidate) -> CandidateResult:
        if candidate.key not in self.outcomes:
            shape = (candidate.in_network, candidate.placement, candidate.learning_rate)
            together = [
                c
                for c in self.pending
                if self.pack
                and c.key not in self.outcomes
                and (not self.one_shape or (c.in_network, c.placement, c.learning_rate) == shape)
            ]
            if candidate not in together:
                together.append(candidate)
            on_epoch = None
            if self.progress is not None and len(together) > 1:
                progress, n = self.progress, len(together)

                def on_epoch(done: int, total: int) -> None:
                    progress(training_together(n, done, total))

            self.outcomes.update(
                evaluate_together(
                    self.setup,
                    together,
                    self.blocks,
                    workers=min(os.cpu_count() or 1, MAX_WORKERS),
                    on_epoch=on_epoch,
                    # A worker trains its shape as one lane, as the single process does
                    # wherever the candidates have several shapes (every budget's space:
                    # the distributed search runs no race, whose later stages may not).
                    lanes=1 if self.one_shape else MIN_LANES,
                )
            )
            waiting = {c.plan for c in self.pending if c.key not in self.outcomes}
            for plan in [p for p in self.blocks if p not in waiting]:
                del self.blocks[plan]
        outcome = self.outcomes[candidate.key]
        if isinstance(outcome, CandidateFailed):
            raise outcome
        return outcome
