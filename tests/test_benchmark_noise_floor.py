"""The quality benchmark's noise floor: standardize-everything against itself under other
seeds of the reference MLP."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from conftest import ROOT, write_toy_benchmark_table

sys.path.insert(0, str(ROOT / "benchmarks"))
import noise_floor
import reference


def test_the_counts_use_the_benchmarks_thresholds():
    rows = [
        noise_floor.Row("a", "regression", 0.5, (2.5, 0.1), 7.0),  # a reseeding beyond 2%
        noise_floor.Row("b", "classification", 1.5, (0.5, 3.5), 0.2),  # beyond 1 and 3 pt
        noise_floor.Row("c", "regression", 0.0, (-1.0, 1.9), None),  # nothing beyond
    ]
    text = noise_floor.render(rows, 2, "abc")
    assert "| standardize-everything alone, seed 0 | 3 | 1 | 0 |" in text  # b's 1.5 pt
    assert "| standardize-everything alone, seed 1 | 3 | 1 | 0 |" in text
    assert "| standardize-everything alone, seed 2 | 3 | 1 | 1 |" in text
    assert "| the worse of the 2 reseedings | 3 | 2 | 1 |" in text
    assert "| advisor `abc` | 2 | 1 | 1 |" in text  # c has no advisor records
    assert "| a | regression | +0.5% | +2.5% | +0.1% | +2.5% | +7.0% |" in text
    assert "| c |" not in text  # only the tables beyond the small threshold are listed


def test_the_halves_count_every_split_of_the_seeds_both_ways_round():
    def runs(name, values):
        return {r: [{"task": "regression" if name == "rmse" else "classification", name: v}
                    for _ in range(reference.FOLDS)] for r, v in enumerate(values)}  # fmt: skip

    tables = [
        ("regression", runs("rmse", [1.0, 1.0, 1.1, 1.1])),  # seeds 2 and 3 are 10% worse
        ("classification", runs("accuracy", [0.9, 0.9, 0.9, 0.9])),
    ]
    counts = noise_floor.split_counts(tables, 4)
    # {0, 1} against {2, 3}: +10% one way round (beyond 2% and 6%), -9.1% the other; the
    # two other splits have equal means.
    assert counts == {(1, 1): 1, (0, 0): 5}
    text = noise_floor.render_halves(counts, 4)
    assert "| 1 pt / 2% | 5 | 1 |" in text and "| 3 pt / 6% | 5 | 1 |" in text
    assert "none beyond 3 pt / 6%: 5 of 6 (83.3%)" in text


def test_the_halves_need_an_even_number_of_seeds():
    with pytest.raises(SystemExit, match="--halves needs an even number of seeds"):
        noise_floor.main(["--replicas", "2", "--halves"])


def test_without_the_benchmarks_record_it_says_so_and_trains_nothing(tmp_path):
    write_toy_benchmark_table(tmp_path)
    results = tmp_path / "results"
    with pytest.raises(SystemExit, match=r"toy: no record of 'standard' .* benchmarks/reference"):
        noise_floor.main(["--data", str(tmp_path), "--results", str(results)])
    assert not results.exists()  # no record of a pack of one passes for the benchmark's


@pytest.mark.slow
def test_the_benchmarks_seed_alone_and_a_reseeding_train_anew_beside_its_record(tmp_path, capsys):
    write_toy_benchmark_table(tmp_path)
    results = tmp_path / "results"
    dataset = reference.discover([tmp_path])["toy"]
    packed = [reference.STRATEGIES[n] for n in ("standard", "minmax", "robust")]
    reference.evaluate_fixed(dataset, packed, reference.Reference(), results, log=lambda _m: None)
    fixed_lines = (results / "fixed" / "toy.jsonl").read_text()
    args = ["--data", str(tmp_path), "--replicas", "1", "--results", str(results)]
    noise_floor.main(args)
    assert (results / "fixed" / "toy.jsonl").read_text() == fixed_lines  # never written
    # Every record says where it was made (the advisor's search computes other digits on
    # another machine): the library versions and the CPU.
    for record in reference.read_records(results / "noise_floor" / "toy.jsonl"):
        assert record["environment"]["numpy"] == np.__version__ and record["environment"]["cpu"]
    for record in reference.read_records(results / "fixed" / "toy.jsonl"):
        assert set(record["environment"]) >= {"numpy", "scikit-learn", "cpu"}
    base = reference.dataset_folds(dataset, reference.Reference())[3]
    again = noise_floor.Reseeded.of(base, 0)
    assert again.seed == base.seed  # replica 0: the benchmark's own seed
    other = noise_floor.Reseeded.of(base, 1)
    assert other.seed != base.seed and np.array_equal(other.test, base.test)
    (expected,) = reference.train_and_score(
        other, [reference.prepare_fixed(reference.STRATEGIES["standard"], other)],
        reference.Reference(),
    )  # fmt: skip
    (alone,) = reference.train_and_score(
        again, [reference.prepare_fixed(reference.STRATEGIES["standard"], again)],
        reference.Reference(),
    )  # fmt: skip
    records = reference.read_records(results / "noise_floor" / "toy.jsonl")
    by_replica = {r["replica"]: r["rmse"] for r in records if r["fold"] == 3}
    assert by_replica == {0: alone["rmse"], 1: expected["rmse"]}
    assert "| standardize-everything alone, seed 1 | 1 |" in capsys.readouterr().out
    noise_floor.main(args)  # every run recorded: nothing trains, nothing is appended
    assert len(reference.read_records(results / "noise_floor" / "toy.jsonl")) == 10
