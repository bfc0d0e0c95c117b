"""The streaming profile's row sample: seeded, uniform, and the same rows however the data
is batched or split into partitions that merge."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from advisor.io.rowkeys import row_keys
from advisor.profiling.sketch import RowSample


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    rng = np.random.default_rng(2)
    block = rng.lognormal(0, 1, (60_000, 4))
    block[::50, 1] = np.nan
    block[::7, 2] = 0.0
    return block


def _one_pass(data: np.ndarray, size: int, seed: int, batch: int) -> np.ndarray:
    sample = RowSample(data.shape[1], size, seed)
    for start in range(0, len(data), batch):
        sample.update(data[start : start + batch])
    return sample.sample


def test_same_rows_whatever_the_batches_and_the_partitions(data):
    whole = _one_pass(data, 5000, seed=3, batch=60_000)
    assert whole.shape == (5000, 4)
    assert np.array_equal(_one_pass(data, 5000, seed=3, batch=777), whole, equal_nan=True)
    bounds = [0, 1, 9000, 9001, 30_000, 59_999, 60_000]
    samples = []
    for lo, hi in itertools.pairwise(bounds):
        part = RowSample(4, 5000, seed=3)
        part.update(data[lo:hi], start=lo)
        samples.append(part)
    merged = samples[0]
    for later in samples[1:]:
        merged.merge(later)
    assert merged.seen == len(data)
    assert np.array_equal(merged.sample, whole, equal_nan=True)


def test_a_frequent_value_keeps_its_share_of_the_sample():
    rng = np.random.default_rng(8)
    values = np.where(rng.random(200_000) < 0.3, 0.0, rng.normal(5, 1, 200_000))[:, None]
    kept = _one_pass(values, 10_000, seed=0, batch=50_000)[:, 0]
    assert abs(np.mean(kept == 0.0) - 0.3) < 0.02


def test_another_seed_gives_another_sample_and_fewer_rows_than_the_size_keeps_all(data):
    assert not np.array_equal(_one_pass(data, 5000, 3, 60_000), _one_pass(data, 5000, 4, 60_000))
    small = _one_pass(data[:100], 5000, 3, 64)
    assert small.shape == (100, 4)
    assert np.allclose(np.sort(small[:, 0]), np.sort(data[:100, 0]))


def test_the_sample_is_uniform_over_the_rows():
    index = np.arange(200_000, dtype=np.float64)[:, None]
    kept = _one_pass(index, 20_000, seed=1, batch=10_000)[:, 0] / 200_000
    # Kolmogorov-Smirnov against the uniform: 1.63 / sqrt(n) is the 1% critical value.
    grid = np.sort(kept)
    ks = np.max(np.abs(grid - (np.arange(1, grid.size + 1) / grid.size)))
    assert ks < 1.63 / np.sqrt(grid.size)


def test_keys_are_distinct_and_follow_the_seed():
    keys = row_keys(0, 100_000, 5)
    assert np.unique(keys).size == keys.size
    assert np.array_equal(row_keys(500, 10, 5), keys[500:510])
    assert not np.array_equal(row_keys(0, 10, 6), keys[:10])


def test_samples_of_another_seed_or_size_do_not_merge():
    with pytest.raises(ValueError, match="same seed and size"):
        RowSample(2, 10, 0).merge(RowSample(2, 10, 1))
