"""Small scikit-learn transformers that scikit-learn itself does not ship.

Each follows scikit-learn's contract: ``__init__`` stores parameters only, ``fit`` learns
attributes ending in ``_`` and returns ``self``, ``transform`` checks it is fitted, and
NaN passes through unchanged (imputation happens after scaling).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class _Elementwise(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Base for stateless element-wise maps: fit only records the input width."""

    def fit(self, X: Any, y: Any = None) -> _Elementwise:
        validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64)
        self.fitted_ = True
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        values = validate_data(
            self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64, copy=True
        )
        return self._apply(values)

    def _apply(self, values: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class DivideScaler(_Elementwise):
    """Divide by a fixed constant, e.g. 255 for 8-bit intensities.

    Parameters
    ----------
    divisor : float, default=255.0
        The known top of the natural range; it is not learned from the data, so a
        new batch with a different maximum is scaled the same way.
    """

    def __init__(self, divisor: float = 255.0) -> None:
        self.divisor = divisor

    def fit(self, X: Any, y: Any = None) -> DivideScaler:
        if not np.isfinite(self.divisor) or self.divisor == 0:
            raise ValueError(
                f"The 'divisor' parameter of DivideScaler must be a finite non-zero number. "
                f"Got {self.divisor!r} instead."
            )
        super().fit(X, y)
        return self

    def _apply(self, values: np.ndarray) -> np.ndarray:
        return values / float(self.divisor)


class SignedLog1p(_Elementwise):
    """``sign(x) * log1p(|x|)``: log1p for non-negative data, defined for every value.

    Equal to ``log1p`` on the non-negative values the rules apply it to; a negative value
    met later is mapped symmetrically instead of becoming NaN.
    """

    def _apply(self, values: np.ndarray) -> np.ndarray:
        return np.sign(values) * np.log1p(np.abs(values))


class SmoothClip(_Elementwise):
    """Smooth clipping ``x / sqrt(1 + (x / c)**2)`` (RealMLP's default after robust scaling).

    Close to the identity for ``|x| << c``, bounded by ``±c`` for extreme values.

    Parameters
    ----------
    clip : float, default=3.0
        The bound ``c`` the output approaches.
    """

    def __init__(self, clip: float = 3.0) -> None:
        self.clip = clip

    def fit(self, X: Any, y: Any = None) -> SmoothClip:
        if not (np.isfinite(self.clip) and self.clip > 0):
            raise ValueError(
                f"The 'clip' parameter of SmoothClip must be a finite positive number. "
                f"Got {self.clip!r} instead."
            )
        super().fit(X, y)
        return self

    def _apply(self, values: np.ndarray) -> np.ndarray:
        c = float(self.clip)
        # x / sqrt(1 + (x/c)^2) == c * x / hypot(c, x); hypot never overflows.
        return c * (values / np.hypot(c, values))


class Winsorizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Clip each column to its fitted lower and upper quantiles (winsorizing).

    Parameters
    ----------
    lower : float, default=0.01
    upper : float, default=0.99
        Quantiles (fractions in [0, 1]) learned in `fit` from the non-missing values.
    """

    def __init__(self, lower: float = 0.01, upper: float = 0.99) -> None:
        self.lower = lower
        self.upper = upper

    def fit(self, X: Any, y: Any = None) -> Winsorizer:
        if not 0.0 <= self.lower < self.upper <= 1.0:
            raise ValueError(
                "The 'lower' and 'upper' parameters of Winsorizer must satisfy "
                f"0 <= lower < upper <= 1. Got lower={self.lower!r}, upper={self.upper!r}."
            )
        values = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64)
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # all-NaN columns: bounds stay NaN
                self.low_ = np.nanquantile(values, self.lower, axis=0)
                self.high_ = np.nanquantile(values, self.upper, axis=0)
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "low_")
        values = validate_data(
            self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64, copy=True
        )
        low = np.where(np.isnan(self.low_), -np.inf, self.low_)
        high = np.where(np.isnan(self.high_), np.inf, self.high_)
        return np.clip(values, low, high)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
