"""Fast training of a packed model: one compiled epoch function reused for every trial.

Keras' ``fit`` spends about 70 ms per epoch on its data pipeline and callbacks, which on
small tabular data is more than the training itself. A `PackedTrainer` instead compiles
one ``tf.function`` that runs a whole epoch of mini-batch steps (gather, forward,
gradient, Keras optimizer update) and reuses it for every candidate with the same
architecture; between uses it restores the initial weights and the optimizer's fresh
state, so no trial inherits another's weights or momentum.

The slots come in ``groups`` of ``slots // groups`` (one group per candidate, one slot per
fold): each group draws its mini-batches from its own row order, and the summed loss is
divided by the rows and folds of one group, so that every slot's gradient is what it would
be in a model of one group. Adam updates
element by element, so the groups train exactly as they would apart.

With ``KERAS_BACKEND=jax``, `JaxPackedTrainer` does the same with Keras' stateless API: a
``jax.jit``-compiled epoch that scans the mini-batch steps over (trainable, non-trainable,
optimizer) state. `make_trainer` picks the one for the active backend.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from advisor.backend import import_keras
from advisor.network.nets import NetSpec, build_packed_model, initial_weights


class _Packed:
    """What both trainers share: the packed model, its optimizer, and the fresh weights and
    optimizer state every trial starts from."""

    def __init__(self, spec: NetSpec, slots: int, batch_size: int, groups: int = 1) -> None:
        keras = import_keras()
        if slots % groups:
            raise ValueError(f"{slots} slots do not split into {groups} groups")
        self.spec = spec
        self.slots = slots
        self.groups = groups
        self.batch_size = batch_size
        self.model, self.loss = build_packed_model(spec, slots)
        self.optimizer = keras.optimizers.Adam(spec.learning_rate)
        self.optimizer.build(self.model.trainable_variables)
        self.fresh_weights = self.model.get_weights()
        self.fresh_optimizer = [np.array(v.numpy()) for v in self.optimizer.variables]
        self._compile()

    def _compile(self) -> None:
        """Build the backend's compiled epoch and predict functions."""
        raise NotImplementedError


class PackedTrainer(_Packed):
    """Owns one packed Keras model and its compiled epoch and predict functions."""

    def _compile(self) -> None:
        import tensorflow as tf

        slots, groups, batch_size = self.slots, self.groups, self.batch_size

        model, loss, optimizer = self.model, self.loss, self.optimizer
        variables = model.trainable_variables
        folds = slots // groups
        group_index = tf.range(groups)

        def gather(t: Any, rows: Any) -> Any:
            # rows: (groups, batch) -> t's rows per group, (batch, slots, ...).
            shape = tf.shape(t)
            grouped = tf.reshape(t, tf.concat([[shape[0], groups, folds], shape[2:]], 0))
            index = tf.stack(
                [tf.transpose(rows), tf.broadcast_to(group_index, tf.shape(tf.transpose(rows)))],
                axis=-1,
            )
            out = tf.gather_nd(grouped, index)
            return tf.reshape(out, tf.concat([[tf.shape(rows)[1], slots], shape[2:]], 0))

        # Written as the graph it is (autograph off): converting the Python loop cost a
        # third of each trace, and each new shape of network traces once.
        @tf.function(reduce_retracing=True, autograph=False)
        def run_epoch(x: Any, y: Any, order: Any) -> Any:
            # Every row once per epoch, as Keras' fit does: the last batch may be short.
            steps = (tf.shape(order)[1] + batch_size - 1) // batch_size

            def step(index: Any, total: Any) -> Any:
                rows = order[:, index * batch_size : (index + 1) * batch_size]
                xb = gather(x, rows)
                yb = gather(y, rows)
                with tf.GradientTape() as tape:
                    # The mean over one candidate's rows and folds, for every candidate.
                    count = tf.cast(tf.shape(rows)[1] * folds, tf.float32)
                    value = loss(yb, model(xb, training=True)) / count
                gradients = tape.gradient(value, variables)
                optimizer.apply(gradients, variables)
                return index + 1, total + value / float(groups)

            _, total = tf.while_loop(
                lambda index, _total: index < steps, step, (tf.constant(0), tf.constant(0.0))
            )
            return total / tf.cast(tf.maximum(steps, 1), tf.float32)

        @tf.function(reduce_retracing=True)
        def predict(x: Any) -> Any:
            return model(x, training=False)

        self._run_epoch = run_epoch
        self._predict = predict
        self._tf = tf

    def reset(self, seeds: list[int]) -> None:
        """Fresh weights (slot k drawn from ``seeds[k]``) and a fresh optimizer."""
        self.model.set_weights(initial_weights(self.model, self.fresh_weights, seeds))
        for variable, value in zip(self.optimizer.variables, self.fresh_optimizer, strict=True):
            variable.assign(value)

    def load(self, x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        return self._tf.constant(x), self._tf.constant(y)

    def slot_state(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The model's weights (``model.weights`` order) and the optimizer's variables."""
        return self.model.get_weights(), [np.array(v.numpy()) for v in self.optimizer.variables]

    def load_state(self, weights: list[np.ndarray], optimizer: list[np.ndarray]) -> None:
        """Continue from `slot_state` (of a trainer with these slots)."""
        self.model.set_weights(weights)
        for variable, value in zip(self.optimizer.variables, optimizer, strict=True):
            variable.assign(value)

    def epoch(self, x: Any, y: Any, order: np.ndarray) -> float:
        """One pass over ``order`` (a row permutation per group, ``(groups, rows)``) in
        mini-batches; the mean training loss."""
        order = np.asarray(order).reshape(self.groups, -1)
        return float(self._run_epoch(x, y, self._tf.constant(order, dtype=self._tf.int32)))

    def predict(self, x: Any) -> np.ndarray:
        return np.asarray(self._predict(x))


class JaxPackedTrainer(_Packed):
    """`PackedTrainer` for the JAX backend: same interface, same models and initial
    weights, the epoch as one jitted ``lax.scan`` over mini-batches."""

    def _compile(self) -> None:
        import jax
        import jax.numpy as jnp

        model, loss, optimizer = self.model, self.loss, self.optimizer
        slots, groups, batch_size = self.slots, self.groups, self.batch_size
        self._jnp = jnp
        folds = slots // groups
        group_index = jnp.arange(groups)

        def gather(t: Any, rows: Any) -> Any:
            # rows: (..., batch, groups) -> t's rows per group, (..., batch, slots, ...).
            grouped = t.reshape(t.shape[0], groups, folds, *t.shape[2:])
            out = grouped[rows, group_index]
            return out.reshape(*rows.shape[:-1], slots, *t.shape[2:])

        def step(state: Any, batch: Any) -> Any:
            trainable, non_trainable, opt_vars = state
            xb, yb = batch

            def objective(params: Any, fixed: Any) -> Any:
                output, fixed = model.stateless_call(params, fixed, xb, training=True)
                # The mean over one candidate's rows and folds, for every candidate.
                return loss(yb, output) / (xb.shape[0] * folds), fixed

            (value, non_trainable), grads = jax.value_and_grad(objective, has_aux=True)(
                trainable, non_trainable
            )
            value = value / groups
            trainable, opt_vars = optimizer.stateless_apply(opt_vars, grads, trainable)
            return (trainable, non_trainable, opt_vars), value

        @jax.jit
        def run_epoch(state: Any, x: Any, y: Any, order: Any) -> Any:
            # Full batches in one scan, then the short last batch (shapes are static).
            steps, rest = divmod(order.shape[1], batch_size)
            losses = []
            if steps:
                rows = order[:, : steps * batch_size].reshape(groups, steps, batch_size)
                rows = rows.transpose(1, 2, 0)  # (steps, batch, groups)
                state, full = jax.lax.scan(step, state, (gather(x, rows), gather(y, rows)))
                losses.append(full)
            if rest:
                tail = order[:, steps * batch_size :].T
                state, last = step(state, (gather(x, tail), gather(y, tail)))
                losses.append(last[None])
            return state, jnp.mean(jnp.concatenate(losses))

        @jax.jit
        def predict(state: Any, x: Any) -> Any:
            trainable, non_trainable, _ = state
            output, _ = model.stateless_call(trainable, non_trainable, x, training=False)
            return output

        self._run_epoch = run_epoch
        self._predict = predict
        self.state: Any = None

    def reset(self, seeds: list[int]) -> None:
        weights = initial_weights(self.model, self.fresh_weights, seeds)
        self._set_state(weights, self.fresh_optimizer)

    def _set_state(self, weights: list[np.ndarray], optimizer: list[np.ndarray]) -> None:
        by_path = dict(zip((v.path for v in self.model.weights), weights, strict=True))
        jnp = self._jnp
        trainable = [jnp.asarray(by_path[v.path]) for v in self.model.trainable_variables]
        fixed = [jnp.asarray(by_path[v.path]) for v in self.model.non_trainable_variables]
        opt_vars = [jnp.asarray(v) for v in optimizer]
        self.state = (trainable, fixed, opt_vars)

    def load(self, x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        return self._jnp.asarray(x), self._jnp.asarray(y)

    def slot_state(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        trainable, fixed, opt_vars = self.state
        by_path = {
            v.path: np.asarray(a)
            for v, a in zip(
                [*self.model.trainable_variables, *self.model.non_trainable_variables],
                [*trainable, *fixed],
                strict=True,
            )
        }
        return [by_path[v.path] for v in self.model.weights], [np.asarray(a) for a in opt_vars]

    def load_state(self, weights: list[np.ndarray], optimizer: list[np.ndarray]) -> None:
        self._set_state(weights, optimizer)

    def epoch(self, x: Any, y: Any, order: np.ndarray) -> float:
        order = np.asarray(order).reshape(self.groups, -1)
        self.state, value = self._run_epoch(
            self.state, x, y, self._jnp.asarray(order, dtype=self._jnp.int32)
        )
        return float(value)

    def predict(self, x: Any) -> np.ndarray:
        return np.asarray(self._predict(self.state, x))


def select_slots(values: list[np.ndarray], slots: int, keep: list[int]) -> list[np.ndarray]:
    """The ``keep`` slots of every array of a packed model's or optimizer's state: arrays
    whose first axis is the slot axis, or slots x units flattened (batch renormalization's);
    scalars (the optimizer's step and learning rate) as they are."""
    out = []
    for value in values:
        if value.ndim == 0:
            out.append(value)
        elif value.shape[0] == slots:
            out.append(value[keep])
        elif value.shape[0] % slots == 0:
            per_slot = value.reshape(slots, -1, *value.shape[1:])
            out.append(per_slot[keep].reshape(-1, *value.shape[1:]))
        else:
            raise ValueError(f"an array of shape {value.shape} has no axis of {slots} slots")
    return out


def make_trainer(
    spec: NetSpec, slots: int, batch_size: int, groups: int = 1
) -> PackedTrainer | JaxPackedTrainer:
    """The packed trainer for Keras' active backend (TensorFlow or JAX)."""
    backend = import_keras().backend.backend()
    trainers: dict[str, type[PackedTrainer] | type[JaxPackedTrainer]] = {
        "tensorflow": PackedTrainer,
        "jax": JaxPackedTrainer,
    }
    if backend not in trainers:
        raise RuntimeError(
            f"the search trains with the TensorFlow or JAX backend, not {backend!r} "
            "(set KERAS_BACKEND)"
        )
    return trainers[backend](spec, slots, batch_size, groups)
