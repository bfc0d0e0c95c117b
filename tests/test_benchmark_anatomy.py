"""The loss anatomy of the quality benchmark: where a held-out RMSE comes from."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from conftest import ROOT, write_toy_benchmark_table

sys.path.insert(0, str(ROOT / "benchmarks"))
import loss_anatomy
import reference


def test_the_worst_rows_and_their_share_of_the_squared_error():
    truth = np.array([0.0, 0.0, 0.0, 0.0, 100.0] + [0.0] * 95)
    predicted = np.array([1.0, -1.0, 0.0, 0.0, 10.0] + [0.0] * 95)
    anatomy = loss_anatomy.regression_anatomy("s", truth, predicted, top=1)
    assert anatomy.score == pytest.approx(math.sqrt((1 + 1 + 90**2) / 100))
    assert anatomy.without_top == pytest.approx(math.sqrt(2 / 99))  # the 90 left out
    assert anatomy.top_share == pytest.approx(90**2 / (90**2 + 2))  # the worst 1%: one row
    assert anatomy.worst == ((100.0, 10.0),)


def test_a_validation_half_dataset_is_refused_unless_asked(capsys):
    name = reference.load_split()["validation"][0]
    with pytest.raises(SystemExit) as exit_info:
        loss_anatomy.main(["--dataset", name])
    assert exit_info.value.code == 2
    assert "validation half" in capsys.readouterr().err


@pytest.mark.slow
def test_it_scores_a_fold_as_the_benchmark_does(tmp_path, capsys):
    write_toy_benchmark_table(tmp_path)
    loss_anatomy.main(["--dataset", "toy", "--data", str(tmp_path), "--fold", "2",
                       "--strategies", "standard"])  # fmt: skip
    out = capsys.readouterr().out
    data = reference.dataset_folds(reference.discover([tmp_path])["toy"], reference.Reference())[1]
    prepared = reference.prepare_fixed(reference.STRATEGIES["standard"], data)
    (expected,) = reference.train_and_score(data, [prepared], reference.Reference())
    assert "#### toy, fold 2" in out
    assert f"| standard | {expected['rmse']:.4g} |" in out
