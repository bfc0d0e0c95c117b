"""What the search gives out: each candidate's fold scores, the comparisons with the
default, the decision, and all of it as JSON-ready data for the advice file.

In: fold scores from `advisor.search.runner` (or read back from keras-tuner's trials) and
the comparisons of `advisor.search.decision`. Out: frozen results (`SearchResult`) and
`search_to_dict`, the search's section of the advice file (no timings: it must be
reproducible).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from advisor.network.nets import NetSpec
from advisor.search.splits import FoldPlan
from advisor.search.stats import ALPHA, DECISION_RULE, SE_RULE
from advisor.vocab import CandidateStatus, InNetwork


class CandidateFailed(Exception):
    """A candidate that cannot be evaluated (the search marks it failed and goes on)."""


@dataclass(frozen=True)
class CandidateResult:
    key: str
    plan: str
    in_network: InNetwork
    status: CandidateStatus
    fold_scores: tuple[float, ...] = ()
    fold_metrics: tuple[float, ...] = ()
    best_epochs: tuple[int, ...] = ()
    curves: tuple[tuple[float, ...], ...] = ()
    message: str = ""
    seconds: float = 0.0  # report only; never written to the advice file
    target: str | None = None  # a target transform other than the search's default
    encoding: str = "none"  # a numeric encoding (`advisor.plan.encodings`)

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_scores)) if self.fold_scores else math.nan

    @property
    def sd(self) -> float:
        return float(np.std(self.fold_scores, ddof=1)) if len(self.fold_scores) > 1 else 0.0

    @property
    def metric_mean(self) -> float:
        return float(np.mean(self.fold_metrics)) if self.fold_metrics else math.nan

    @property
    def metric_sd(self) -> float:
        return float(np.std(self.fold_metrics, ddof=1)) if len(self.fold_metrics) > 1 else 0.0


@dataclass(frozen=True)
class Comparison:
    """A challenger against the default on the same folds."""

    challenger: str
    mean_improvement: float
    fold_wins: int
    t: float | None
    p: float
    p_holm: float

    @property
    def significant(self) -> bool:
        """Significant by the one-sided test, Holm-adjusted over the challengers (reported
        as the strength of the evidence; the decision uses `beats_default`)."""
        return self.p_holm < ALPHA and self.mean_improvement > 0

    @property
    def beats_default(self) -> bool:
        """Lower mean loss by more than SE_RULE corrected standard errors."""
        if self.mean_improvement <= 0:
            return False
        return self.t is None or self.t > SE_RULE


@dataclass(frozen=True)
class Stage:
    """One stage of the race across sample sizes: the rows it used and how many
    candidates trained on them."""

    rows: int
    candidates: int


@dataclass(frozen=True)
class Evidence:
    """What the decision rests on: the rows and folds of the last stage, every stage, and
    how sure the decision is ("clear" or "close": `advisor.search.stages.certainty`)."""

    rows: int
    folds: int
    stages: tuple[Stage, ...]
    certainty: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "folds": self.folds,
            "stages": [{"rows": s.rows, "candidates": s.candidates} for s in self.stages],
            "certainty": self.certainty,
        }


@dataclass(frozen=True)
class SearchResult:
    candidates: tuple[CandidateResult, ...]
    default_key: str
    winner_key: str
    comparisons: tuple[Comparison, ...]
    decision: str
    n_folds: int
    score_name: str
    metric_name: str
    net: NetSpec
    batch_size: int
    budget: str
    #: The rows and folds the decision rests on (`advisor.search.stages`).
    evidence: Evidence | None = None
    #: The mean share of the rows validated per fold (the paired test's correction).
    test_fraction: float = 0.2
    #: How the folds were made (the last stage's), and the default target transform.
    split: FoldPlan | None = None
    target_method: str | None = None
    seconds: float = field(default=0.0, compare=False)
    #: Report only (never in the advice file): trials reused from the trial directory.
    cached: int = field(default=0, compare=False)
    trial_dir: str = field(default="", compare=False)

    def candidate(self, key: str) -> CandidateResult:
        for c in self.candidates:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def winner(self) -> CandidateResult:
        return self.candidate(self.winner_key)


def results_by_key(results: tuple[CandidateResult, ...]) -> dict[str, CandidateResult]:
    return {r.key: r for r in results}


def search_to_dict(result: SearchResult) -> dict[str, Any]:
    """The search as JSON-ready data (no timings: the advice file must be reproducible)."""
    return {
        "budget": result.budget,
        "n_folds": result.n_folds,
        "score": result.score_name,
        "metric": result.metric_name,
        "batch_size": result.batch_size,
        "net": result.net.to_dict(),
        "default": result.default_key,
        "winner": result.winner_key,
        "decision": result.decision,
        "test": "corrected resampled t-test (Nadeau & Bengio 2003), one-sided, Holm-adjusted; "
        + DECISION_RULE,
        "alpha": ALPHA,
        "evidence": None if result.evidence is None else result.evidence.to_dict(),
        "split": None if result.split is None else result.split.to_dict(),
        "target_transform": result.target_method,
        "candidates": [
            {
                "key": c.key,
                "plan": c.plan,
                "in_network": c.in_network,
                "target": c.target,
                "encoding": c.encoding,
                "status": c.status,
                "message": c.message,
                "mean": None if not c.fold_scores else c.mean,
                "sd": None if not c.fold_scores else c.sd,
                "metric_mean": None if not c.fold_metrics else c.metric_mean,
                "metric_sd": None if not c.fold_metrics else c.metric_sd,
                "fold_scores": list(c.fold_scores),
                "fold_metrics": list(c.fold_metrics),
                "best_epochs": list(c.best_epochs),
                "curves": [list(curve) for curve in c.curves],
            }
            for c in result.candidates
        ],
        "comparisons": [
            {
                "challenger": c.challenger,
                "mean_improvement": c.mean_improvement,
                "fold_wins": c.fold_wins,
                "t": c.t,
                "p": c.p,
                "p_holm": c.p_holm,
                "significant": c.significant,
                "beats_default": c.beats_default,
            }
            for c in result.comparisons
        ],
    }
