"""The fitted preprocessing: an input plan turned into one scikit-learn transformer."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils.validation import check_is_fitted

from advisor.plan.catalog import FitContext, make_scaler
from advisor.plan.dates import DateFeatures
from advisor.plan.encodings import ple, quantile_edges
from advisor.plan.plans import InputPlan

#: One-hot encoding keeps at most this many categories per column (the rest: "infrequent").
MAX_CATEGORIES = 32
MISSING_CATEGORY = "(missing)"


class PlanTransformer(TransformerMixin, BaseEstimator):
    """Apply an `InputPlan` to a DataFrame of feature columns.

    Each numeric column is scaled by its planned scaler (fit on observed values only, as
    scikit-learn's scalers ignore NaN), then missing and non-finite values are imputed with
    the column's median after scaling, and a 0/1 indicator is added for every column that had
    missing values in training. Categorical columns are one-hot encoded; categories unseen in
    training map to the "infrequent" column when there is one, else to all zeros. Date
    columns become calendar features (`advisor.plan.dates.DateFeatures`).

    Parameters
    ----------
    plan : InputPlan
        The scaler of each numeric column, the categorical and the dropped columns.
    seed : int, default=0
        Seed for scalers that subsample (quantile).
    bins : tuple of (column, count), default=()
        The piecewise-linear encoding (`advisor.plan.encodings`): each of these numeric
        columns, scaled and imputed, becomes its ``count`` quantile bins' encoding (the
        edges fitted on the training rows), in place of its one scaled value.
    """

    def __init__(
        self, plan: InputPlan, seed: int = 0, bins: tuple[tuple[str, int], ...] = ()
    ) -> None:
        self.plan = plan
        self.seed = seed
        self.bins = bins

    def fit(self, X: pd.DataFrame, y: Any = None) -> PlanTransformer:
        frame = _as_frame(X, self.plan)
        numeric = numeric_block(frame, self.plan.numeric)
        ctx = FitContext(n_samples=len(frame), seed=self.seed)
        groups: dict[str, list[int]] = {}
        for index, (_, key) in enumerate(self.plan.scalers):
            groups.setdefault(key, []).append(index)
        fitted: list[tuple[str, list[int], Any]] = []
        for key, indices in groups.items():
            scaler = make_scaler(key, ctx)
            if not isinstance(scaler, str):
                scaler.fit(numeric[:, indices])
            fitted.append((key, indices, scaler))
        self.scalers_ = fitted
        scaled = self.scale(numeric)
        with np.errstate(all="ignore"):
            medians = (
                np.nanmedian(np.where(np.isfinite(scaled), scaled, np.nan), axis=0)
                if (scaled.shape[1])
                else np.zeros(0)
            )
        self.fill_values_ = np.nan_to_num(np.asarray(medians, dtype=float), nan=0.0)
        filled = np.where(np.isfinite(scaled), scaled, self.fill_values_[np.newaxis, :])
        self.edges_ = [
            quantile_edges(filled[:, self.plan.numeric.index(column)], count)
            for column, count in self.bins
        ]
        missing = ~np.isfinite(numeric)
        self.indicator_columns_ = [
            self.plan.numeric[i] for i in np.flatnonzero(missing.any(axis=0))
        ]
        if self.plan.categorical:
            self.encoder_: OneHotEncoder | None = OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                max_categories=MAX_CATEGORIES,
                sparse_output=False,
                dtype=np.float64,
            )
            self.encoder_.fit(categorical_block(frame, self.plan.categorical))
        else:
            self.encoder_ = None
        self.dates_ = [DateFeatures(column).fit(frame[column]) for column in self.plan.dates]
        self.text_ = [
            string_encoder(self.seed).fit(text_column(frame, column))
            for column in self.plan.text_encoded
        ]
        self.feature_names_in_ = np.asarray(
            [*self.plan.numeric, *self.plan.categorical, *self.plan.dates, *self.plan.text_encoded],
            dtype=object,
        )
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "scalers_")
        frame = _as_frame(X, self.plan)
        numeric = numeric_block(frame, self.plan.numeric)
        scaled = self.scale(numeric)
        bad = ~np.isfinite(scaled)
        if bad.any():
            scaled = np.where(bad, self.fill_values_[np.newaxis, :], scaled)
        parts = [self.encode(scaled)]
        if self.indicator_columns_:
            columns = [self.plan.numeric.index(c) for c in self.indicator_columns_]
            parts.append((~np.isfinite(numeric[:, columns])).astype(np.float64))
        if self.encoder_ is not None:
            parts.append(
                np.asarray(
                    self.encoder_.transform(categorical_block(frame, self.plan.categorical)),
                    dtype=np.float64,
                )
            )
        for encoder in getattr(self, "dates_", ()):
            parts.append(encoder.transform(frame[encoder.column]))
        for column, text in zip(self.plan.text_encoded, getattr(self, "text_", ()), strict=True):
            parts.append(np.asarray(text.transform(text_column(frame, column)), dtype=np.float64))
        out = np.hstack(parts) if parts else np.zeros((len(frame), 0))
        return np.asarray(out, dtype=np.float64)

    def column_edges(self) -> dict[str, np.ndarray]:
        """Each PLE-encoded column's fitted bin edges, by name (empty: no encoding, or not
        fitted yet); `encode`, `numeric_names` and the Keras export read them here."""
        return dict(zip((c for c, _ in self.bins), getattr(self, "edges_", ()), strict=False))

    def encode(self, scaled: np.ndarray) -> np.ndarray:
        """The scaled, imputed numbers with each encoded column replaced, in place, by its
        piecewise-linear encoding (no encoding: ``scaled`` itself)."""
        edges = self.column_edges()
        if not edges:
            return scaled
        blocks = []
        for j, column in enumerate(self.plan.numeric):
            if column in edges:
                blocks.append(ple(scaled[:, j], edges[column]))
            else:
                blocks.append(scaled[:, j : j + 1])
        return np.hstack(blocks)

    def numeric_names(self) -> list[str]:
        """The names of the numeric block's outputs: a column, or its bins ``col__ple0``..."""
        edges = self.column_edges()
        names = []
        for column in self.plan.numeric:
            if column in edges:
                names += [f"{column}__ple{i}" for i in range(len(edges[column]) - 1)]
            else:
                names.append(column)
        return names

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "scalers_")
        names = self.numeric_names()
        names += [f"{column}__missing" for column in self.indicator_columns_]
        if self.encoder_ is not None:
            names += [str(n) for n in self.encoder_.get_feature_names_out(self.plan.categorical)]
        for encoder in getattr(self, "dates_", ()):
            names += [str(n) for n in encoder.get_feature_names_out()]
        for text in getattr(self, "text_", ()):
            names += [str(n) for n in text.get_feature_names_out()]
        return np.asarray(names, dtype=object)

    def scale(self, numeric: np.ndarray) -> np.ndarray:
        """The numeric block (plan order) through each column's fitted scaler; NaN stays NaN."""
        out = numeric.copy()
        for _, indices, scaler in self.scalers_:
            if isinstance(scaler, str):
                continue
            with np.errstate(all="ignore"):
                out[:, indices] = scaler.transform(numeric[:, indices])
        return out


def _as_frame(X: Any, plan: InputPlan) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        expected = (*plan.numeric, *plan.categorical, *plan.dates, *plan.text_encoded)
        missing = [c for c in expected if c not in X.columns]
        if missing:
            raise ValueError(f"input is missing the column {missing[0]!r} the plan expects")
        return X
    raise TypeError(
        f"PlanTransformer expects a pandas DataFrame with named columns, got {type(X).__name__}"
    )


def numeric_block(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    if not columns:
        return np.zeros((len(frame), 0))
    block = frame.loc[:, list(columns)].apply(pd.to_numeric, errors="coerce")
    values = np.array(block.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    # Non-finite values are treated as missing: the scalers skip them and the imputer fills.
    values[~np.isfinite(values)] = np.nan
    return values


def categorical_block(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """The categorical columns as text (`category_text`), missing values as
    ``MISSING_CATEGORY``: each distinct value is turned into text once."""
    out = np.empty((len(frame), len(columns)), dtype=object)
    for j, column in enumerate(columns):
        codes, uniques = pd.factorize(frame[column].astype(object), use_na_sentinel=True)
        texts = np.array([*(category_text(u) for u in uniques), MISSING_CATEGORY], dtype=object)
        out[:, j] = texts[codes]  # code -1 (missing) takes the last
    return out


def category_text(value: object) -> str:
    """A category's text: numbers that are codes read the same whether they arrive as
    integers or as floats (98052 and 98052.0 are one postal code)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


#: Components of a string-encoded text column (skrub's default).
TEXT_COMPONENTS = 30


def string_encoder(seed: int) -> Any:
    """skrub's StringEncoder: tf-idf of character 3-4-grams, reduced by a seeded SVD."""
    from skrub import StringEncoder

    return StringEncoder(n_components=TEXT_COMPONENTS, random_state=seed)


def text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column as strings, missing values as empty text (all-zero components)."""
    values = frame[column]
    text = values.map(category_text).where(values.notna(), "")
    return pd.Series(text.to_numpy(dtype=object), name=column)
