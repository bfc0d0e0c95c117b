"""Numeric encodings: what a number becomes before the network's first layer.

Two published treatments, each a candidate of the search beside the scalers
(`advisor.vocab.Encoding`):

* ``"ple"``: piecewise-linear encoding in quantile bins (Gorishniy, Rubachev and Babenko,
  "On Embeddings for Numerical Features in Tabular Deep Learning", NeurIPS 2022, eq. 1;
  ``rtdl_num_embeddings``' ``compute_bins`` and ``PiecewiseLinearEncoding``). A column
  with bin edges ``b_0 < ... < b_T`` becomes ``T`` inputs; input ``t`` is
  ``(x - b_{t-1}) / (b_t - b_{t-1})`` clipped to [0, 1], except that the first is only
  clipped above and the last only below, and a single bin is not clipped. The edges are
  the training values' quantiles at ``linspace(0, 1, bins + 1)`` with repeats removed,
  fitted like a scaler (`advisor.plan.pipeline.PlanTransformer` applies it to the scaled,
  imputed numbers). The bin count of each column is the rules' (`ple_bins`).
* ``"periodic"``: PBLD periodic embeddings (RealMLP-TD's default numeric embedding;
  Holzmüller, Grinsztajn and Steinwart, "Better by Default", NeurIPS 2024; pytabkit's
  ``PLREmbeddingsLayerCosBias`` with ``plr_sigma=0.1, plr_hidden_1=16, plr_hidden_2=4``).
  Learned with the network: `advisor.network.embeddings`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: rtdl_num_embeddings' ``compute_bins`` default (and TabM's).
MAX_BINS = 48
#: The encoded numbers of one table stay under this many inputs: wider, every column's
#: bins shrink in proportion (never under `MIN_BINS`), so that a table of 200 numbers
#: does not hand the first layer 9,600 inputs.
MAX_ENCODED_INPUTS = 2048
MIN_BINS = 4
#: A column with fewer distinct values is not encoded: two values make one bin, which is
#: min-max scaling, what the scaler already did.
MIN_DISTINCT = 3


def ple_bins(distinct: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """The bin count of each numeric column (in the given order) from its distinct values:
    at most one bin between consecutive distinct values and at most `MAX_BINS`; columns
    with fewer than `MIN_DISTINCT` values are left out (not encoded)."""
    wanted = {c: min(MAX_BINS, n - 1) for c, n in distinct.items() if n >= MIN_DISTINCT}
    total = sum(wanted.values())
    if total > MAX_ENCODED_INPUTS:
        share = MAX_ENCODED_INPUTS / total
        wanted = {c: max(min(n, MIN_BINS), int(n * share)) for c, n in wanted.items()}
    return tuple(wanted.items())


def quantile_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """One column's bin edges from its finite training values (linear interpolation, as
    ``torch.quantile``), repeats removed; a constant column gets one bin of width one."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.array([0.0, 1.0])
    edges = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, bins + 1)))
    if edges.size < 2:
        edges = np.array([edges[0], edges[0] + 1.0])
    return np.asarray(edges, dtype=np.float64)


def ple(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """(rows,) -> (rows, len(edges) - 1): the piecewise-linear encoding of one column."""
    width = np.diff(edges)
    z = (values[:, np.newaxis] - edges[np.newaxis, :-1]) / width[np.newaxis, :]
    if z.shape[1] == 1:
        return z
    z[:, 1:-1] = np.clip(z[:, 1:-1], 0.0, 1.0)
    z[:, 0] = np.minimum(z[:, 0], 1.0)
    z[:, -1] = np.maximum(z[:, -1], 0.0)
    return z
