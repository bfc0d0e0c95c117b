"""Typed views of the advice's JSON form for the reports: frozen dataclasses built once from
`Advice.to_dict()`, a saved advice file as read (schema versions 1, 2 and 3), or the preview
of the rules' part (`advisor.progress.rules_ready`).

The views hold the parts of the advice the reports read, as the published schema
(`advisor/advice/advice.schema.json`) names them (`advisor.report.reader` reads them; the
search's view is `advisor.report.search_view`). A key every schema version requires is
required here: its absence is an `AdviceFileError` naming its path
("malformed advice: profile.features[2].kind is missing"). A key some version lacks reads as
that version meant it: no ``distributions``, fired rules' rationale or search ``sample`` in
version 1, no search ``evidence`` in version 2 (one stage), no ``beats_default`` in files
decided by Holm-adjusted significance, no date features in files before them. Values keep
their JSON types (an integer score stays an integer), so the reports format them as before.
Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.errors import AdviceFileError
from advisor.report.reader import JsonObject, build_view
from advisor.report.search_view import SearchView

# ------------------------------------------------------------------------------ profile


@dataclass(frozen=True)
class FeatureView:
    """One column's profile (the schema's ``feature``): what the reports show of it."""

    name: str
    kind: str
    count: int
    missing: int
    non_finite: int
    missing_share: float
    n_distinct: int
    min: float | None
    max: float | None
    mean: float | None
    std: float | None
    skew: float | None
    kurtosis: float | None
    q01: float | None
    q99: float | None
    outlier_share_3: float | None
    zero_share: float | None
    normality_p: float | None
    bounds: str | None
    gaussian_like: bool | None
    piles_at_bound: bool | None
    zero_inflated: bool | None
    multimodal: bool | None
    top_categories: tuple[tuple[str, int], ...]

    @classmethod
    def read(cls, obj: JsonObject) -> FeatureView:
        top = tuple((str(k), v) for k, v in obj.req("top_categories"))
        return build_view(cls, obj, top_categories=top)


@dataclass(frozen=True)
class LayoutView:
    """The table's layout (`advisor.profiling.layout`): a panel or a time series, its
    columns, and the one-line suggestion of ``--groups`` or ``--time-order``."""

    kind: str
    unit: str | None
    time: str
    suggestion: str


@dataclass(frozen=True)
class ProfileView:
    """The dataset's profile: its facts and one `FeatureView` per column."""

    source: str
    n_rows: int
    n_numeric: int
    n_categorical: int
    n_classes: int | None
    share_skewed: float
    share_outlier_heavy: float
    scale_ratio: float | None
    image_like: bool
    mode: str
    sample_rows: int | None
    excluded: tuple[str, ...]
    features: tuple[FeatureView, ...]
    notes: tuple[str, ...]  # the column classifier's, on `advise profile`'s paths
    layout: LayoutView | None  # absent: the rows look exchangeable (and in older files)

    @classmethod
    def read(cls, obj: JsonObject) -> ProfileView:
        features = tuple(FeatureView.read(f) for f in obj.objs("features"))
        notes = obj.strings("notes", required=False)
        layout = obj.opt_obj("layout")
        return build_view(
            cls,
            obj,
            excluded=obj.strings("excluded"),
            features=features,
            notes=notes,
            layout=None if layout is None else build_view(LayoutView, layout),
        )

    @classmethod
    def from_dict(cls, data: Any) -> ProfileView:
        """A profile's JSON form (`DatasetProfile.to_dict()`, `advise profile --json`)."""
        return cls.read(JsonObject(data, "profile"))

    def by_name(self) -> dict[str, FeatureView]:
        return {f.name: f for f in self.features}


# ---------------------------------------------------------------------------- proposals


@dataclass(frozen=True)
class Ranked:
    """A proposed choice, the rules' confidence in it and the rules proposing it."""

    choice: str
    score: float
    rules: tuple[str, ...]


@dataclass(frozen=True)
class RuleFinding:
    """A rule that fired, and the profile values its condition read."""

    rule: str
    name: str
    evidence: Mapping[str, Any]


@dataclass(frozen=True)
class Rejected:
    """A choice the catalog ruled out for the column, and why."""

    choice: str
    reason: str


@dataclass(frozen=True)
class EntryView:
    """The ranked proposals for one subject (a feature, the network or the target)."""

    subject: str
    ranked: tuple[Ranked, ...]
    findings: tuple[RuleFinding, ...]
    rejected: tuple[Rejected, ...]

    @property
    def top(self) -> Ranked:
        return self.ranked[0]

    @classmethod
    def read(cls, obj: JsonObject) -> EntryView:
        ranked = tuple(build_view(Ranked, r, rules=r.strings("rules")) for r in obj.objs("ranked"))
        if not ranked:
            raise AdviceFileError(f"malformed advice: {obj.path}.ranked is empty")
        return build_view(
            cls,
            obj,
            ranked=ranked,
            findings=tuple(build_view(RuleFinding, f) for f in obj.objs("findings")),
            rejected=tuple(build_view(Rejected, r) for r in obj.objs("rejected")),
        )


@dataclass(frozen=True)
class RuleText:
    """A fired rule's condition and three-part rationale."""

    name: str
    scope: str
    status: str
    when: str
    triggers: str
    why: str
    example: str
    note: str | None


@dataclass(frozen=True)
class ProposalsView:
    """The rules' proposals: per feature, for the network and the target, and the fired
    rules' rationale by id (empty in version-1 files)."""

    features: tuple[EntryView, ...]
    in_network: EntryView
    target: EntryView | None
    rules: Mapping[str, RuleText]
    #: Per numeric column where an encoding rule fired (absent before version 5).
    encodings: tuple[EntryView, ...] = ()

    @classmethod
    def read(cls, obj: JsonObject) -> ProposalsView:
        target = obj.opt_obj("target")
        rules = obj.opt_obj("rules")  # absent in version-1 files
        texts = (
            {} if rules is None else {k: build_view(RuleText, rules.obj(k)) for k in rules.value}
        )
        return cls(
            features=tuple(EntryView.read(e) for e in obj.objs("features")),
            in_network=EntryView.read(obj.obj("in_network")),
            target=EntryView.read(target) if target is not None else None,
            rules=texts,
            encodings=tuple(EntryView.read(e) for e in obj.objs("encodings", required=False)),
        )

    @classmethod
    def from_dict(cls, data: Any) -> ProposalsView:
        """The proposals' JSON form (`Proposals.to_dict()`)."""
        return cls.read(JsonObject(data, "proposals"))


# -------------------------------------------------------------------------- the advice


@dataclass(frozen=True)
class Histogram:
    """Bin ``edges`` (one more than ``counts``) and ``counts``."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]

    @classmethod
    def read(cls, obj: JsonObject) -> Histogram:
        return cls(edges=tuple(obj.req("edges")), counts=tuple(obj.req("counts")))


@dataclass(frozen=True)
class DistributionView:
    """A numeric feature's histograms before and after its scaler (None after a drop)."""

    scaler: str
    n: int
    sampled: bool
    before: Histogram
    after: Histogram | None

    @classmethod
    def read(cls, obj: JsonObject) -> DistributionView:
        after = obj.opt_obj("after")
        return build_view(
            cls,
            obj,
            before=Histogram.read(obj.obj("before")),
            after=None if after is None else Histogram.read(after),
        )


@dataclass(frozen=True)
class Settings:
    """The run's settings: the target (None: none), task, seed and budget."""

    target: str | None
    task: str | None
    seed: int
    budget: str


@dataclass(frozen=True)
class RulesView:
    """What the advice holds once the rules have spoken (the report's first part, and all
    a `rules_ready` preview holds): the source, settings, notes, profile, proposals and the
    plan's name, date columns and dropped columns."""

    source: str
    settings: Settings
    notes: tuple[str, ...]
    profile: ProfileView
    proposals: ProposalsView
    plan_name: str
    #: The plan's scaler of each numeric column (by name).
    scalers: Mapping[str, str]
    dates: tuple[str, ...]
    dropped: tuple[str, ...]
    #: The layout's suggestion (--groups, --time-order), unless the run chose its folds.
    layout_suggestion: str | None

    @classmethod
    def from_dict(cls, data: Any) -> RulesView:
        """The rules' part of an advice dictionary or of a `rules_ready` preview."""
        return cls(**_rules_part(JsonObject(data, "")))

    def set_aside(self) -> list[str]:
        """The columns the loader set aside and the plan does not use (dates it does use,
        as calendar features)."""
        return [c for c in self.profile.excluded if c not in self.dates]


@dataclass(frozen=True)
class AdviceView(RulesView):
    """The whole advice as the reports read it: the rules' part, then the advice proper
    (in-network normalization, whether a search validated it, the target transform), the
    search (None without a target) and each numeric feature's distributions (empty in
    version-1 files)."""

    advisor_version: str
    in_network: str
    validated: bool
    target_transform: str | None
    search: SearchView | None
    distributions: Mapping[str, DistributionView]
    #: The numeric encoding and its columns (bins, or 1 each): "none" before version 5.
    encoding: str = "none"
    encoded_columns: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Any) -> AdviceView:
        """An advice dictionary (`Advice.to_dict()`, or a saved advice file as read)."""
        root = JsonObject(data, "")
        advice = root.obj("advice")
        search = root.opt_obj("search")
        distributions = root.opt_obj("distributions")
        encoding = advice.opt_obj("encoding")
        return cls(
            **_rules_part(root),
            advisor_version=root.req("advisor_version"),
            in_network=advice.req("in_network"),
            validated=advice.req("validated"),
            target_transform=advice.req("target_transform"),
            search=SearchView.read(search) if search is not None else None,
            distributions={}
            if distributions is None
            else {k: DistributionView.read(distributions.obj(k)) for k in distributions.value},
            encoding="none" if encoding is None else encoding.req("kind"),
            encoded_columns={} if encoding is None else dict(encoding.req("columns")),
        )


def _rules_part(root: JsonObject) -> dict[str, Any]:
    plan = root.obj("advice").obj("plan")
    return {
        "source": root.req("source"),
        "settings": build_view(Settings, root.obj("settings")),
        "notes": root.strings("notes"),
        "profile": ProfileView.read(root.obj("profile")),
        "proposals": ProposalsView.read(root.obj("proposals")),
        "plan_name": plan.req("name"),
        "scalers": {str(k): str(v) for k, v in (plan.opt("scalers") or {}).items()},
        "dates": plan.strings("dates", required=False),
        "dropped": plan.strings("dropped", required=False),
        "layout_suggestion": _layout_suggestion(root),
    }


def _layout_suggestion(root: JsonObject) -> str | None:
    """The profile's layout suggestion, unless the run already grouped or ordered its
    folds (the search's ``split`` is not shuffled k-fold)."""
    layout = root.obj("profile").opt("layout")
    if not isinstance(layout, dict) or not layout.get("suggestion"):
        return None
    search = root.opt_obj("search")
    split = None if search is None else search.opt_obj("split")
    if split is not None and split.req("kind") != "kfold":
        return None
    return str(layout["suggestion"])
