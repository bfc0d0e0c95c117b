"""Date features: one date column becomes numbers a network can use.

In: a column of dates (text in one format, or datetime values). Out: the year and the
elapsed time (both standardized), the month, day of month and weekday (and the hour where
the training values have times of day) on circles (sine and cosine, so December sits next
to January), and a 0/1 missing indicator where training had missing dates.

The parsing and the calendar features are skrub's (`ToDatetime` learns the column's format
from the training values, `DatetimeEncoder` with circular periodic encoding); this module
only picks the resolution from the data, standardizes the two unbounded features and
imputes missing dates at the mean (zero after standardization).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted


class DateFeatures(TransformerMixin, BaseEstimator):
    """Calendar features of one date column (skrub's `DatetimeEncoder`), standardized.

    Parameters
    ----------
    column : str
        The column's name (it prefixes the feature names).
    """

    def __init__(self, column: str) -> None:
        self.column = column

    def fit(self, X: Any, y: Any = None) -> DateFeatures:
        from skrub import DatetimeEncoder, ToDatetime

        values = self._series(X)
        parsed = _parse_mixed(values)
        try:
            self.to_datetime_: Any = ToDatetime().fit(values[parsed.notna()])
        except Exception:  # skrub rejects a column without one format: parse each value
            self.to_datetime_ = None
        stamps = self._stamps(values)
        present = stamps.dropna()
        has_time = bool(
            len(present)
            and ((present.dt.hour != 0) | (present.dt.minute != 0) | (present.dt.second != 0)).any()
        )
        self.encoder_ = DatetimeEncoder(
            resolution="hour" if has_time else "day",
            add_weekday=True,
            add_total_seconds=True,
            periodic_encoding="circular",
        ).fit(stamps)
        raw = self._raw(stamps)
        names = [str(n) for n in self.encoder_.get_feature_names_out()]
        unbounded = np.array(["circular" not in n for n in names])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.where(unbounded, np.nanmean(raw, axis=0), 0.0) if len(raw) else 0.0
            scale = np.where(unbounded, np.nanstd(raw, axis=0), 1.0) if len(raw) else 1.0
        self.mean_ = np.nan_to_num(np.asarray(mean, dtype=np.float64), nan=0.0)
        scale = np.nan_to_num(np.asarray(scale, dtype=np.float64), nan=1.0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        self.missing_indicator_ = bool(stamps.isna().any())
        self.names_ = [*names, *([f"{self.column}__missing"] if self.missing_indicator_ else [])]
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "encoder_")
        stamps = self._stamps(self._series(X))
        out = (self._raw(stamps) - self.mean_) / self.scale_
        out = np.where(np.isfinite(out), out, 0.0)
        if self.missing_indicator_:
            out = np.hstack([out, stamps.isna().to_numpy(dtype=np.float64)[:, np.newaxis]])
        return np.asarray(out, dtype=np.float64)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "encoder_")
        return np.asarray(self.names_, dtype=object)

    def _series(self, X: Any) -> pd.Series:
        values = X.iloc[:, 0] if isinstance(X, pd.DataFrame) else pd.Series(X)
        values = values.reset_index(drop=True)
        if not pd.api.types.is_datetime64_any_dtype(values.dtype):
            values = values.astype("string").str.strip().astype(object)
            values = values.where(pd.notna(values), None)
        return values.rename(self.column)

    def _stamps(self, values: pd.Series) -> pd.Series:
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            stamps = values
        elif self.to_datetime_ is not None:
            stamps = self.to_datetime_.transform(values)
        else:
            stamps = _parse_mixed(values)
        if getattr(stamps.dtype, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        return pd.Series(pd.to_datetime(stamps, errors="coerce"), name=self.column)

    def _raw(self, stamps: pd.Series) -> np.ndarray:
        frame = self.encoder_.transform(stamps)
        return np.asarray(frame, dtype=np.float64).reshape(len(stamps), -1)


def _parse_mixed(values: pd.Series) -> pd.Series:
    """Each value parsed on its own (unparseable: NaT)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.Series(pd.to_datetime(values, errors="coerce", format="mixed"), name=values.name)
