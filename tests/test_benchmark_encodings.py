"""The quality harness's numeric encodings against their published definitions.

PLE: Gorishniy et al. 2022, eq. 1 (with rtdl_num_embeddings' unclipped outer sides) and
its quantile bins; PBLD: pytabkit's ``PLREmbeddingsLayerCosBias`` with RealMLP-TD's
defaults. Each is written here once more from the definition, loop by loop, and the
harness's code (numpy, and the packed TensorFlow reference) must agree with it.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import reference
import reference_encodings as enc


def _ple_by_definition(x: float, edges: np.ndarray) -> list[float]:
    t_bins = len(edges) - 1
    out = []
    for t in range(1, t_bins + 1):
        left, right = edges[t - 1], edges[t]
        ratio = (x - left) / (right - left)
        if t_bins == 1:
            out.append(ratio)  # one bin: min-max scaling, never clipped
        elif x < left and t > 1:
            out.append(0.0)
        elif x >= right and t < t_bins:
            out.append(1.0)
        else:
            out.append(ratio)  # the first bin below b_0 and the last above b_T unclipped
    return out


def test_ple_matches_the_papers_definition_inside_and_outside_the_training_range():
    rng = np.random.default_rng(0)
    train = rng.lognormal(size=500)
    edges = enc.quantile_edges(train, 8)
    assert len(edges) == 9 and edges[0] == train.min() and edges[-1] == train.max()
    probe = np.concatenate([rng.lognormal(size=50), [-3.0, train.min(), train.max(), 40.0]])
    ours = enc.ple(probe, edges)
    expected = np.array([_ple_by_definition(v, edges) for v in probe])
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)
    assert ours[-4, 0] < 0 and ours[-1, -1] > 1  # outside the range: the outer bins move


def test_ple_bins_are_the_training_quantiles_with_repeats_removed():
    # Quantiles at linspace(0, 1, bins + 1), interpolated linearly (torch.quantile's
    # default), then unique: three distinct values give at most two bins.
    values = np.array([0.0] * 50 + [1.0] * 30 + [5.0] * 20)
    edges = enc.quantile_edges(values, 48)
    assert set(edges) <= {0.0, 1.0, 5.0} | set(np.quantile(values, np.linspace(0, 1, 49)))
    np.testing.assert_array_equal(edges, np.unique(np.quantile(values, np.linspace(0, 1, 49))))
    one_bin = enc.quantile_edges(np.array([0.0, 1.0] * 10), 1)
    np.testing.assert_allclose(enc.ple(np.array([-1.0, 0.5, 2.0]), one_bin)[:, 0], [-1, 0.5, 2])
    constant = enc.quantile_edges(np.full(10, 3.0), 48)
    assert np.isfinite(enc.ple(np.array([3.0, 4.0]), constant)).all()


def test_the_transformer_encodes_the_numbers_and_passes_the_indicators_through():
    rng = np.random.default_rng(1)
    numbers = rng.normal(size=(200, 2))
    indicator = (rng.random((200, 1)) < 0.2).astype(float)
    matrix = np.hstack([numbers, indicator])
    encoder = enc.PiecewiseLinear(encoded=2, bins=10).fit(matrix)
    out = encoder.transform(matrix)
    assert out.shape == (200, 21)
    np.testing.assert_allclose(out[:, :10], enc.ple(numbers[:, 0], encoder.edges_[0]))
    np.testing.assert_array_equal(out[:, -1], indicator[:, 0])


def _pbld_by_definition(x: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    rows, features = x.shape
    out = np.zeros((rows, 3 * features + features))
    for r in range(rows):
        for f in range(features):
            hidden = [math.cos(2 * math.pi * p["w1"][f, h] * x[r, f] + p["b1"][f, h])
                      for h in range(16)]  # fmt: skip
            for o in range(3):
                value = sum(hidden[h] * p["w2"][f, h, o] for h in range(16)) + p["b2"][f, o]
                out[r, 3 * f + o] = value
        out[r, 3 * features :] = x[r]  # the DenseNet connection: the numbers themselves
    return out


def test_pbld_matches_pytabkits_definition_and_defaults():
    assert (enc.PERIODIC_FREQUENCIES, enc.PERIODIC_OUTPUTS, enc.PERIODIC_SIGMA) == (16, 4, 0.1)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(7, 3))
    p = enc.periodic_init(3, seed=5)
    np.testing.assert_allclose(enc.periodic(x, p), _pbld_by_definition(x, p), atol=1e-5)
    big = enc.periodic_init(400, seed=0)
    assert abs(big["w1"].std() - 0.1) < 0.005
    assert np.abs(big["b1"]).max() <= math.pi and big["b1"].std() > 1.7  # U(-pi, pi)
    assert np.abs(big["w2"]).max() <= 0.25 and np.abs(big["b2"]).max() <= 0.25


@pytest.mark.slow
def test_the_packed_reference_embeds_each_slots_numbers_as_pbld_does():
    import reference_mlp

    tf = reference_mlp.import_tf()
    packed = reference_mlp.PackedReference(
        task="regression", n_outputs=1, norm="none", width=8, depth=1, learning_rate=1e-3,
        batch_size=8, max_steps=0, eval_every=1, patience=1, threads=1, encoding="periodic",
    )  # fmt: skip
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 2, 4)).astype(np.float32)  # rows, 2 slots, 4 inputs
    params = {k: tf.constant(v) for k, v in packed._init(2, 4, seed=9, n=3).items()}
    mask = tf.constant([[1, 1, 1], [1, 1, 0]], dtype=tf.float32)  # slot 2 embeds 2 columns
    out = packed._embed(params, mask, tf.constant(x)).numpy()
    p = enc.periodic_init(3, seed=9)
    first = np.hstack([enc.periodic(x[:, 0, :3], p)[:, :9], x[:, 0]])
    np.testing.assert_allclose(out[:, 0], first, atol=1e-5)
    two = {k: v[:2] for k, v in p.items()}
    np.testing.assert_allclose(out[:, 1, :6], enc.periodic(x[:, 1, :2], two)[:, :6], atol=1e-5)
    np.testing.assert_array_equal(out[:, 1, 6:9], 0.0)  # the column slot 2 does not embed
    np.testing.assert_array_equal(out[:, 1, 9:], x[:, 1])


@pytest.mark.slow
def test_both_encoded_strategies_train_and_a_periodic_slot_is_independent(tmp_path):
    from test_benchmark_quality import _toy_folder

    settings = reference.Reference(max_steps=300, eval_every=50)
    fold = reference.dataset_folds(_toy_folder(tmp_path), settings)[0]
    periodic = reference.prepare_fixed(reference.STRATEGIES["realmlp+periodic"], fold)
    assert (periodic.encoding, periodic.embedded) == ("periodic", 3)
    ple = reference.prepare_fixed(reference.STRATEGIES["quantile+PLE"], fold)
    plain = reference.prepare_fixed(reference.STRATEGIES["realmlp"], fold)
    together = reference.train_and_score(fold, [plain, periodic, ple], settings)
    assert all(score["accuracy"] > 0.85 for score in together)
    alone = reference.train_and_score(fold, [periodic], settings)[0]
    assert alone == together[1]
    assert reference.train_and_score(fold, [plain], settings)[0] == together[0]
