"""The target: class labels for classification, a reversible transform for regression."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from advisor.vocab import TARGET_METHODS


class TargetTransformer(TransformerMixin, BaseEstimator):
    """Scale a regression target for training and map predictions back.

    Parameters
    ----------
    method : {"standard", "log1p_standard"}, default="standard"
        ``standard``: z-score. ``log1p_standard``: ``sign(y) * log1p(|y|)`` then z-score
        (equal to log1p for the non-negative targets the rules propose it for).

    Examples
    --------
    >>> import numpy as np
    >>> t = TargetTransformer("log1p_standard").fit(np.array([1.0, 10.0, 100.0]))
    >>> np.allclose(t.inverse_transform(t.transform(np.array([5.0]))), [5.0])
    True
    """

    def __init__(self, method: str = "standard") -> None:
        self.method = method

    def fit(self, y: Any, X: Any = None) -> TargetTransformer:
        if self.method not in TARGET_METHODS:
            raise ValueError(
                f"The 'method' parameter of TargetTransformer must be one of "
                f"{TARGET_METHODS}. Got {self.method!r} instead."
            )
        values = self._forward(_as_1d(y))
        self.mean_ = float(np.mean(values))
        std = float(np.std(values))
        self.scale_ = std if std > 0 and np.isfinite(std) else 1.0
        return self

    def transform(self, y: Any) -> np.ndarray:
        check_is_fitted(self, "mean_")
        return (self._forward(_as_1d(y)) - self.mean_) / self.scale_

    def inverse_transform(self, z: Any) -> np.ndarray:
        check_is_fitted(self, "mean_")
        values = np.asarray(z, dtype=np.float64).reshape(-1) * self.scale_ + self.mean_
        if self.method == "log1p_standard":
            with np.errstate(over="ignore"):
                values = np.sign(values) * np.expm1(np.abs(values))
        return values

    def _forward(self, y: np.ndarray) -> np.ndarray:
        if self.method == "log1p_standard":
            return np.sign(y) * np.log1p(np.abs(y))
        return y


def _as_1d(y: Any) -> np.ndarray:
    return np.asarray(y, dtype=np.float64).reshape(-1)


class LabelCodec:
    """Class labels <-> integer codes 0..C-1, labels kept in sorted order."""

    def __init__(self, classes: list[Any]) -> None:
        self.classes = list(classes)
        self._index = {label: i for i, label in enumerate(self.classes)}

    @classmethod
    def fit(cls, y: Any) -> LabelCodec:
        values = list(np.asarray(y, dtype=object).reshape(-1))
        labels = sorted(set(values), key=lambda v: (str(type(v)), v))
        return cls([_plain(v) for v in labels])

    def encode(self, y: Any) -> np.ndarray:
        values = [_plain(v) for v in np.asarray(y, dtype=object).reshape(-1)]
        try:
            return np.asarray([self._index[v] for v in values], dtype=np.int64)
        except KeyError as exc:
            raise ValueError(f"unknown class label {exc.args[0]!r}") from None

    def decode(self, codes: Any) -> np.ndarray:
        return np.asarray(
            [self.classes[int(c)] for c in np.asarray(codes).reshape(-1)], dtype=object
        )


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars, so labels survive a JSON round trip."""
    if isinstance(value, np.generic):
        return value.item()
    return value
