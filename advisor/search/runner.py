"""The packed runner: candidates trained on every fold at once, several candidates per model.

In: a `FoldSetup` (`advisor.search.setup`) and candidates. Each candidate's plan is fit on
each fold's training rows only and transforms that fold's rows (once per plan, however
many in-network choices share it). Candidates whose networks have the same shape (the
same input width, in-network normalization, placement and learning rate) then train in
one packed model: plans x folds as slots, each slot its own inputs, weights, optimizer
state and normalization statistics, each candidate its own mini-batch order
(``derive_seed(seed, key, "shuffle")``) and its own early stopping. Slot (candidate,
fold k) starts from fold k's initial weights, the same in every candidate. So a
candidate's scores are those it gets trained alone (`evaluate`), up to the rounding of a
wider matrix product, and a budget costs about one training run per network shape, not
one per candidate.

Out: per candidate a `CandidateResult` (fold scores: the validation loss at each fold's
best epoch, capped at the trivial predictor's; fold metrics: accuracy or R² in the
target's units; best epochs; validation curves) or the `CandidateFailed` that stopped it.

Nothing is left on the setup between calls. The only state kept is `shared_trainer`'s
cache of compiled trainers, reset before every use.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from advisor.network.nets import NetSpec
from advisor.network.train import JaxPackedTrainer, PackedTrainer, make_trainer, select_slots
from advisor.plan.plans import Candidate
from advisor.search.blocks import Blocks, Inputs, transform_folds
from advisor.search.results import CandidateFailed, CandidateResult
from advisor.search.setup import FoldSetup
from advisor.search.stats import derive_seed

#: Moving the candidates still running to a smaller packed model costs a trace (about a
#: second); it is done when it saves at least this many slot-steps of training.
REPACK_SLOT_STEPS = 2000
#: At most this many packed models train at once (one thread each), fewer on fewer cores.
MAX_WORKERS = 4
#: A search's packed models come in at least this many lanes (threads) where it has as
#: many candidates: the two cores of the machine the defaults are set for stay busy when
#: every candidate left has one network shape (`lanes_of`). A constant, not the core
#: count, so that the packing (and so the rounding) is the same on every machine.
MIN_LANES = 2
#: A packed model's training inputs stay under this many bytes: larger groups of
#: candidates train in several packed models (which changes no score).
MAX_PACK_BYTES = 256 * 2**20

Outcome = CandidateResult | CandidateFailed


def network_of(setup: FoldSetup, candidate: Candidate, width: int) -> NetSpec:
    """The network ``candidate`` trains on inputs of ``width`` columns."""
    spec = setup.net_spec(width, candidate.in_network, candidate.plan.n_features).with_norm(
        candidate.in_network, candidate.placement
    )
    if candidate.learning_rate is not None:
        spec = dataclasses.replace(spec, learning_rate=candidate.learning_rate)
    if candidate.encoding == "periodic":  # the scaled numbers lead the plan's inputs
        spec = dataclasses.replace(spec, encoding="periodic", embedded=len(candidate.plan.numeric))
    return spec


def evaluate(setup: FoldSetup, candidate: Candidate) -> CandidateResult:
    """Train ``candidate`` alone on every fold of ``setup``; `CandidateFailed` if it cannot
    be preprocessed or its training diverges."""
    outcome = evaluate_together(setup, (candidate,))[candidate.key]
    if isinstance(outcome, CandidateFailed):
        raise outcome
    return outcome


def evaluate_together(
    setup: FoldSetup,
    candidates: Sequence[Candidate],
    blocks: dict[Inputs, Blocks | CandidateFailed] | None = None,
    workers: int = 1,
    on_epoch: Callable[[int, int], None] | None = None,
    lanes: int = 1,
) -> dict[str, Outcome]:
    """Every candidate's outcome, by key; candidates of one network shape train in one
    packed model, ``workers`` lanes of packed models at a time (`lanes_of`: one lane per
    shape, split until there are ``lanes`` where candidates allow). ``blocks`` caches each
    plan's (and encoding's) transformed folds (filled as needed); ``on_epoch(done,
    total)`` hears of every epoch trained (``total``: the most epochs all the packed models
    may train)."""
    blocks = {} if blocks is None else blocks
    outcomes: dict[str, Outcome] = {}
    shapes: dict[NetSpec, list[tuple[Candidate, Blocks]]] = {}
    for candidate in candidates:
        inputs = (candidate.plan, candidate.bins)
        if inputs not in blocks:
            try:
                blocks[inputs] = transform_folds(setup, *inputs)
            except CandidateFailed as exc:
                blocks[inputs] = exc
        prepared = blocks[inputs]
        if isinstance(prepared, CandidateFailed):
            outcomes[candidate.key] = prepared
            continue
        spec = network_of(setup, candidate, prepared.width)
        shapes.setdefault(spec, []).append((candidate, prepared))
    chunks: list[tuple[NetSpec, list[tuple[Candidate, Blocks]]]] = []
    for spec, members in shapes.items():
        per_group = members[0][1].train[0].shape[0] * setup.k * members[0][1].width * 4
        size = max(1, MAX_PACK_BYTES // max(per_group, 1))
        chunks += [(spec, members[start : start + size]) for start in range(0, len(members), size)]
    counter = _EpochCounter(setup.max_epochs * len(chunks), on_epoch)
    plan = lanes_of(chunks, lanes)

    def train_lane(lane: int) -> dict[str, Outcome]:
        # One thread per lane: its packed models one after another (they share trainers).
        out: dict[str, Outcome] = {}
        for spec, chunk in plan[lane]:
            out.update(train_packed(setup, spec, chunk, counter, lane))
        return out

    if workers > 1 and len(plan) > 1:
        # TensorFlow and JAX release the GIL while they compute: packed models of different
        # lanes train side by side in threads, each with its own compiled trainers.
        with ThreadPoolExecutor(max_workers=workers) as pool:
            try:
                done = list(pool.map(train_lane, range(len(plan))))
            except BaseException:  # Ctrl-C, or a bug in one thread: stop the others too
                counter.cancelled = True
                raise
    else:
        done = [train_lane(lane) for lane in range(len(plan))]
    for part in done:
        outcomes.update(part)
    return {c.key: outcomes[c.key] for c in candidates}


def lanes_of(
    chunks: list[tuple[NetSpec, list[tuple[Candidate, Blocks]]]], lanes: int
) -> list[list[tuple[NetSpec, list[tuple[Candidate, Blocks]]]]]:
    """The packed models grouped into lanes, each trained in one thread: one lane per
    network shape; while there are fewer than ``lanes``, the lane with the most candidates
    (the first of equals) gives half of them to a new lane (half of its packed models, or
    half of its one model's candidates), so that a stage whose candidates share one shape
    still keeps two cores busy. A function of the candidates only, never of the machine:
    the same search packs the same way everywhere."""
    plan: list[list[tuple[NetSpec, list[tuple[Candidate, Blocks]]]]] = []
    for spec, chunk in chunks:
        for lane in plan:
            if lane[0][0] == spec:
                lane.append((spec, chunk))
                break
        else:
            plan.append([(spec, chunk)])
    while plan and len(plan) < lanes:
        sizes = [sum(len(chunk) for _, chunk in lane) for lane in plan]
        widest = max(range(len(plan)), key=lambda i: (sizes[i], -i))
        lane = plan[widest]
        if sizes[widest] < 2:
            break
        if len(lane) > 1:
            half = (len(lane) + 1) // 2
            plan[widest : widest + 1] = [lane[:half], lane[half:]]
        else:
            spec, chunk = lane[0]
            half = (len(chunk) + 1) // 2
            plan[widest : widest + 1] = [[(spec, chunk[:half])], [(spec, chunk[half:])]]
    return plan


def train_packed(
    setup: FoldSetup,
    spec: NetSpec,
    members: Sequence[tuple[Candidate, Blocks]],
    on_epoch: Callable[[], None] | None = None,
    lane: int = 0,
) -> dict[str, Outcome]:
    """Train ``members`` (candidates of network ``spec``, with their inputs) side by side,
    each with its own batches and early stopping, until every one has stopped. Once at
    most half of the packed candidates still run and enough epochs may remain, they move
    to a smaller packed model (weights and optimizer state carried over), so stopped
    candidates stop costing; the rule counts epochs, never seconds, so the same search
    always repacks at the same epochs."""
    started = time.perf_counter()
    k = setup.k
    packed = [_pack_train(setup, list(b.train), c.target) for c, b in members]
    x_train = np.concatenate([x for x, _ in packed], axis=1)
    y_train = np.concatenate([y for _, y in packed], axis=1)
    x_valid = np.concatenate([_pack_valid(setup, list(b.valid)) for _, b in members], axis=1)
    del packed
    n_rows = x_train.shape[0]
    steps = math.ceil(n_rows / setup.batch_size)
    valid_rows = [len(va) for _, va in setup.folds]
    placed = list(range(len(members)))  # the group in each of the trainer's slot groups
    trainer = shared_trainer(spec, k * len(placed), setup.batch_size, len(placed), lane)
    trainer.reset([derive_seed(setup.seed, "init", f) for _ in members for f in range(k)])
    x_t, y_t = trainer.load(x_train, y_train)
    x_v = trainer.load(x_valid, np.zeros(1))[0]
    rngs = [np.random.default_rng(derive_seed(setup.seed, c.key, "shuffle")) for c, _ in members]
    curves: list[list[list[float]]] = [[[] for _ in range(k)] for _ in members]
    metrics: list[list[list[float]]] = [[[] for _ in range(k)] for _ in members]
    failed: dict[int, CandidateFailed] = {}
    running = set(placed)
    since_best = [0] * len(members)
    for epoch in range(setup.max_epochs):
        trainer.epoch(x_t, y_t, np.stack([rngs[g].permutation(n_rows) for g in placed]))
        output = trainer.predict(x_v)
        for position, g in enumerate(placed):
            if g not in running:
                continue
            improved = False
            for fold, n_valid in enumerate(valid_rows):
                scored = output[:n_valid, position * k + fold, :]
                loss, metric = setup.fold_loss(fold, scored, members[g][0].target)
                if not math.isfinite(loss):
                    failed[g] = CandidateFailed(
                        f"fold {fold + 1}: training diverged (validation loss is not finite "
                        f"at epoch {epoch + 1})"
                    )
                    break
                if not curves[g][fold] or loss < min(curves[g][fold]) - 1e-7:
                    improved = True
                curves[g][fold].append(loss)
                metrics[g][fold].append(metric)
            since_best[g] = 0 if improved else since_best[g] + 1
            if g in failed or (epoch + 1 >= setup.min_epochs and since_best[g] >= setup.patience):
                running.discard(g)
        if on_epoch is not None:
            on_epoch()
        if not running:
            break
        freed = (len(placed) - len(running)) * k * steps * (setup.max_epochs - epoch - 1)
        if len(running) <= len(placed) // 2 and freed >= REPACK_SLOT_STEPS:
            keep = [p for p, g in enumerate(placed) if g in running]
            slots = [p * k + fold for p in keep for fold in range(k)]
            weights, optimizer = trainer.slot_state()
            trainer = shared_trainer(spec, k * len(keep), setup.batch_size, len(keep), lane)
            trainer.load_state(
                select_slots(weights, k * len(placed), slots),
                select_slots(optimizer, k * len(placed), slots),
            )
            placed = [placed[p] for p in keep]
            columns = [g * k + fold for g in placed for fold in range(k)]
            x_t, y_t = trainer.load(x_train[:, columns], y_train[:, columns])
            x_v = trainer.load(x_valid[:, columns], np.zeros(1))[0]
    seconds = (time.perf_counter() - started) / len(members)
    out: dict[str, Outcome] = {}
    for g, (candidate, inputs) in enumerate(members):
        out[candidate.key] = failed.get(g) or _result(
            setup, candidate, curves[g], metrics[g], seconds + inputs.seconds
        )
    return out


def _result(
    setup: FoldSetup,
    candidate: Candidate,
    curves: list[list[float]],
    metrics: list[list[float]],
    seconds: float,
) -> CandidateResult:
    best = [int(np.argmin(curve)) for curve in curves]
    return CandidateResult(
        key=candidate.key,
        plan=candidate.plan.name,
        in_network=candidate.in_network,
        status="ok",
        target=candidate.target,
        encoding=candidate.encoding,
        # A fold's score is capped at the trivial predictor's loss: a model worse than
        # predicting the training prior is useless however much worse it is, and an
        # unbounded loss would let one diverged fold hide a consistent difference.
        fold_scores=tuple(min(float(curves[k][e]), setup.baselines[k]) for k, e in enumerate(best)),
        # ... and so is its metric: a capped fold shows the trivial predictor's accuracy or
        # R², never a score of the baseline beside an R² of -259.
        fold_metrics=tuple(
            setup.baseline_metrics[k] if curves[k][e] > setup.baselines[k] else float(metrics[k][e])
            for k, e in enumerate(best)
        ),
        best_epochs=tuple(e + 1 for e in best),
        curves=tuple(tuple(float(v) for v in c) for c in curves),
        seconds=seconds,
    )


def _pack_train(
    setup: FoldSetup, blocks: list[np.ndarray], method: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The folds' training rows side by side, ``(rows, k, ...)``, with the targets of the
    transform ``method``; shorter folds are padded with a seeded resample of their rows."""
    n_max = max(len(tr) for tr, _ in setup.folds)
    xs, ys = [], []
    targets = setup.targets_for(method)
    for fold, ((train, _), block) in enumerate(zip(setup.folds, blocks, strict=True)):
        target = targets[fold][0]
        order = np.arange(len(train))
        if len(train) < n_max:
            rng = np.random.default_rng(derive_seed(setup.seed, "pad", fold))
            order = np.concatenate([order, rng.choice(len(train), n_max - len(train))])
        xs.append(block[order])
        ys.append(target[order])
    x = np.stack(xs, axis=1)
    y = np.stack(ys, axis=1)
    if setup.task == "regression":
        y = y[..., np.newaxis].astype(np.float32)
    return x, y


def _pack_valid(setup: FoldSetup, blocks: list[np.ndarray]) -> np.ndarray:
    """The folds' validation rows side by side (padded with copies, never scored)."""
    v_max = max(len(va) for _, va in setup.folds)
    xs = [np.concatenate([b, np.repeat(b[:1], v_max - len(b), axis=0)]) for b in blocks]
    return np.stack(xs, axis=1)


_TRAINERS: dict[tuple[NetSpec, int, int, int, int], PackedTrainer | JaxPackedTrainer] = {}
_MAX_TRAINERS = 16
_TRAINERS_LOCK = threading.Lock()


def shared_trainer(
    spec: NetSpec, slots: int, batch_size: int, groups: int = 1, lane: int = 0
) -> PackedTrainer | JaxPackedTrainer:
    """A compiled trainer for this architecture, kept for the life of the process: a
    second search with the same shapes (another dataset of the same width, a benchmark
    fold, a test) skips the 1-2 s of tracing. Trainers are reset before every use; two
    lanes (threads) never share one."""
    key = (spec, slots, batch_size, groups, lane)
    with _TRAINERS_LOCK:  # packed models of several shapes train in threads
        if key not in _TRAINERS:
            if len(_TRAINERS) >= _MAX_TRAINERS:
                _TRAINERS.pop(next(iter(_TRAINERS)))
            _TRAINERS[key] = make_trainer(spec, slots, batch_size, groups)
        return _TRAINERS[key]


class _EpochCounter:
    """Counts the epochs trained by packed models in any thread and passes the count on;
    once cancelled (the main thread was interrupted), the next epoch ends its thread."""

    def __init__(self, total: int, report: Callable[[int, int], None] | None) -> None:
        self.total = total
        self.report = report
        self.done = 0
        self.cancelled = False
        self.lock = threading.Lock()

    def __call__(self) -> None:
        if self.cancelled:
            raise _Cancelled
        if self.report is None:
            return
        with self.lock:
            self.done += 1
            self.report(self.done, self.total)


class _Cancelled(Exception):
    """Ends a training thread after the search was interrupted."""
