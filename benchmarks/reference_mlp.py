"""The quality benchmark's reference MLP, trained for several strategies at once.

Every strategy of one fold is scored with the same fixed MLP (``depth`` x Dense(``width``)
-> normalization -> ReLU, then a linear output; Adam; early stopping on a validation split
of the training part, restoring the best weights). Training K strategies one Keras ``fit``
after another spends most of its time on per-step overhead, so this module trains them as
one *packed* model: slot k holds strategy k's inputs, weights, normalization statistics and
optimizer state, and gradients never cross slots. A slot does not compute exactly what a
separate MLP would, though: the floating-point summation order follows the pack's shape
(its number of slots and its width, the widest slot's), and the first layer's initial
weights are drawn at that width, so a narrower slot starts from other weights than it would
alone. On a small table such differences grow over training into several per cent of RMSE
(one matrix scored 1.29 alone, 1.21 in a pack of four or five and 1.45 in a pack of ten on
a fold of meats: docs/history.md, "A second source of noise: the pack"). All slots see
the same mini-batches (the same rows, in the same order), start from the same initial
weights (drawn from the fold's seed) and stop early each on its own validation loss.
Plain TensorFlow, no Keras model and nothing from the advisor.

With ``encoding="periodic"`` every slot's first ``Slot.embedded`` input columns (its scaled
numbers) go through PBLD periodic embeddings (`reference_encodings`) before the first
layer; the embedding's parameters are the slot's own and learned with the rest. The
piecewise-linear encoding needs nothing here: it is a fitted transformer of the inputs.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from reference_encodings import PERIODIC_OUTPUTS, periodic_init

BN_MOMENTUM = 0.99  # Keras' defaults for BatchNormalization and LayerNormalization
BN_EPSILON = 1e-3
LN_EPSILON = 1e-3
ADAM = (0.9, 0.999, 1e-7)  # beta_1, beta_2, epsilon (Keras' defaults)
ROW_BLOCK = 1024


def import_tf() -> Any:
    for key, value in (("TF_CPP_MIN_LOG_LEVEL", "3"), ("TF_ENABLE_ONEDNN_OPTS", "0")):
        os.environ.setdefault(key, value)
    import tensorflow as tf

    return tf


@dataclass(frozen=True)
class Slot:
    """One strategy's data for the packed fit: inputs of the fitting, validation and test
    rows (the same rows for every slot), and its target for the fitting and validation rows
    (class codes, or a transformed regression target)."""

    x_fit: np.ndarray
    x_val: np.ndarray
    x_test: np.ndarray
    y_fit: np.ndarray
    y_val: np.ndarray
    embedded: int = 0  # leading columns that a periodic encoding embeds


def _pad(blocks: list[np.ndarray], width: int) -> np.ndarray:
    """(rows, K, width) float32: each block padded with zero columns (its slot's weights
    for those inputs never see a non-zero value, so they change nothing)."""
    out = np.zeros((blocks[0].shape[0], len(blocks), width), dtype=np.float32)
    for k, block in enumerate(blocks):
        out[:, k, : block.shape[1]] = block
    return out


class PackedReference:
    """Trains K copies of the reference MLP side by side and predicts the test rows."""

    def __init__(
        self,
        *,
        task: str,
        n_outputs: int,
        norm: str,
        width: int,
        depth: int,
        learning_rate: float,
        batch_size: int,
        max_steps: int,
        eval_every: int,
        patience: int,
        threads: int,
        encoding: str = "none",
    ) -> None:
        if encoding not in ("none", "periodic"):
            raise ValueError(f"unknown network encoding {encoding!r}")
        self.tf = import_tf()
        try:
            self.tf.config.threading.set_intra_op_parallelism_threads(threads)
            self.tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:  # already initialized in this process
            pass
        self.task, self.n_outputs, self.norm = task, n_outputs, norm
        self.width, self.depth, self.lr = width, depth, learning_rate
        self.batch_size, self.max_steps = batch_size, max_steps
        self.eval_every, self.patience = eval_every, patience
        self.encoding = encoding

    # ------------------------------------------------------------------ parameters

    def _init(self, k: int, d: int, seed: int, n: int = 0) -> dict[str, np.ndarray]:
        """Glorot-uniform kernels from the fold's seed (the same draw in every slot), zero
        biases, unit gammas; BatchNorm's moving mean 0 and variance 1. With a periodic
        encoding of ``n`` columns, its parameters from their own generator of the same
        seed, and a first layer wide enough for the embeddings."""
        rng = np.random.default_rng(seed)
        params: dict[str, np.ndarray] = {}
        sizes = [d + (PERIODIC_OUTPUTS - 1) * n] + [self.width] * self.depth
        for i in range(self.depth):
            fan_in, fan_out = sizes[i], sizes[i + 1]
            limit = math.sqrt(6.0 / (fan_in + fan_out))
            kernel = rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)
            params[f"w{i}"] = np.repeat(kernel[np.newaxis], k, axis=0)
            if self.norm == "none":
                params[f"b{i}"] = np.zeros((k, fan_out), np.float32)
            else:
                params[f"g{i}"] = np.ones((k, fan_out), np.float32)
                params[f"beta{i}"] = np.zeros((k, fan_out), np.float32)
        out = self.n_outputs if self.task == "classification" else 1
        limit = math.sqrt(6.0 / (self.width + out))
        head = rng.uniform(-limit, limit, (self.width, out)).astype(np.float32)
        params["w_out"] = np.repeat(head[np.newaxis], k, axis=0)
        params["b_out"] = np.zeros((k, out), np.float32)
        if self.encoding == "periodic":
            for name, value in periodic_init(n, seed).items():
                params[f"p_{name}"] = np.repeat(value[np.newaxis], k, axis=0)
        return params

    def _moving(self, k: int, n: int = 0) -> dict[str, np.ndarray]:
        """BatchNorm's statistics; with a periodic encoding, which of the first ``n``
        columns each slot embeds (set by `fit_predict`, never trained)."""
        stats: dict[str, np.ndarray] = {}
        if self.encoding == "periodic":
            stats["embed_mask"] = np.ones((k, n), np.float32)
        if self.norm != "batch":
            return stats
        for i in range(self.depth):
            stats[f"mean{i}"] = np.zeros((k, self.width), np.float32)
            stats[f"var{i}"] = np.ones((k, self.width), np.float32)
        return stats

    # ------------------------------------------------------------------ the network

    def _embed(self, p: dict[str, Any], mask: Any, x: Any) -> Any:
        """PBLD on the first n columns of (rows, K, d): (rows, K, 3n + d), every slot's
        embeddings of the columns it does not embed zeroed by its mask (K, n)."""
        tf = self.tf
        n = p["p_w1"].shape[1]
        xe = x[:, :, :n, tf.newaxis]
        z = tf.cos(2.0 * math.pi * xe * p["p_w1"] + p["p_b1"])
        e = tf.einsum("bknh,knho->bkno", z, p["p_w2"]) + p["p_b2"]
        e = e * mask[:, :, tf.newaxis]
        flat = tf.reshape(e, [-1, e.shape[1], n * (PERIODIC_OUTPUTS - 1)])
        return tf.concat([flat, x], axis=2)

    def _forward(self, p: dict[str, Any], m: dict[str, Any], x: Any, training: bool) -> Any:
        """(rows, K, d) -> (rows, K, outputs), and the batch statistics when training."""
        tf = self.tf
        z = self._embed(p, m["embed_mask"], x) if self.encoding == "periodic" else x
        batch_stats = {}
        for i in range(self.depth):
            z = tf.einsum("bkd,kdh->bkh", z, p[f"w{i}"])
            if self.norm == "none":
                z = z + p[f"b{i}"]
            elif self.norm == "batch":
                if training:
                    mean, var = tf.nn.moments(z, axes=[0])
                    batch_stats[f"mean{i}"], batch_stats[f"var{i}"] = mean, var
                else:
                    mean, var = m[f"mean{i}"], m[f"var{i}"]
                z = (z - mean) * tf.math.rsqrt(var + BN_EPSILON) * p[f"g{i}"] + p[f"beta{i}"]
            elif self.norm == "layer":
                mean, var = tf.nn.moments(z, axes=[2], keepdims=True)
                z = (z - mean) * tf.math.rsqrt(var + LN_EPSILON) * p[f"g{i}"] + p[f"beta{i}"]
            else:
                raise ValueError(f"unknown normalization {self.norm!r}")
            z = tf.nn.relu(z)
        out = tf.einsum("bkh,kho->bko", z, p["w_out"]) + p["b_out"]
        return out, batch_stats

    def _losses(self, out: Any, y: Any) -> Any:
        """Mean loss per slot: (K,)."""
        tf = self.tf
        if self.task == "classification":
            per = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=out)
            return tf.reduce_mean(per, axis=0)
        return tf.reduce_mean(tf.square(out[..., 0] - y), axis=0)

    # ------------------------------------------------------------------ training

    def _compiled(self, k: int, d: int, n: int) -> _Compiled:
        key = (self.task, self.n_outputs, self.norm, self.width, self.depth, self.lr,
               self.batch_size, self.eval_every, k, d, self.encoding, n)  # fmt: skip
        if key not in _COMPILED:
            if len(_COMPILED) >= 32:
                _COMPILED.pop(next(iter(_COMPILED)))
            _COMPILED[key] = _Compiled(self, k, d, n)
        return _COMPILED[key]

    def fit_predict(self, slots: list[Slot], seed: int) -> list[np.ndarray]:
        """Train every slot; each slot's test outputs (logits, or the regression output)
        from its best weights by validation loss."""
        tf = self.tf
        k = len(slots)
        d = max(s.x_fit.shape[1] for s in slots)
        n = max(s.embedded for s in slots) if self.encoding == "periodic" else 0
        net = self._compiled(k, d, n)
        dtype = np.int32 if self.task == "classification" else np.float32
        # The training rows padded to a multiple of ROW_BLOCK (the batches never pick the
        # padding): folds of one table share a shape, so XLA compiles the epoch once.
        n_fit = slots[0].x_fit.shape[0]
        rows = -(-n_fit // ROW_BLOCK) * ROW_BLOCK
        fit_x = np.zeros((rows, k, d), dtype=np.float32)
        fit_x[:n_fit] = _pad([s.x_fit for s in slots], d)
        fit_y = np.zeros((rows, k), dtype=dtype)
        fit_y[:n_fit] = np.stack([s.y_fit for s in slots], axis=1).astype(dtype)
        x_fit, y_fit = tf.constant(fit_x), tf.constant(fit_y)
        x_val = tf.constant(_pad([s.x_val for s in slots], d))
        x_test = tf.constant(_pad([s.x_test for s in slots], d))
        y_val = tf.constant(np.stack([s.y_val for s in slots], axis=1).astype(dtype))
        moving = self._moving(k, n)
        if n:
            embedded = np.array([s.embedded for s in slots])
            moving["embed_mask"] = (np.arange(n)[None, :] < embedded[:, None]).astype(np.float32)
        net.reset({**self._init(k, d, seed, n), **moving})
        rng = np.random.default_rng(seed)
        stream = np.empty(0, dtype=np.int32)
        best = np.full(k, np.inf)
        waited = np.zeros(k, dtype=int)
        stopped = np.zeros(k, dtype=bool)
        snapshot = net.values()
        need = self.eval_every * self.batch_size
        for _ in range(self.max_steps // self.eval_every):
            while stream.size < need:  # shuffled passes over the rows, as repeat + shuffle
                stream = np.concatenate([stream, rng.permutation(n_fit).astype(np.int32)])
            batches, stream = stream[:need], stream[need:]
            net.run_period(x_fit, y_fit, tf.constant(batches.reshape(self.eval_every, -1)))
            losses = net.evaluate(x_val, y_val).numpy().astype(np.float64)
            losses = np.where(np.isfinite(losses), losses, np.inf)
            improved = (losses < best) & ~stopped
            if improved.any():
                current = net.values()
                for name in snapshot:
                    snapshot[name][improved] = current[name][improved]
                best[improved] = losses[improved]
            waited = np.where(improved, 0, waited + 1)
            stopped |= waited >= self.patience
            if stopped.all():
                break
        net.reset(snapshot, optimizer=False)
        result = net.predict(x_test).numpy()
        return [result[:, j, :] for j in range(k)]


class _Compiled:
    """The variables and traced functions of one packed shape, reused across folds and
    datasets of that shape (tracing costs a second or two each time)."""

    def __init__(self, ref: PackedReference, k: int, d: int, n: int) -> None:
        tf = ref.tf
        self.tf = tf
        init = ref._init(k, d, 0, n)
        self.params = {n: tf.Variable(v) for n, v in init.items()}
        self.moving = {n: tf.Variable(v) for n, v in ref._moving(k, n).items()}
        self.m = {n: tf.Variable(tf.zeros_like(v)) for n, v in self.params.items()}
        self.v = {n: tf.Variable(tf.zeros_like(v)) for n, v in self.params.items()}
        self.step = tf.Variable(0.0)
        beta_1, beta_2, eps = ADAM
        lr = ref.lr
        params, moving, m, v, step = self.params, self.moving, self.m, self.v, self.step
        ydtype = tf.int32 if ref.task == "classification" else tf.float32
        x_spec = tf.TensorSpec([None, k, d], tf.float32)
        y_spec = tf.TensorSpec([None, k], ydtype)

        @tf.function(
            input_signature=[x_spec, y_spec, tf.TensorSpec([None, None], tf.int32)],
            jit_compile=True,
        )
        def run_period(x_fit: Any, y_fit: Any, batches: Any) -> None:
            for b in tf.range(tf.shape(batches)[0]):
                rows = batches[b]
                xb = tf.gather(x_fit, rows)
                yb = tf.gather(y_fit, rows)
                with tf.GradientTape() as tape:
                    out, stats = ref._forward(params, moving, xb, training=True)
                    loss = tf.reduce_sum(ref._losses(out, yb))
                names = list(params)
                grads = tape.gradient(loss, [params[n] for n in names])
                step.assign_add(1.0)
                scale = lr * tf.sqrt(1.0 - beta_2**step) / (1.0 - beta_1**step)
                for n, g in zip(names, grads, strict=True):
                    m[n].assign(beta_1 * m[n] + (1.0 - beta_1) * g)
                    v[n].assign(beta_2 * v[n] + (1.0 - beta_2) * tf.square(g))
                    params[n].assign_sub(scale * m[n] / (tf.sqrt(v[n]) + eps))
                for n, value in stats.items():
                    moving[n].assign(BN_MOMENTUM * moving[n] + (1.0 - BN_MOMENTUM) * value)

        @tf.function(input_signature=[x_spec, y_spec])
        def evaluate(x: Any, y: Any) -> Any:
            out, _ = ref._forward(params, moving, x, training=False)
            return ref._losses(out, y)

        @tf.function(input_signature=[x_spec])
        def predict(x: Any) -> Any:
            return ref._forward(params, moving, x, training=False)[0]

        self.run_period, self.evaluate, self.predict = run_period, evaluate, predict

    def reset(self, values: dict[str, np.ndarray], optimizer: bool = True) -> None:
        for n, value in values.items():
            (self.params[n] if n in self.params else self.moving[n]).assign(value)
        if optimizer:
            for n in self.params:
                self.m[n].assign(self.tf.zeros_like(self.m[n]))
                self.v[n].assign(self.tf.zeros_like(self.v[n]))
            self.step.assign(0.0)

    def values(self) -> dict[str, np.ndarray]:
        return {n: var.numpy().copy() for n, var in {**self.params, **self.moving}.items()}


_COMPILED: dict[tuple[Any, ...], _Compiled] = {}
