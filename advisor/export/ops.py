"""The preprocessing ops of an exported plan in Keras ops, computed in float64.

In: an op's description (a dict with an ``op`` name and its per-column parameters: the
catalog entries' `keras_ops` write them, `advisor.export.layers` keeps them in a layer's
config) and a float64 block of columns. Out: the block through the op, as scikit-learn's
fitted scaler would transform it.

Importing this module imports Keras (and TensorFlow).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from advisor.backend import import_keras
from advisor.plan.catalog import QUANTILE_BOUNDS as BOUNDS

ops = import_keras().ops


def apply_op(op: dict[str, Any], x: Any) -> Any:
    name = op["op"]
    if name == "affine":
        return x * _vec(op["factor"]) + _vec(op["offset"])
    if name == "signed_log1p":
        return ops.sign(x) * ops.log1p(ops.abs(x))
    if name == "smooth_clip":
        c = float(op["c"])
        return x / ops.sqrt(1.0 + ops.square(x / c))
    if name == "clip":
        return ops.minimum(ops.maximum(x, _vec(op["low"])), _vec(op["high"]))
    if name == "yeo_johnson":
        return _yeo_johnson(x, np.asarray(op["lambdas"], dtype="float64"))
    if name == "box_cox":
        return _box_cox(x, np.asarray(op["lambdas"], dtype="float64"))
    if name == "quantile_normal":
        return _quantile_normal(x, op)
    raise ValueError(f"unknown preprocessing op {name!r}")


def _vec(values: list[float]) -> Any:
    return ops.convert_to_tensor(np.asarray(values, dtype="float64"))[None, :]


def _yeo_johnson(x: Any, lambdas: np.ndarray) -> Any:
    # scikit-learn's PowerTransformer._yeo_johnson_transform, column-wise lambdas.
    eps = np.spacing(1.0)
    lam = lambdas[None, :]
    pos = ops.greater_equal(x, 0.0)
    xp = ops.where(pos, x, ops.zeros_like(x))
    xn = ops.where(pos, ops.zeros_like(x), -x)
    lam_p = np.where(np.abs(lam) < eps, 1.0, lam)
    pos_out = ops.where(
        ops.convert_to_tensor(np.abs(lam) < eps),
        ops.log1p(xp),
        (ops.power(xp + 1.0, lam_p) - 1.0) / lam_p,
    )
    lam_n = np.where(np.abs(lam - 2.0) < eps, 1.0, 2.0 - lam)
    neg_out = ops.where(
        ops.convert_to_tensor(np.abs(lam - 2.0) < eps),
        -ops.log1p(xn),
        -(ops.power(xn + 1.0, lam_n) - 1.0) / lam_n,
    )
    return ops.where(pos, pos_out, neg_out)


def _interp(x: Any, xp: np.ndarray, fp: np.ndarray) -> Any:
    """``np.interp(x, xp, fp)`` for one column (``xp`` non-decreasing; at a repeated knot,
    the value of its last copy, as numpy's binary search gives)."""
    n = len(xp)
    if n == 1:
        return ops.full_like(x, float(fp[0]))
    j = ops.cast(ops.searchsorted(ops.convert_to_tensor(xp), x, side="right"), "int32") - 1
    j = ops.clip(j, 0, n - 2)
    x0, x1 = ops.take(xp, j), ops.take(xp, j + 1)
    y0, y1 = ops.take(fp, j), ops.take(fp, j + 1)
    dx = x1 - x0
    rising = ops.greater(dx, 0.0)
    slope = ops.where(rising, (y1 - y0) / ops.where(rising, dx, 1.0), 0.0)
    y = y0 + slope * (x - x0)
    y = ops.where(ops.greater_equal(x, float(xp[-1])), float(fp[-1]), y)
    return ops.where(ops.less_equal(x, float(xp[0])), float(fp[0]), y)


def _quantile_normal(x: Any, op: dict[str, Any]) -> Any:
    """scikit-learn's QuantileTransformer(output_distribution="normal").transform, column
    by column: the two-way interpolation over the fitted quantiles (its answer to repeated
    quantiles), the bounds, then the normal quantile function (sqrt(2) erfinv(2u - 1)),
    clipped where scikit-learn clips, all in float64."""
    references = np.asarray(op["references"], dtype="float64")
    columns = []
    for j, quantiles in enumerate(op["quantiles"]):
        q = np.asarray(quantiles, dtype="float64")
        col = x[:, j]
        u = 0.5 * (_interp(col, q, references) - _interp(-col, -q[::-1], -references[::-1]))
        u = ops.where(ops.greater(col + BOUNDS, float(q[-1])), 1.0, u)
        u = ops.where(ops.less(col - BOUNDS, float(q[0])), 0.0, u)
        z = np.sqrt(2.0) * ops.erfinv(2.0 * u - 1.0)
        columns.append(ops.clip(z, float(op["clip_min"]), float(op["clip_max"])))
    return ops.stack(columns, axis=1)


def _box_cox(x: Any, lambdas: np.ndarray) -> Any:
    # scipy.special.boxcox: log(x) at lambda 0, (x**lambda - 1) / lambda otherwise.
    lam = lambdas[None, :]
    zero = np.abs(lam) < 1e-19
    lam_safe = np.where(zero, 1.0, lam)
    positive = ops.greater(x, 0.0)
    safe_x = ops.where(positive, x, ops.ones_like(x))
    out = ops.where(
        ops.convert_to_tensor(zero), ops.log(safe_x), (ops.power(safe_x, lam_safe) - 1.0) / lam_safe
    )
    nan = ops.full_like(x, np.nan)
    return ops.where(positive, out, nan)


def piecewise_linear(x: Any, edges: list[float]) -> Any:
    """One column (batch, 1), float64, as its piecewise-linear encoding in the bins
    ``edges`` (`advisor.plan.encodings.ple`): (batch, len(edges) - 1)."""
    left = np.asarray(edges[:-1], dtype="float64")[None, :]
    width = np.diff(np.asarray(edges, dtype="float64"))[None, :]
    z = (x - left) / width
    bins = len(edges) - 1
    if bins == 1:
        return z
    parts = [ops.minimum(z[:, :1], 1.0)]
    if bins > 2:
        parts.append(ops.clip(z[:, 1:-1], 0.0, 1.0))
    parts.append(ops.maximum(z[:, -1:], 0.0))
    return ops.concatenate(parts, axis=1)
