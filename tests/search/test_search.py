"""The validation search: fair folds, determinism, failed candidates, and picking a plan
that is clearly better."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advisor.plan.pipeline import PlanTransformer
from advisor.plan.plans import Candidate, InputPlan, make_candidates
from advisor.search import runner
from advisor.search.budgets import BUDGETS, Budget
from advisor.search.pool import CandidatePool
from advisor.search.results import CandidateFailed
from advisor.search.run import run_search
from advisor.search.runner import evaluate, evaluate_together
from advisor.search.setup import prepare_folds
from advisor.table.units import Split

pytestmark = pytest.mark.slow


def _data(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """A classification task whose signal sits in a huge-scale, heavy-tailed column."""
    rng = np.random.default_rng(seed)
    signal = rng.standard_t(2, n)
    frame = pd.DataFrame(
        {
            "amount": signal * 50_000.0 + 1e6,
            "noise": rng.normal(0, 1, n),
            "count": rng.poisson(3, n).astype(float),
        }
    )
    y = pd.Series(np.where(signal + 0.3 * rng.normal(size=n) > 0, "yes", "no"), name="y")
    return frame, y


def _plan(name: str, key_for_amount: str) -> InputPlan:
    return InputPlan(
        name, (("amount", key_for_amount), ("noise", "standard"), ("count", "standard"))
    )


def test_scaled_plans_beat_raw_inputs_and_the_default_stands():
    frame, y = _data()
    candidates = make_candidates(_plan("rules", "quantile_normal"), ("none",))
    result = run_search(frame, y, "classification", candidates, seed=0)
    scores = {c.key: c.mean for c in result.candidates}
    assert scores["rules+none"] < scores["none+none"]
    assert result.winner_key == "rules+none"
    assert result.candidate("rules+none").metric_mean > 0.8
    assert len(result.candidate("rules+none").fold_scores) == 5


def test_search_replaces_a_bad_default_when_the_evidence_is_clear():
    frame, y = _data(n=600)
    bad_default = _plan("rules", "passthrough")  # the huge column left raw
    candidates = (
        Candidate(bad_default, "none"),
        Candidate(_plan("quantile", "quantile_normal"), "none"),
    )
    result = run_search(frame, y, "classification", candidates, seed=0)
    assert result.winner_key == "quantile+none"
    assert "beats the default" in result.decision
    assert result.comparisons[0].p_holm < 0.05


def test_same_seed_same_scores_and_a_new_seed_changes_them(tmp_path):
    frame, y = _data()
    candidates = make_candidates(_plan("rules", "robust_clip"), ("none", "batch"))[:3]
    # Separate work directories: the second run must recompute, not reuse stored trials.
    first = run_search(frame, y, "classification", candidates, seed=1, work_dir=tmp_path / "a")
    second = run_search(frame, y, "classification", candidates, seed=1, work_dir=tmp_path / "b")
    other = run_search(frame, y, "classification", candidates, seed=2, work_dir=tmp_path / "c")
    assert [c.fold_scores for c in first.candidates] == [c.fold_scores for c in second.candidates]
    assert [c.fold_scores for c in first.candidates] != [c.fold_scores for c in other.candidates]


def test_failed_candidate_is_reported_and_the_search_goes_on():
    frame, y = _data()
    frame["count"] = frame["count"] - 1.0  # zeros and negatives: Box-Cox cannot fit
    box_cox = InputPlan(
        "boxcox", (("amount", "robust"), ("noise", "standard"), ("count", "box_cox"))
    )
    candidates = (Candidate(_plan("rules", "robust"), "none"), Candidate(box_cox, "none"))
    result = run_search(frame, y, "classification", candidates, seed=0)
    failed = result.candidate("boxcox+none")
    assert failed.status == "failed"
    assert "strictly positive" in failed.message
    assert result.candidate("rules+none").status == "ok"
    assert result.winner_key == "rules+none"


def test_every_scaler_is_fit_on_training_rows_only_and_folds_are_shared(monkeypatch):
    frame, y = _data(n=300)
    frame = frame.copy()
    frame["row"] = np.arange(len(frame), dtype=float)  # lets the spy see which rows it got
    seen: list[tuple[str, frozenset[int]]] = []
    real_fit = PlanTransformer.fit

    def spying_fit(self, X, y=None):
        seen.append((self.plan.name, frozenset(X["row"].astype(int))))
        return real_fit(self, X, y)

    monkeypatch.setattr(PlanTransformer, "fit", spying_fit)
    plan = InputPlan("rules", (*_plan("rules", "robust").scalers, ("row", "standard")))
    candidates = make_candidates(plan, ("none",))
    result = run_search(frame, y, "classification", candidates, seed=0)
    by_plan: dict[str, list[frozenset[int]]] = {}
    for name, rows in seen:
        by_plan.setdefault(name, []).append(rows)
    folds = by_plan["rules"]
    assert len(folds) == result.n_folds
    for rows in folds:
        assert len(rows) < len(frame)  # never the whole data set
    assert all(fits == folds for fits in by_plan.values())  # same folds for every plan
    held_out = [set(range(len(frame))) - set(rows) for rows in folds]
    assert set().union(*held_out) == set(range(len(frame)))  # each row validated once


def test_regression_scores_on_the_standardized_target_and_reports_r2():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    frame = pd.DataFrame({"a": x[:, 0] * 1000, "b": x[:, 1]})
    y = pd.Series(3 * x[:, 0] - x[:, 1] + 0.1 * rng.normal(size=300) + 500, name="y")
    candidates = make_candidates(
        InputPlan("rules", (("a", "standard"), ("b", "standard"))), ("none",)
    )
    result = run_search(frame, y, "regression", candidates, seed=0)
    best = result.candidate("rules+none")
    assert best.mean < 0.2  # MSE in units of the target's standard deviation squared
    assert best.metric_mean > 0.8  # R² in the target's own units


def test_an_interrupted_search_resumes_where_it_stopped(tmp_path):
    frame, y = _data(n=300)
    candidates = make_candidates(_plan("rules", "robust"), ("none", "layer"))
    seen: list[str] = []

    def interrupt_after_two(message: str) -> None:
        if message.startswith("trial "):  # not the epochs of the candidates trained together
            seen.append(message)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_search(frame, y, "classification", candidates, seed=0, work_dir=tmp_path,
                   progress=interrupt_after_two)  # fmt: skip
    resumed: list[str] = []
    result = run_search(frame, y, "classification", candidates, seed=0, work_dir=tmp_path,
                        progress=resumed.append)  # fmt: skip
    # The two finished trials are kept, not run again; the interrupted one is.
    assert len([m for m in resumed if m.startswith("trial ")]) == len(candidates) - 2
    assert result.cached == 2
    fresh = run_search(frame, y, "classification", candidates, seed=0, work_dir=tmp_path / "x")
    assert [c.fold_scores for c in result.candidates] == [c.fold_scores for c in fresh.candidates]
    assert result.winner_key == fresh.winner_key


def test_changed_settings_never_reuse_stored_trials(tmp_path):
    frame, y = _data(n=300)
    candidates = make_candidates(_plan("rules", "robust"), ("none",))
    run_search(frame, y, "classification", candidates, seed=0, work_dir=tmp_path)
    ran: list[str] = []
    run_search(
        frame, y, "classification", candidates, seed=1, work_dir=tmp_path, progress=ran.append
    )
    assert len([m for m in ran if m.startswith("trial ")]) == len(candidates)
    again: list[str] = []
    run_search(
        frame, y, "classification", candidates, seed=1, work_dir=tmp_path, progress=again.append
    )
    assert again == []  # the same search: every trial is reused


def test_max_trials_and_time_limit_cap_the_search_but_the_default_always_runs(tmp_path):
    import dataclasses

    frame, y = _data(n=300)
    candidates = make_candidates(_plan("rules", "robust"), ("none", "layer"))
    capped = dataclasses.replace(BUDGETS["fast"], max_trials=2)
    result = run_search(
        frame, y, "classification", candidates, budget=capped, work_dir=tmp_path / "a"
    )
    statuses = [c.status for c in result.candidates]
    assert statuses[:2] == ["ok", "ok"] and set(statuses[2:]) == {"skipped"}
    timed = dataclasses.replace(BUDGETS["fast"], time_limit=0.0)
    result = run_search(
        frame, y, "classification", candidates, budget=timed, work_dir=tmp_path / "b"
    )
    assert [c.status for c in result.candidates].count("ok") == 1
    assert result.winner_key == result.default_key


def test_grouped_and_time_ordered_splits_keep_validation_honest():
    frame, y = _data(n=300)
    budget = Budget("t", folds=3, max_steps=10, patience=1)
    groups = tuple(f"g{i % 20}" for i in range(300))
    setup = prepare_folds(frame, y, "classification", None, budget, 0, Split(groups=groups))
    for train, valid in setup.folds:
        assert not {groups[i] for i in train} & {groups[i] for i in valid}
    order = tuple(np.random.default_rng(0).permutation(300))
    setup = prepare_folds(frame, y, "classification", None, budget, 0, Split(order=order))
    for train, valid in setup.folds:
        assert max(order[i] for i in train) < min(order[i] for i in valid)


def test_prepare_folds_fixes_folds_targets_and_training_length():
    frame, y = _data(n=300)
    budget = Budget("t", folds=4, max_steps=100, patience=3, min_steps=20)
    setup = prepare_folds(frame, y, "classification", None, budget, 0)
    assert setup.k == 4 and setup.n_outputs == 2 and setup.patience == 3
    held_out = np.concatenate([valid for _, valid in setup.folds])
    assert sorted(held_out) == list(range(300))  # every row validated exactly once
    assert setup.batch_size == 64 and setup.test_fraction == pytest.approx(0.25)
    assert setup.max_epochs == 25 and setup.min_epochs == 5  # 225 rows of 64: 4 steps
    assert all(0 < b < 1 for b in setup.baselines)  # log loss of the class prior
    with pytest.raises(dataclasses.FrozenInstanceError):
        setup.batch_size = 32  # type: ignore[misc]
    # The network every candidate trains: one input per column, whatever the scalers.
    plan = _plan("rules", "robust")
    net = setup.net_spec(setup.input_width(plan), "none", plan.n_features)
    assert net.n_inputs == 3 and net.in_network == "none" and net.task == "classification"


def test_evaluate_leaves_nothing_behind_the_same_call_gives_the_same_result():
    frame, y = _data(n=300)
    budget = Budget("t", folds=3, max_steps=60, patience=2, min_steps=10)
    setup = prepare_folds(frame, y, "classification", None, budget, 0)
    candidate = Candidate(_plan("rules", "robust"), "batch")
    other = Candidate(_plan("standard", "standard"), "layer")
    first = evaluate(setup, candidate)
    evaluate(setup, other)  # another candidate in between changes nothing
    second = evaluate(setup, candidate)
    assert first.status == "ok" and len(first.fold_scores) == setup.k
    # Identical up to the wall-clock time.
    assert dataclasses.replace(first, seconds=0.0) == dataclasses.replace(second, seconds=0.0)


def test_candidates_trained_together_score_as_they_do_alone():
    """Packing plans x folds in one model changes no candidate's training: the same
    initial weights per fold, its own batch order and its own early stopping; nor does
    moving the candidates still running to a smaller packed model.

    Checked on TensorFlow's own (Eigen) kernels, in a process of their own: there each
    slot's products do not depend on how many slots share the model. oneDNN, the default,
    picks its blocking by the batch count on some CPUs (seen on AVX2), which changes last
    bits and can move a near-tied stopping epoch: the packing is not what changed then."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "on_eigen",
            __file__,
        ],
        env={**os.environ, "ADVISOR_TEST_KERNELS": "eigen"},
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout, result.stdout[-2000:]


@pytest.mark.skipif(
    os.environ.get("ADVISOR_TEST_KERNELS") != "eigen",
    reason="run by test_candidates_trained_together_score_as_they_do_alone",
)
@pytest.mark.parametrize("repack", [False, True])
def test_packing_on_eigen(monkeypatch, repack):
    frame, y = _data(n=300)
    budget = Budget("t", folds=3, max_steps=120, patience=2, min_steps=10)
    setup = prepare_folds(frame, y, "classification", None, budget, 0)
    plans = [
        _plan("rules", "quantile_normal"),
        _plan("robust", "robust"),
        _plan("raw", "passthrough"),
    ]
    models: list[int] = []  # candidates in each packed model the together-runs used
    real = runner.shared_trainer

    def spy(spec, slots, batch_size, groups=1, lane=0):  # type: ignore[no-untyped-def]
        models.append(groups)
        return real(spec, slots, batch_size, groups, lane)

    monkeypatch.setattr(runner, "REPACK_SLOT_STEPS", 1 if repack else 10**9)
    for norm in ("none", "batch", "layer"):
        candidates = [Candidate(plan, norm) for plan in plans]
        with monkeypatch.context() as patch:
            patch.setattr(runner, "shared_trainer", spy)
            together = evaluate_together(setup, candidates)
        for candidate in candidates:
            alone = evaluate(setup, candidate)
            packed = together[candidate.key]
            assert isinstance(packed, type(alone)) and packed.key == candidate.key
            assert packed.best_epochs == alone.best_epochs, candidate.key
            assert [len(c) for c in packed.curves] == [len(c) for c in alone.curves]
            np.testing.assert_allclose(packed.fold_scores, alone.fold_scores, rtol=1e-4)
    # One model of three per normalization; with repacking, smaller ones once at most half
    # of a model's candidates still ran.
    assert models.count(3) == 3
    assert (len(models) > 3) == repack and set(models) <= {1, 3}


def test_the_pool_trains_each_network_shape_once_and_a_failure_stays_with_its_candidate(
    monkeypatch,
):
    frame, y = _data(n=200)
    frame["count"] = frame["count"] - 1.0  # Box-Cox cannot fit this column
    budget = Budget("t", folds=3, max_steps=30, patience=1)
    setup = prepare_folds(frame, y, "classification", None, budget, 0)
    box_cox = InputPlan("boxcox", (("amount", "robust"), ("count", "box_cox")))
    candidates = [
        Candidate(plan, norm)
        for norm in ("none", "layer")
        for plan in (_plan("rules", "robust"), box_cox, _plan("standard", "standard"))
    ]
    trained: list[list[str]] = []
    real = runner.train_packed

    def spy(setup, spec, members, *rest):  # type: ignore[no-untyped-def]
        trained.append([c.key for c, _ in members])
        return real(setup, spec, members, *rest)

    monkeypatch.setattr(runner, "train_packed", spy)
    pool = CandidatePool(setup, candidates)
    outcomes = {}
    for candidate in candidates:
        try:
            outcomes[candidate.key] = pool(candidate).status
        except CandidateFailed as exc:
            outcomes[candidate.key] = str(exc)
    # The first trial trained every candidate: one packed model per network shape (in
    # threads side by side, so in either order); the others were answered from it.
    assert sorted(trained) == [["rules+layer", "standard+layer"], ["rules+none", "standard+none"]]
    assert outcomes["rules+none"] == outcomes["standard+layer"] == "ok"
    assert "preprocessing failed" in outcomes["boxcox+none"]
    assert not pool.blocks  # every plan's folds released once its candidates are done
    # Without packing (a keras-tuner worker) each trial trains its own candidate.
    trained.clear()
    single = CandidatePool(setup, candidates, pack=False)
    single(candidates[0])
    single(candidates[2])
    assert trained == [["rules+none"], ["standard+none"]]


def test_evaluate_fails_a_candidate_that_cannot_be_preprocessed():

    frame, y = _data(n=200)
    frame["count"] = frame["count"] - 1.0  # zeros and negatives: Box-Cox cannot fit
    budget = Budget("t", folds=3, max_steps=10, patience=1)
    setup = prepare_folds(frame, y, "classification", None, budget, 0)
    box_cox = InputPlan("boxcox", (("amount", "robust"), ("count", "box_cox")))
    with pytest.raises(CandidateFailed, match="preprocessing failed"):
        evaluate(setup, Candidate(box_cox, "none"))


def test_the_search_reports_structured_progress_events(tmp_path):
    from advisor.progress import ProgressEvent

    frame, y = _data(n=200)
    candidates = make_candidates(_plan("rules", "robust"), ("none",))
    events: list[ProgressEvent] = []
    run_search(frame, y, "classification", candidates, work_dir=tmp_path, progress=events.append)
    trials = [e for e in events if not e.candidate.endswith("together")]
    assert [e.done for e in trials] == list(range(1, len(candidates) + 1))
    assert {e.total for e in trials} == {len(candidates)} and trials[0].stage == "search"
    assert trials[0].candidate == "rules+none"
    assert str(trials[0]) == f"trial 1/{len(candidates)}: rules+none"
    # The first trial trains every candidate together and says how far it is, epoch by
    # epoch, before the second trial starts.
    epochs = events[1 : events.index(trials[1])]
    assert epochs and [e.done for e in epochs] == list(range(1, len(epochs) + 1))
    assert str(epochs[0]).startswith(f"training {len(candidates)} candidates together: epoch 1")
    assert all(e.stage == "search" and e.total >= len(epochs) for e in epochs)


def test_importing_the_search_does_not_import_keras_tuner_or_tensorflow():
    import subprocess
    import sys

    code = (
        "import advisor.search.run, sys; "
        "assert 'keras_tuner' not in sys.modules and 'tensorflow' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_advise_with_groups_drops_the_group_column(tmp_path, penguins):
    from advisor import advise

    frame = penguins.assign(lab=[f"lab{i % 7}" for i in range(len(penguins))])
    advice = advise(frame, target="species", groups="lab", work_dir=tmp_path, max_trials=2)
    assert "lab" in advice.plan.dropped
    assert advice.search["candidates"][0]["status"] == "ok"


@pytest.mark.slow
def test_the_search_runs_on_the_jax_backend_too(tmp_path, penguins_path):
    pytest.importorskip("jax")
    import subprocess
    import sys

    script = (
        "import json, sys\n"
        "from advisor.api import advise\n"
        "import keras\n"
        "advice = advise(sys.argv[1], target='species', seed=0, max_trials=4,"
        " work_dir=sys.argv[2])\n"
        "print(json.dumps([keras.backend.backend(), advice.search['winner'],"
        " {c['key']: c['mean'] for c in advice.search['candidates'] if c['status'] == 'ok'}]))\n"
    )
    runs = {}
    for backend in ("jax", "tensorflow"):
        env = {**os.environ, "KERAS_BACKEND": backend}
        done = subprocess.run(
            [sys.executable, "-c", script, str(penguins_path), str(tmp_path / backend)],
            capture_output=True, text=True, env=env, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        runs[backend] = json.loads(done.stdout.strip().splitlines()[-1])
    assert runs["jax"][0] == "jax" and runs["tensorflow"][0] == "tensorflow"
    assert runs["jax"][1] == runs["tensorflow"][1]  # same winner
    # Same folds, initial weights and batches: the scores agree to float32 noise. Unscaled
    # inputs (body mass in the thousands) make training chaotic enough to amplify that
    # noise, so the raw plan is only required to have run on both.
    jax_scores, tf_scores = runs["jax"][2], runs["tensorflow"][2]
    assert set(jax_scores) == set(tf_scores) and "none+none" in jax_scores
    scaled = sorted(k for k in jax_scores if not k.startswith("none+"))
    assert len(scaled) == 3
    np.testing.assert_allclose(
        [jax_scores[k] for k in scaled], [tf_scores[k] for k in scaled], rtol=0.05, atol=0.01
    )


def test_a_switch_the_stricter_test_does_not_confirm_is_said_in_plain_words():
    from types import SimpleNamespace

    from advisor.network.nets import NetSpec
    from advisor.search.decision import decide
    from advisor.search.results import CandidateResult

    plans = [_plan(name, "standard") for name in ("rules", "a", "b", "c", "d", "e", "f")]
    candidates = tuple(Candidate(p, "none") for p in plans)
    default = (0.50, 0.52, 0.48, 0.51, 0.49)
    # Lower on average by more than one standard error, but noisily: 0.08, -0.02, 0.06, 0, 0.03
    lower = (0.42, 0.54, 0.42, 0.51, 0.46)
    results = tuple(
        CandidateResult(c.key, c.plan.name, "none", "ok", scores, scores, (3,) * 5)
        for c, scores in zip(candidates, [default, lower] + [default] * 5, strict=True)
    )
    setup = SimpleNamespace(
        k=5,
        test_fraction=0.2,
        task="classification",
        batch_size=64,
        fold_plan=None,
        target_method=None,
    )
    net = NetSpec("classification", 3, 2, 128, 2, 1e-3)
    result = decide(results, candidates, setup, net, "fast", 0.0)  # type: ignore[arg-type]
    assert result.winner_key == "a+none"
    assert not result.comparisons[0].significant
    assert "lower loss by 0.030 on average" in result.decision  # to its SE, 0.027
    assert "suggestive, not conclusive" in result.decision


def test_the_progress_total_counts_the_trials_that_will_run(tmp_path):
    import dataclasses

    from advisor.progress import ProgressEvent
    from advisor.search.budgets import BUDGETS

    frame, y = _data(n=200)
    candidates = make_candidates(_plan("rules", "robust"), ("none",))
    assert len(candidates) > 2
    budget = dataclasses.replace(BUDGETS["fast"], max_trials=2)
    events: list[ProgressEvent] = []
    run_search(frame, y, "classification", candidates, budget=budget, work_dir=tmp_path,
               progress=events.append)  # fmt: skip
    assert [str(e) for e in events][:1] == ["trial 1/2: rules+none"]
    assert {e.total for e in events} == {2}
