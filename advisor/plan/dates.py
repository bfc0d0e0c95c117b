"""Date features: one date column becomes numbers a network can use.

In: a column of dates (text in one format, or datetime values). Out: the year and the
elapsed time (both standardized), the month, day of month and weekday (and the hour where
the training values have times of day) on circles (sine and cosine, so December sits next
to January), and a 0/1 missing indicator where training had missing dates.

The format and the calendar features are skrub's (`ToDatetime` finds the column's format
from the training values, pandas parses with it; `DatetimeEncoder` with circular periodic
encoding); this module only picks the resolution from the data, standardizes the two
unbounded features and imputes missing dates at the mean (zero after standardization). Its
fitted state is plain (a format, a resolution, means, scales), so the advice file keeps it.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

#: What the encoder is fit on: two moments that differ in every calendar field.
REFERENCE = ["2000-01-01 00:00:00", "2001-02-03 04:05:06"]


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
        from skrub import ToDatetime

        values = self._series(X)
        parsed = _parse_mixed(values)
        try:  # the one format of the training dates, as skrub finds it
            self.format_: str | None = ToDatetime().fit(values[parsed.notna()]).format_
        except Exception:  # skrub rejects a column without one format: parse each value
            self.format_ = None
        stamps = self._stamps(values)
        present = stamps.dropna()
        has_time = bool(
            len(present)
            and ((present.dt.hour != 0) | (present.dt.minute != 0) | (present.dt.second != 0)).any()
        )
        self.resolution_ = "hour" if has_time else "day"
        encoder = self._encoder()
        raw = self._raw(stamps, encoder)
        names = [str(n) for n in encoder.get_feature_names_out()]
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
        check_is_fitted(self, "names_")
        stamps = self._stamps(self._series(X))
        out = (self._raw(stamps, self._encoder()) - self.mean_) / self.scale_
        out = np.where(np.isfinite(out), out, 0.0)
        if self.missing_indicator_:
            out = np.hstack([out, stamps.isna().to_numpy(dtype=np.float64)[:, np.newaxis]])
        return np.asarray(out, dtype=np.float64)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "names_")
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
        elif self.format_ is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                stamps = pd.to_datetime(values, format=self.format_, errors="coerce")
        else:
            stamps = _parse_mixed(values)
        if getattr(stamps.dtype, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        return pd.Series(pd.to_datetime(stamps, errors="coerce"), name=self.column)

    def _encoder(self) -> Any:
        """skrub's DatetimeEncoder for the fitted resolution. Its features depend on the
        settings only, not on the rows it was fit on (tested), so it is rebuilt from them
        and the advice file keeps plain numbers."""
        from skrub import DatetimeEncoder

        return DatetimeEncoder(
            resolution=self.resolution_,
            add_weekday=True,
            add_total_seconds=True,
            periodic_encoding="circular",
        ).fit(pd.Series(pd.to_datetime(REFERENCE), name=self.column))

    def _raw(self, stamps: pd.Series, encoder: Any) -> np.ndarray:
        frame = encoder.transform(stamps)
        return np.asarray(frame, dtype=np.float64).reshape(len(stamps), -1)


def _parse_mixed(values: pd.Series) -> pd.Series:
    """Each value parsed on its own (unparseable: NaT)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.Series(pd.to_datetime(values, errors="coerce", format="mixed"), name=values.name)
