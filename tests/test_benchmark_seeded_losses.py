"""The quality benchmark's losses to standardize-everything under several seeds: the
recorded advice rebuilt without a search and trained alone beside standardization."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, write_toy_benchmark_table

sys.path.insert(0, str(ROOT / "benchmarks"))
import noise_floor
import quality
import reference
import seeded_losses


def test_the_counts_are_per_seed_and_on_the_mean_of_every_seed():
    rows = [
        # beyond 2% on one seed only; the mean is within it
        seeded_losses.Row("a", "regression", 0.5, (2.5, 0.1, -0.6), 0.7, "tie"),
        # beyond 3 pt on the mean of every seed, a loss under the paired test
        seeded_losses.Row("b", "classification", 3.5, (3.2, 4.0, 3.1), 3.4, "loss"),
        seeded_losses.Row("c", "regression", 0.0, (-1.0, 1.9, 0.0), 0.3, "tie"),  # within
    ]
    text = seeded_losses.render(rows, 2, "advisor `abc`")
    assert "| the benchmark (packed, seed 0) | 3 | 1 | 1 | |" in text
    assert "| both alone, seed 0 | 3 | 2 | 1 |" in text
    assert "| both alone, seed 2 | 3 | 1 | 1 |" in text
    assert "| both alone, the mean of 3 seeds | 3 | 1 | 1 | 1 |" in text
    assert "| a | regression | +0.5% | +2.5% | +0.1% | -0.6% | +0.7% ± 0.9 | tie |" in text
    assert "| c |" not in text  # only the tables beyond the small threshold are listed


def test_a_row_is_the_subjects_gap_to_standardization(tmp_path):
    write_toy_benchmark_table(tmp_path)
    dataset = reference.discover([tmp_path])["toy"]

    def runs(rmse):
        return [{"task": "regression", "rmse": rmse} for _ in range(reference.FOLDS)]

    standard = {"benchmark": runs(1.0), 0: runs(1.0), 1: runs(1.0)}
    row = seeded_losses.row_of(dataset, standard, [runs(1.1), runs(1.3)], runs(0.9))
    assert row.benchmark_gap == pytest.approx(-10.0)  # better than standardization there
    assert row.gaps == pytest.approx((10.0, 30.0))
    assert row.mean_gap == pytest.approx(20.0) and row.spread == pytest.approx(10.0)
    assert row.outcome == "loss"  # worse on every fold by the same amount


def test_without_the_advisors_record_it_says_so(tmp_path):
    write_toy_benchmark_table(tmp_path)
    dataset = reference.discover([tmp_path])["toy"]
    with pytest.raises(SystemExit, match=r"toy: no record of the advisor at abc for fold\(s\) "
                                         r"\[1, 2, 3, 4, 5\]"):  # fmt: skip
        seeded_losses.advice_records(dataset, "abc", tmp_path / "results")


def test_another_digests_advice_is_refused(tmp_path):
    write_toy_benchmark_table(tmp_path)
    with pytest.raises(SystemExit, match=r"advisor digest is [0-9a-f]{12}, not 0123456789ab"):
        seeded_losses.main(["--data", str(tmp_path), "--advisor", "0123456789ab",
                            "--results", str(tmp_path / "results")])  # fmt: skip
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_the_rebuilt_advice_is_what_the_benchmark_trained(tmp_path, capsys):
    write_toy_benchmark_table(tmp_path)
    results = tmp_path / "results"
    dataset = reference.discover([tmp_path])["toy"]
    settings = reference.Reference()
    packed = [reference.STRATEGIES[n] for n in ("standard", "minmax")]
    reference.evaluate_fixed(dataset, packed, settings, results, log=lambda _m: None)
    advised = quality.evaluate_subject(dataset, "advisor", settings, results, "fast",
                                       log=lambda _m: None)  # fmt: skip
    folds = reference.dataset_folds(dataset, settings)
    # The advice and every candidate the search ran, rebuilt from the rules' proposals
    # without a search and trained in the benchmark's pack, score what the benchmark
    # recorded, to the last bit.
    for fold, record in zip(folds, advised, strict=True):
        retrained = seeded_losses.retrain_benchmark_pack(fold, record)
        assert retrained.pop("advice") == record["rmse"]
        assert retrained == {k: record["candidates"][k]["rmse"] for k in retrained}
        assert len(retrained) >= 5  # the fast budget's candidates that trained
    digest = quality.advisor_digest()
    args = ["--data", str(tmp_path), "--advisor", digest, "--replicas", "1",
            "--results", str(results)]  # fmt: skip
    seeded_losses.main(args)
    runs = reference.read_records(results / "seeded_losses" / "toy.jsonl")
    assert len(runs) == 10 and {r["winner"] for r in runs} == {r["winner"] for r in advised}
    # Replica 1 of fold 3: the advice alone, under noise_floor's reseeding of that fold.
    other = noise_floor.Reseeded.of(folds[2], 1)
    (alone,) = reference.train_and_score(
        other, [seeded_losses.advice_inputs(other, advised[2])], settings
    )
    assert [r["rmse"] for r in runs if (r["fold"], r["replica"]) == (2, 1)] == [alone["rmse"]]
    standard = reference.read_records(results / "noise_floor" / "toy.jsonl")
    assert len(standard) == 10  # standardize-everything alone under the same two seeds
    assert "| both alone, the mean of 2 seeds | 1 |" in capsys.readouterr().out
    seeded_losses.main(args)  # every run recorded: nothing trains, nothing is appended
    assert len(reference.read_records(results / "seeded_losses" / "toy.jsonl")) == 10
    # A fixed strategy in the advice's place: its runs alone are noise_floor's records.
    seeded_losses.main([*args[:2], "--strategy", "minmax", *args[4:]])
    minmax = [r for r in reference.read_records(results / "noise_floor" / "toy.jsonl")
              if r["strategy"] == "minmax"]  # fmt: skip
    assert len(minmax) == 10
    assert "| `minmax` against standardize-everything | tables |" in capsys.readouterr().out
    # A record whose candidates the current rules no longer propose is refused.
    changed = {**advised[0], "candidates": {**advised[0]["candidates"], "other+none": {}}}
    with pytest.raises(SystemExit, match="toy fold 1: the rules now propose the candidates"):
        seeded_losses.advice_inputs(folds[0], changed)


@pytest.mark.slow
def test_the_proposals_are_advises_on_a_grouped_classification_fold(tmp_path):
    from advisor import advise

    rng = np.random.default_rng(1)
    n = 240
    frame = pd.DataFrame(
        {
            "g": np.repeat(np.arange(24), 10),  # 24 groups of 10 rows
            "size": rng.lognormal(0, 1, n),
            "share": rng.uniform(0, 1, n),
            "kind": rng.choice(["a", "b", "c"], n),
        }
    )
    frame["label"] = np.where(frame["size"] + rng.normal(0, 0.5, n) > 1.2, "yes", "no")
    frame.to_csv(tmp_path / "grouped.csv", index=False)
    entry = {"file": "grouped.csv", "target": "label", "task": "classification", "groups": "g"}
    (tmp_path / "targets.json").write_text(json.dumps({"grouped": entry}))
    dataset = reference.discover([tmp_path])["grouped"]
    fold = reference.dataset_folds(dataset, reference.Reference())[1]
    x_train, y_train, _, _ = fold.parts()
    advice = advise(x_train.assign(__target__=y_train.to_numpy()), target="__target__",
                    task="classification", budget="fast", seed=quality.SEED, max_trials=1,
                    groups="g")  # fmt: skip
    expected = {k: v for k, v in advice.proposals.items() if k != "rules"}
    assert seeded_losses.proposals_for(fold).to_dict() == expected
    assert "g" in advice.plan.dropped  # the group column is not a feature, on both paths
