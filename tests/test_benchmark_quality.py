"""The quality benchmark's harness: plain reading, the committed results, ranking, outcomes."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import quality
import reference


def _toy_folder(tmp_path, n=240):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3))
    frame = pd.DataFrame(
        {
            "a": x[:, 0] * 100,
            "b": np.exp(x[:, 1]),
            "c": np.where(rng.random(n) < 0.1, np.nan, x[:, 2]),
            "colour": rng.choice(["red", "green", "blue"], n),
            "when": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "y": np.where(x[:, 0] + x[:, 1] > 0, "pos", "neg"),
        }
    )
    frame.loc[3, "y"] = None  # a row without a target is dropped
    frame.to_csv(tmp_path / "toy.csv", index=False)
    meta = {"toy": {"file": "toy.csv", "target": "y", "task": "classification"}}
    (tmp_path / "targets.json").write_text(json.dumps(meta))
    return reference.discover([tmp_path])["toy"]


def test_the_fixed_strategies_never_import_the_advisor(tmp_path):
    _toy_folder(tmp_path)
    code = (
        "import sys; sys.path.insert(0, 'benchmarks'); import reference\n"
        f"d = reference.discover([{str(tmp_path)!r}])['toy']\n"
        "f = reference.dataset_folds(d, reference.Reference())[0]\n"
        "for s in reference.FIXED:\n"
        "    x, y, _, _ = f.parts()\n"
        "    reference.make_preprocessor(s, f.frame, x, 0).fit_transform(x)\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'advisor'], 'advisor imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_plain_reading_drops_date_text_and_rows_without_target(tmp_path):
    frame = reference.read_frame(_toy_folder(tmp_path))
    assert frame.numeric == ("a", "b", "c")
    assert frame.categorical == ("colour",)
    assert frame.dropped == ("when",)
    assert len(frame.y) == 239 and frame.y.notna().all()


def test_every_fixed_strategy_gives_finite_features_with_missing_indicators(tmp_path):
    fold = reference.dataset_folds(_toy_folder(tmp_path), reference.Reference())[0]
    x_train, _, x_test, _ = fold.parts()
    for strategy in reference.FIXED:
        pre = reference.make_preprocessor(strategy, fold.frame, x_train, fold.seed)
        z = np.asarray(pre.fit_transform(x_train), dtype=float)
        assert np.isfinite(z).all(), strategy.name
        # 3 numeric (each its bins under PLE) + 1 missing indicator + 3 colours
        numbers = 3
        if strategy.encoding == "ple":
            encoder = pre.named_transformers_[strategy.scaler].named_steps["ple"]
            numbers = sum(len(edges) - 1 for edges in encoder.edges_)
            assert numbers > 3 * 40, strategy.name  # 240 distinct values: ~48 bins each
        assert z.shape == (len(x_train), numbers + 4), strategy.name
        assert np.isfinite(np.asarray(pre.transform(x_test), dtype=float)).all()


def test_training_rows_are_capped_the_same_way_for_every_strategy(tmp_path):
    dataset = _toy_folder(tmp_path)
    capped = reference.dataset_folds(dataset, reference.Reference(max_train_rows=100))
    again = reference.dataset_folds(dataset, reference.Reference(max_train_rows=100))
    assert all(len(f.train) == 100 for f in capped)
    assert all(np.array_equal(a.train, b.train) for a, b in zip(capped, again, strict=True))
    # stratified: both classes keep their share
    share = capped[0].frame.y.iloc[capped[0].train].value_counts(normalize=True)
    full = capped[0].frame.y.value_counts(normalize=True)
    assert abs(share["pos"] - full["pos"]) < 0.02


@pytest.mark.slow
def test_fixed_results_are_appended_keyed_and_reused(tmp_path, monkeypatch):
    dataset = _toy_folder(tmp_path)
    settings = reference.Reference(max_steps=200, eval_every=50)
    strategies = [reference.STRATEGIES["standard"], reference.STRATEGIES["none"]]
    records = reference.evaluate_fixed(dataset, strategies, settings, tmp_path, log=lambda m: None)
    path = reference.fixed_results_path(tmp_path, "toy")
    assert len(records) == 2 * reference.FOLDS
    assert len(path.read_text().splitlines()) == 2 * reference.FOLDS
    assert {r["reference"] for r in records} == {settings.key()}
    with path.open("a") as handle:  # a torn line from an interrupted run is ignored
        handle.write('{"dataset": "toy", "strat')

    def no_training(*args, **kwargs):
        raise AssertionError("a committed result was recomputed")

    monkeypatch.setattr(reference, "train_and_score", no_training)
    again = reference.evaluate_fixed(dataset, strategies, settings, tmp_path, log=lambda m: None)
    assert again == records
    # other settings are other keys: they are computed, not confused with these
    other = reference.Reference(max_steps=100, eval_every=50)
    with pytest.raises(AssertionError, match="recomputed"):
        reference.evaluate_fixed(dataset, strategies, other, tmp_path, log=lambda m: None)


@pytest.mark.slow
def test_the_reference_learns_a_shuffled_target_does_not_and_slots_are_independent(tmp_path):
    settings = reference.Reference(max_steps=400, eval_every=50)
    fold = reference.dataset_folds(_toy_folder(tmp_path), settings)[0]
    standard = reference.prepare_fixed(reference.STRATEGIES["standard"], fold)
    raw = reference.prepare_fixed(reference.STRATEGIES["none"], fold)
    shuffled = reference.Prepared(standard.x_train, standard.x_test, "none", shuffle_target=True)
    together = reference.train_and_score(fold, [standard, raw, shuffled], settings)
    assert together[0]["accuracy"] > 0.85 and together[2]["accuracy"] < 0.75
    # A strategy trained alone scores what it scores packed beside others (slots never
    # mix), and nothing depends on what ran before.
    alone = reference.train_and_score(fold, [standard], settings)[0]
    assert alone["accuracy"] == together[0]["accuracy"]
    assert reference.train_and_score(fold, [standard, raw, shuffled], settings) == together


@pytest.mark.slow
@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
def test_the_packed_reference_matches_a_keras_mlp_step_for_step(norm):
    # One slot of the packed reference is the MLP Keras would build: same initial weights,
    # same batches, Adam, BatchNorm/LayerNorm with Keras' defaults.
    import reference_mlp

    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(96, 5)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    packed = reference_mlp.PackedReference(
        task="classification", n_outputs=2, norm=norm, width=16, depth=2, learning_rate=1e-2,
        batch_size=16, max_steps=12, eval_every=6, patience=100, threads=1,
    )  # fmt: skip
    slot = reference_mlp.Slot(x[:64], x[64:], x[64:], y[:64], y[64:])
    ours = packed.fit_predict([slot], seed=3)[0]
    init = packed._init(1, 5, 3)  # the slot's initial weights
    inputs = keras.Input((5,))
    z = inputs
    for _ in range(2):
        z = keras.layers.Dense(16, use_bias=norm == "none")(z)
        if norm == "batch":
            z = keras.layers.BatchNormalization()(z)
        elif norm == "layer":
            z = keras.layers.LayerNormalization()(z)
        z = keras.layers.Activation("relu")(z)
    model = keras.Model(inputs, keras.layers.Dense(2)(z))
    dense_kernels = [init["w0"][0], init["w1"][0], init["w_out"][0]]
    kernel_iter = iter(dense_kernels)
    weights = [next(kernel_iter) if w.path.endswith("kernel") else np.asarray(w)
               for w in model.weights]  # fmt: skip
    model.set_weights(weights)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    order = np.random.default_rng(3)
    stream = np.concatenate([order.permutation(64) for _ in range(3)])[: 12 * 16]
    for step in range(12):
        rows = stream[step * 16 : (step + 1) * 16]
        model.train_on_batch(x[rows], y[rows])
    theirs = np.asarray(model(x[64:], training=False))
    np.testing.assert_allclose(ours, theirs, rtol=2e-3, atol=2e-4)


def _records(strategy: str, task: str, values: list[float]) -> list[dict]:
    key = "accuracy" if task == "classification" else "rmse"
    return [
        {
            "strategy": strategy,
            "fold": k,
            "task": task,
            key: v,
            "seconds": 1.0,
            "in_network": "none",
        }
        for k, v in enumerate(values)
    ]


def test_paired_outcome_calls_consistent_differences_and_ties_noise():
    base = _records("standard", "regression", [1.0, 1.1, 0.9, 1.05, 0.95])
    better = _records("advisor", "regression", [0.8, 0.88, 0.71, 0.86, 0.75])
    noisy = _records("advisor", "regression", [0.9, 1.2, 0.85, 1.1, 0.97])
    assert quality.paired_outcome(better, base) == "win"
    assert quality.paired_outcome(base, better) == "loss"
    assert quality.paired_outcome(noisy, base) == "tie"


def test_ties_share_ranks_and_regret_is_relative_for_regression():
    records = (
        _records("advisor", "regression", [1.0] * 5)
        + _records("standard", "regression", [1.0] * 5)
        + _records("none", "regression", [2.0] * 5)
        + _records("autogluon", "regression", [0.9] * 5)
    )
    summary = quality.summarize("d", records, "advisor")
    assert summary.ranks["advisor"] == summary.ranks["standard"] == 2.5
    assert summary.best_fixed == "autogluon"
    assert summary.regrets["advisor"] == pytest.approx(100 * (1.0 - 0.9) / 0.9)
    assert summary.regrets["autogluon"] == 0.0
    assert summary.versus == {"standard": "tie", "best": "loss"}


def test_losses_to_standard_count_points_for_classification_and_percent_for_regression():
    cls = quality.summarize(
        "c",
        _records("advisor", "classification", [0.90] * 5)
        + _records("standard", "classification", [0.925] * 5),
        "advisor",
    )  # 2.5 points worse: a small loss, not a large one
    reg = quality.summarize(
        "r",
        _records("advisor", "regression", [1.07] * 5)
        + _records("standard", "regression", [1.0] * 5),
        "advisor",
    )  # 7% worse: both
    assert quality.losses_to_standard([cls, reg], "advisor") == (2, 1, 2)
    text = quality.render([cls, reg], ["standard", "advisor"], "advisor")
    assert "on 2 of 2 datasets" in text and "| **advisor** |" in text


def test_an_experiments_extra_rules_are_part_of_the_key(tmp_path):
    rules = tmp_path / "exp.toml"
    rules.write_text("# an experiment\n")
    base = quality.advisor_digest()
    with_rules = quality.advisor_digest([str(rules)])
    assert base != with_rules
    rules.write_text("# another experiment\n")
    assert quality.advisor_digest([str(rules)]) not in (base, with_rules)


def test_the_digest_follows_the_advice_not_its_presentation(tmp_path):
    for name in ("advisor/plan/catalog.py", "advisor/report/text.py", "rules/builtin.toml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# one\n")
    base = quality.advisor_digest(root=tmp_path)
    (tmp_path / "advisor/report/text.py").write_text("# a new report layout\n")
    assert quality.advisor_digest(root=tmp_path) == base
    (tmp_path / "advisor/plan/catalog.py").write_text("# another scaler\n")
    changed = quality.advisor_digest(root=tmp_path)
    assert changed != base
    (tmp_path / "rules/builtin.toml").write_text("# another rule\n")
    assert quality.advisor_digest(root=tmp_path) != changed
