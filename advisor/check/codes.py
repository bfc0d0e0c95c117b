"""The registry of `advise check`'s finding codes: one `CheckCode` per code (CHK001...),
the one place its id, default severity, title, what to do and its documentation are written.

Every finding is built from an entry here (`Finding.of`), and docs/ci.md's table of codes
is generated from it (`advisor.check.render.render_codes_markdown`; tests/check/test_codes.py
fails when the page is out of date). A code is never reused: an entry is never removed or
renumbered, and a new code takes the next number. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from advisor.vocab import Severity


@dataclass(frozen=True)
class Form:
    """How a finding reads: its short ``title``, its default ``severity`` (a check may
    raise or lower it by the size of the effect) and the ``action``, what to do."""

    title: str
    severity: Severity
    action: str


@dataclass(frozen=True)
class CheckCode:
    """One finding code: its ``id``, what it ``finds`` and at which ``severities`` (the two
    columns of docs/ci.md's table), its usual ``form`` and any ``variants`` by name (one
    code, another title and action: CHK003's change within numeric kinds, ...)."""

    id: str
    finds: str
    severities: str
    form: Form
    variants: Mapping[str, Form] = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        return self.form.severity

    @property
    def title(self) -> str:
        return self.form.title

    @property
    def action(self) -> str:
        return self.form.action

    def variant(self, name: str | None) -> Form:
        """The form called ``name`` (None: the usual one)."""
        return self.form if name is None else self.variants[name]


MISSING_COLUMN = CheckCode(
    "CHK001",
    "a column the advice uses is missing",
    "error",
    Form("column missing", "error", "restore the column, or make a new advice without it"),
)
NEW_COLUMN = CheckCode(
    "CHK002",
    "a column the advice does not know (the pipeline ignores it)",
    "info",
    Form("new column", "info", "make a new advice if the column should be used"),
)
KIND_CHANGED = CheckCode(
    "CHK003",
    "a column changed type: numeric ↔ text (its scaler cannot read it) / another numeric kind",
    "error / info",
    Form(
        "column changed type",
        "error",
        "fix the column's type at the source (units or text in a numeric column?), or make a "
        "new advice",
    ),
    {"kind": Form("column changed kind", "info", "nothing to do unless the change is unexpected")},
)
NEW_MISSING = CheckCode(
    "CHK004",
    "missing values where there were none (no missing indicator was learnt; the median fills them)",
    "info for a stray value (binomial test against 1/n), warning beyond chance, error above 50%",
    Form(
        "new missing values",
        "warning",
        "fix the data source, or make a new advice that learns an indicator",
    ),
    {"more": Form("more missing values", "warning", "check the data source")},
)
NON_FINITE = CheckCode(
    "CHK005",
    "infinite values where there were none",
    "warning",
    Form(
        "non-finite values",
        "warning",
        "fix the computation that produced them (a division by zero?)",
    ),
)
OUT_OF_RANGE = CheckCode(
    "CHK006",
    "values outside the fitted range of a scaler that extrapolates badly: min-max, max-abs "
    "(by how far, as a share of the range: > 10% warning, > 50% error), /255 (error); Box-Cox "
    "meeting values ≤ 0 (error)",
    "info / warning / error",
    Form(
        "values outside the fitted range",
        "warning",
        "if the range has grown for good, make a new advice; a robust or standard scaler "
        "extrapolates more gracefully",
    ),
    {
        "box_cox": Form(
            "values Box-Cox cannot take",
            "error",
            "force another scaler for this column (--scaler COL=yeo_johnson) and make a new advice",
        )
    },
)
DRIFT = CheckCode(
    "CHK007",
    "distribution drift",
    "warning (KS D ≥ 0.1) / error (D ≥ 0.2)",
    Form(
        "distribution drift",
        "warning",
        "check whether the source or its units changed; if the shift is real, make a new "
        "advice on recent data",
    ),
)
OUTLIERS = CheckCode(
    "CHK008",
    "far outliers (beyond 3 IQR of the baseline quartiles) more frequent than in the baseline",
    "warning / error above +2 points",
    Form(
        "more far outliers",
        "warning",
        "look for corrupted or mis-scaled rows; a robust + smooth clip scaler tolerates "
        "outliers (--scaler COL=robust_clip)",
    ),
)
UNSEEN_CATEGORIES = CheckCode(
    "CHK009",
    'categories never seen in training (they encode as the "infrequent" column or zeros)',
    "warning / error above 5% of rows",
    Form(
        "unseen categories",
        "warning",
        "if the categories are new for good, make a new advice so the model learns them",
    ),
)
SCALER_FLIP = CheckCode(
    "CHK010",
    "the rules would now propose another scaler",
    "warning if the feature also drifted, else info",
    Form(
        "the rules would choose another scaler",
        "info",
        "if the drift checks are quiet, the change comes from a statistic near a rule's "
        "threshold; otherwise make a new advice",
    ),
)
NETWORK_FLIP = CheckCode(
    "CHK011",
    "the rules would now rank another in-network normalization first",
    "info",
    Form(
        "the rules would rank another in-network choice first",
        "info",
        "make a new advice to validate the in-network choice on the new data",
    ),
)
CONSTANT = CheckCode(
    "CHK012",
    "a column became constant",
    "warning",
    Form(
        "column became constant",
        "warning",
        "check the data source; a constant column carries no information",
    ),
)
UNSEEN_CLASSES = CheckCode(
    "CHK013",
    "target classes never seen in training (when the target is in the new data)",
    "error",
    Form(
        "unseen target classes",
        "error",
        "make a new advice (and model) that includes the new classes",
    ),
)
NO_SKETCH = CheckCode(
    "CHK014",
    "the baseline keeps no quantile sketch (an advice file of schema version 1): drift and "
    "outliers not checked",
    "info",
    Form(
        "no distribution sketch in the baseline",
        "info",
        "save the advice again with this advisor to check drift",
    ),
)
CLUSTER_SAMPLE = CheckCode(
    "CHK015",
    "checked with `--dask`: every row profiled on the cluster (counts, missing values, ranges, "
    "the rules' statistics), drift, outliers and unseen categories on a seeded sample drawn "
    "there",
    "info",
    Form(
        "checked on a Dask cluster",
        "info",
        "nothing to do; without --dask every row is checked in this process",
    ),
)

#: Every code by id, in number order.
CHECK_CODES: dict[str, CheckCode] = {
    code.id: code
    for code in (
        MISSING_COLUMN,
        NEW_COLUMN,
        KIND_CHANGED,
        NEW_MISSING,
        NON_FINITE,
        OUT_OF_RANGE,
        DRIFT,
        OUTLIERS,
        UNSEEN_CATEGORIES,
        SCALER_FLIP,
        NETWORK_FLIP,
        CONSTANT,
        UNSEEN_CLASSES,
        NO_SKETCH,
        CLUSTER_SAMPLE,
    )
}
