"""The quality benchmark's own numeric encodings, independent of the advisor.

Two published treatments of a number before the first layer of an MLP:

* **PLE**, piecewise-linear encoding with quantile bins (Gorishniy, Rubachev and Babenko,
  "On Embeddings for Numerical Features in Tabular Deep Learning", NeurIPS 2022, eq. 1 and
  section 3.2.1; the reference implementation is ``rtdl_num_embeddings``: ``compute_bins``
  and ``PiecewiseLinearEncoding``). A feature with bin edges ``b_0 < ... < b_T`` becomes
  ``T`` values: component ``t`` is ``(x - b_{t-1}) / (b_t - b_{t-1})`` clipped to [0, 1],
  except that the first is only clipped above and the last only below (values outside the
  training range still move the encoding), and a feature with a single bin is not clipped
  at all. The edges are the training values' quantiles at ``linspace(0, 1, bins + 1)``,
  repeated edges removed (so a feature with few distinct values gets fewer bins). TabM's
  recommended numeric path (Gorishniy et al. 2025) puts quantile-normal scaling before it.
  Here it is a fitted scikit-learn transformer: the bins are fitted on the training part
  like a scaler, and the MLP takes the encoding as its input.
* **PBLD**, periodic embeddings with a bias, a linear layer and a "DenseNet" connection:
  RealMLP-TD's default numeric embedding (Holzmüller, Grinsztajn and Steinwart, "Better
  by Default: Strong Pre-Tuned MLPs and Boosted Trees on Tabular Data", NeurIPS 2024;
  pytabkit's ``DefaultParams.RealMLP_TD_CLASS``/``_REG``: ``num_emb_type='pbld'``,
  ``plr_sigma=0.1``, ``plr_hidden_1=16``, ``plr_hidden_2=4``, ``plr_lr_factor=0.1``, and
  ``PLREmbeddingsLayerCosBias`` in ``pytabkit/models/nn_models/nn.py``). Each numeric
  feature ``x`` becomes ``cos(2 pi w x + b) @ W + c`` (16 frequencies ``w ~ N(0, 0.1^2)``,
  phases ``b ~ U(-pi, pi)``, a linear map to 3 values with weights and biases
  ``~ U(-1/4, 1/4)``), and ``x`` itself is appended: 4 values per feature. The
  parameters are learned with the network (`reference_mlp.PackedReference`). RealMLP
  trains them at 0.1 times its base rate of 0.04 (classification), i.e. 4e-3; the
  reference MLP trains every weight with Adam at 1e-3, and so these too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

#: rtdl_num_embeddings' ``compute_bins`` default.
PLE_BINS = 48
#: pytabkit RealMLP-TD: plr_hidden_1, plr_hidden_2 (the appended value included), plr_sigma.
PERIODIC_FREQUENCIES = 16
PERIODIC_OUTPUTS = 4
PERIODIC_SIGMA = 0.1


def quantile_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """One feature's bin edges: the quantiles at ``linspace(0, 1, bins + 1)`` of its finite
    training values (linear interpolation, as ``torch.quantile``), repeats removed."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.array([0.0, 1.0])
    edges = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, bins + 1)))
    if edges.size < 2:  # a constant feature: one bin of width one around it
        edges = np.array([edges[0], edges[0] + 1.0])
    return edges


def ple(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """(rows,) -> (rows, len(edges) - 1): the piecewise-linear encoding of one feature."""
    width = np.diff(edges)
    z = (values[:, None] - edges[None, :-1]) / width[None, :]
    if z.shape[1] == 1:
        return z
    z[:, 1:-1] = np.clip(z[:, 1:-1], 0.0, 1.0)
    z[:, 0] = np.minimum(z[:, 0], 1.0)
    z[:, -1] = np.maximum(z[:, -1], 0.0)
    return z


class PiecewiseLinear(TransformerMixin, BaseEstimator):
    """PLE of the first ``encoded`` columns of a matrix (the scaled numbers); the columns
    after them (missing-value indicators) pass through unchanged. A scikit-learn
    transformer: fit on the training part, the edges then fixed."""

    def __init__(self, encoded: int, bins: int = PLE_BINS) -> None:
        self.encoded = encoded
        self.bins = bins

    def fit(self, x: Any, y: Any = None) -> PiecewiseLinear:
        matrix = np.asarray(x, dtype=np.float64)
        self.edges_ = [quantile_edges(matrix[:, j], self.bins) for j in range(self.encoded)]
        return self

    def transform(self, x: Any) -> np.ndarray:
        matrix = np.asarray(x, dtype=np.float64)
        blocks = [ple(matrix[:, j], edges) for j, edges in enumerate(self.edges_)]
        return np.hstack([*blocks, matrix[:, self.encoded :]])


def periodic_init(features: int, seed: int) -> dict[str, np.ndarray]:
    """PBLD's initial parameters for ``features`` numbers (float32), drawn from ``seed``:
    frequencies ``w1`` (features, 16), phases ``b1`` (features, 16), the linear map ``w2``
    (features, 16, 3) and its bias ``b2`` (features, 3)."""
    rng = np.random.default_rng(seed)
    h, out = PERIODIC_FREQUENCIES, PERIODIC_OUTPUTS - 1
    limit = 1.0 / np.sqrt(h)
    return {
        "w1": (PERIODIC_SIGMA * rng.standard_normal((features, h))).astype(np.float32),
        "b1": rng.uniform(-np.pi, np.pi, (features, h)).astype(np.float32),
        "w2": rng.uniform(-limit, limit, (features, h, out)).astype(np.float32),
        "b2": rng.uniform(-limit, limit, (features, out)).astype(np.float32),
    }


def periodic(x: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    """(rows, features) -> (rows, 3 * features + features), in numpy: every feature's three
    embedding values (feature-major), then the features themselves (pytabkit's layout)."""
    z = np.cos(2.0 * np.pi * x[:, :, None] * p["w1"][None] + p["b1"][None])
    e = np.einsum("rfh,fho->rfo", z, p["w2"]) + p["b2"][None]
    return np.concatenate([e.reshape(len(x), -1), x], axis=1)
