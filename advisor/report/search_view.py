"""The typed view of the advice's search (`advisor.report.views`): every candidate's
scores, the comparisons with the default, what the decision rests on and the sample.
Standard library only."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.report.reader import JsonObject, build_view


@dataclass(frozen=True)
class CandidateView:
    """One candidate of the search: its scores over the folds (None where it has none)."""

    key: str
    plan: str
    in_network: str
    status: str
    message: str
    mean: float | None
    sd: float | None
    metric_mean: float | None
    metric_sd: float | None
    fold_scores: tuple[float, ...]
    curves: tuple[tuple[float, ...], ...]

    @classmethod
    def read(cls, obj: JsonObject) -> CandidateView:
        curves = tuple(tuple(curve) for curve in obj.req("curves"))
        return build_view(cls, obj, fold_scores=tuple(obj.req("fold_scores")), curves=curves)


@dataclass(frozen=True)
class ComparisonView:
    """A challenger against the default on the same folds. ``beats_default``: by the
    search's decision rule (files written before the one-standard-error rule decided by
    Holm-adjusted significance: ``significant``)."""

    challenger: str
    mean_improvement: float
    fold_wins: int
    t: float | None
    p: float | None
    p_holm: float | None
    beats_default: bool

    @classmethod
    def read(cls, obj: JsonObject) -> ComparisonView:
        return build_view(
            cls, obj, beats_default=bool(obj.opt("beats_default", obj.req("significant")))
        )


@dataclass(frozen=True)
class Stage:
    """A stage of the race across sample sizes: its rows and the candidates it trained."""

    rows: int
    candidates: int


@dataclass(frozen=True)
class EvidenceView:
    """What the decision rests on: the last stage's rows and folds, every stage, and how
    sure it is (``clear`` or ``close``)."""

    rows: int
    folds: int
    stages: tuple[Stage, ...]
    certainty: str

    @classmethod
    def read(cls, obj: JsonObject) -> EvidenceView:
        return build_view(cls, obj, stages=tuple(build_view(Stage, s) for s in obj.objs("stages")))


@dataclass(frozen=True)
class SplitView:
    """How the folds were made (files before version 4 did not record it): shuffled,
    grouped or time-ordered, the column, its groups or time values, the folds asked for
    and used (and why fewer), stratification and the time gap."""

    kind: str
    column: str | None
    units: int | None
    folds_asked: int
    folds: int
    fewer_because: str | None
    stratified: bool
    gap: int

    def text(self, dropped: tuple[str, ...] = ()) -> str:
        """The split in one line; ``dropped``: the plan's dropped columns, to say whether
        the group or time column is a feature."""
        if self.kind == "group":
            text = (
                f"{self.folds} folds grouped by {self.column} ({self.units} groups): "
                f"no {self.column} in training and validation at once"
            )
        elif self.kind == "time":
            gap = f", {self.gap} left out between" if self.gap else ""
            text = (
                f"{self.folds} time-ordered folds by {self.column} ({self.units} time "
                f"values, cut between values): validation always later than training{gap}"
            )
        else:
            how = "stratified by class" if self.stratified else "rows shuffled"
            text = f"{self.folds} shuffled folds ({how})"
        if self.column is not None:
            feature = "not a feature" if self.column in dropped else "kept as a feature"
            text += f"; {self.column} is {feature}"
        if self.fewer_because:
            text += (
                f"; {self.folds} of the {self.folds_asked} folds asked for: {self.fewer_because}"
            )
        return text


@dataclass(frozen=True)
class SampleView:
    """The seeded sample the search used on big data: stratified by class or target
    decile, or keeping whole groups or the most recent times."""

    rows: int
    of: int
    stratified_by: str

    def text(self, split: SplitView | None) -> str:
        """How the sample was drawn, in words."""
        if self.stratified_by in ("whole groups", "most recent times"):
            column = split.column if split is not None else None
            return f"{self.stratified_by} of {column}" if column else self.stratified_by
        return f"stratified by {self.stratified_by}"


@dataclass(frozen=True)
class SearchView:
    """The search: its setting, every candidate, the comparisons with the default, the
    winner and the decision in words; ``evidence`` None in files before the race (version
    2), ``sample`` None on all rows (and in version-1 files), ``split`` and
    ``target_transform`` None in files before version 4."""

    budget: str
    n_folds: int
    score: str
    metric: str
    default: str
    winner: str
    decision: str
    test: str
    alpha: float
    candidates: tuple[CandidateView, ...]
    comparisons: tuple[ComparisonView, ...]
    evidence: EvidenceView | None
    sample: SampleView | None
    split: SplitView | None
    target_transform: str | None

    @classmethod
    def read(cls, obj: JsonObject) -> SearchView:
        evidence = obj.opt_obj("evidence")
        sample = obj.opt_obj("sample")
        split = obj.opt_obj("split")
        return build_view(
            cls,
            obj,
            candidates=tuple(CandidateView.read(c) for c in obj.objs("candidates")),
            comparisons=tuple(ComparisonView.read(c) for c in obj.objs("comparisons")),
            evidence=None if evidence is None else EvidenceView.read(evidence),
            sample=None if sample is None else build_view(SampleView, sample),
            split=None if split is None else build_view(SplitView, split),
            target_transform=obj.opt("target_transform"),
        )
