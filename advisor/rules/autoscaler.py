"""`AutoScaler`: the rules as a drop-in scikit-learn transformer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from advisor.plan.pipeline import PlanTransformer
from advisor.plan.plans import InputPlan


class AutoScaler(TransformerMixin, BaseEstimator):
    """Scale each column the way the advisor's rules propose.

    Without a ``plan``, `fit` profiles the data, applies the rules and scales every numeric
    column with its top proposal (categorical columns are one-hot encoded, constant and
    id-like columns dropped, missing values imputed). With a fixed ``plan`` -- as
    ``Advice.pipeline`` uses it -- a refit or a ``clone`` keeps the plan and only refits the
    scalers. A finite numeric ``y`` passed to `fit` that the loader reads as a regression
    target lets the rules that read the target's links (NRM024) fire, as in `advise`.

    Parameters
    ----------
    plan : InputPlan or None, default=None
        A fixed scaler per column; None lets the rules decide in `fit`.
    rules : sequence of str, default=()
        Extra rule files (TOML) that add rules or override built-in ones by id.
    disable_rules : sequence of str, default=()
        Rule ids to switch off.
    overrides : mapping of str to str or None, default=None
        Per-column decisions that beat the rules: a scaler key, "drop" or "keep".
    seed : int, default=0
        Seed for scalers that subsample.
    bins : tuple of (column, count), default=()
        Columns to encode piecewise-linearly after scaling, each in ``count`` quantile
        bins (the advice's ``"ple"`` encoding; `advisor.plan.encodings`).

    Attributes
    ----------
    plan_ : InputPlan
        The plan used: ``plan`` itself, or the rules' plan.
    scalers_ : dict
        Column -> scaler key.
    reasons_ : dict
        Column -> why (rule ids and the evidence they read); empty for a fixed plan.
    dropped_ : list of str
        Columns left out of the output.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fit on a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"height": rng.normal(170, 10, 200),
    ...                   "income": rng.lognormal(10, 1, 200)})
    >>> scaler = AutoScaler().fit(X)
    >>> scaler.scalers_
    {'height': 'robust_clip', 'income': 'robust_clip'}
    >>> AutoScaler(disable_rules=["NRM018"]).fit(X).scalers_  # without the baseline
    {'height': 'standard', 'income': 'log1p_standard'}
    >>> scaler.transform(X).shape
    (200, 2)
    """

    def __init__(
        self,
        plan: InputPlan | None = None,
        rules: Sequence[str] = (),
        disable_rules: Sequence[str] = (),
        overrides: Mapping[str, str] | None = None,
        seed: int = 0,
        bins: tuple[tuple[str, int], ...] = (),
    ) -> None:
        self.plan = plan
        self.rules = rules
        self.disable_rules = disable_rules
        self.overrides = overrides
        self.seed = seed
        self.bins = bins

    def fit(self, X: Any, y: Any = None) -> AutoScaler:
        frame = self._frame(X)
        validate_data(self, X, skip_check_array=True, reset=True)
        if len(frame) == 0:
            raise ValueError(
                "Found array with 0 sample(s) (shape=(0, "
                f"{frame.shape[1]})) while a minimum of 1 is required by AutoScaler."
            )
        if self.plan is not None:
            plan = self.plan
            self.reasons_: dict[str, str] = {}
        else:
            plan, self.reasons_ = self._plan_from_rules(frame, y)
        self.plan_ = plan
        self.scalers_ = dict(plan.scalers)
        self.dropped_ = list(plan.dropped)
        self.transformer_ = PlanTransformer(plan, seed=self.seed, bins=self.bins).fit(frame)
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "transformer_")
        frame = self._frame(X)
        validate_data(self, X, skip_check_array=True, reset=False)
        return self.transformer_.transform(frame)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "transformer_")
        return self.transformer_.get_feature_names_out()

    def _frame(self, X: Any) -> pd.DataFrame:
        """The input as a DataFrame (arrays get columns x0, x1, ...), with scikit-learn's
        own errors for sparse, complex, 1-D and feature-less input."""
        if isinstance(X, pd.DataFrame):
            if X.shape[1] == 0:
                raise ValueError(
                    f"0 feature(s) (shape={X.shape}) while a minimum of 1 is required."
                )
            frame = X.copy()
            frame.columns = [str(c) for c in frame.columns]
            return frame
        values = check_array(
            X, dtype=None, ensure_all_finite=False, accept_sparse=False, ensure_min_samples=0
        )
        if values.dtype.kind in "fiub":
            values = values.astype(np.float64)
        return pd.DataFrame(values, columns=[f"x{i}" for i in range(values.shape[1])])

    def _plan_from_rules(self, frame: pd.DataFrame, y: Any) -> tuple[InputPlan, dict[str, str]]:
        from advisor.profiling.profile import profile_table
        from advisor.rules.engine import apply_rules, load_rules
        from advisor.rules.target_links import with_target_links
        from advisor.table.load import load_table

        table = load_table(frame)
        profile = profile_table(table, seed=self.seed, threads=1)
        values = None if y is None else np.asarray(y)
        if values is not None and values.ndim == 1 and len(values) == len(frame):
            # A target (regression, once the loader infers it): the rules that read its
            # links (NRM024) see them, as in `advise`. Other targets are ignored.
            name = "__target__"
            while name in frame.columns:
                name += "_"
            if values.dtype.kind in "fiu" and np.isfinite(values.astype(float)).all():
                linked = load_table(frame.assign(**{name: values}), target=name)
                profile = with_target_links(profile, linked)
        ruleset = load_rules(self.rules, self.disable_rules)
        proposals = apply_rules(profile, ruleset, overrides=dict(self.overrides or {}))
        reasons = {f.subject: f.reason() for f in proposals.features if f.findings}
        plan = proposals.rule_plan()
        # Columns the loader set aside (id-like or datetime text) are dropped too.
        dropped = tuple(dict.fromkeys((*plan.dropped, *table.excluded)))
        return InputPlan(plan.name, plan.scalers, plan.categorical, dropped), reasons

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags
