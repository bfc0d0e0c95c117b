"""The quality harness's folds: grouped and time-ordered splits for the panels, and the
records of the shuffled-fold datasets keyed as they were before splits existed."""

from __future__ import annotations

import json
import sys
from concurrent.futures import Future

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import quality
import reference


def _panel_folder(tmp_path, task="regression", groups="unit", time="year", units=20, years=12):
    """A synthetic panel: ``units`` units observed over ``years`` years."""
    rng = np.random.default_rng(0)
    unit = np.repeat([f"u{i:02d}" for i in range(units)], years)
    year = np.tile(np.arange(2000, 2000 + years), units)
    level = np.repeat(rng.normal(size=units), years)
    x = rng.normal(size=len(unit))
    y = level + x + 0.1 * rng.normal(size=len(unit))
    frame = pd.DataFrame({"unit": unit, "year": year, "x": x * 10, "size": np.exp(x)})
    frame["y"] = np.where(y > 0, "up", "down") if task == "classification" else y
    frame.to_csv(tmp_path / "panel.csv", index=False)
    entry = {"file": "panel.csv", "target": "y", "task": task, "groups": groups, "time": time}
    meta = {"panel": {k: v for k, v in entry.items() if v is not None}}
    (tmp_path / "targets.json").write_text(json.dumps(meta))
    return reference.discover([tmp_path])["panel"]


def _values(data: reference.FoldData, column: str, rows: np.ndarray) -> set:
    return set(data.frame.features[column].iloc[rows])


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_grouped_folds_never_put_a_group_on_both_sides(tmp_path, task):
    dataset = _panel_folder(tmp_path, task)
    assert dataset.split == "grouped by unit"
    folds = reference.dataset_folds(dataset, reference.Reference())
    assert len(folds) == reference.FOLDS
    tested = np.concatenate([f.test for f in folds])
    assert np.array_equal(np.sort(tested), np.arange(len(folds[0].frame.y)))  # each row once
    for data in folds:
        assert not _values(data, "unit", data.train) & _values(data, "unit", data.test)
    again = reference.dataset_folds(dataset, reference.Reference())
    assert all(np.array_equal(a.test, b.test) for a, b in zip(folds, again, strict=True))


def test_the_early_stopping_split_and_the_cap_keep_groups_whole(tmp_path):
    dataset = _panel_folder(tmp_path)
    settings = reference.Reference(max_train_rows=100)
    for data in reference.dataset_folds(dataset, settings):
        units = data.frame.features["unit"]
        kept = set(units.iloc[data.train])
        # the cap keeps whole groups: every training row of a kept unit (12 rows each)
        assert len(data.train) == 96 and (units.iloc[data.train].value_counts() == 12).all()
        assert not kept & _values(data, "unit", data.test)
        fit, val = data.validation_rows(settings)
        assert len(val) and len(fit) and len(fit) + len(val) == len(data.train)
        assert not _values(data, "unit", data.train[fit]) & _values(data, "unit", data.train[val])


def test_time_ordered_folds_never_share_a_time_value(tmp_path):
    dataset = _panel_folder(tmp_path, groups=None)
    assert dataset.split == "time-ordered by year"
    folds = reference.dataset_folds(dataset, reference.Reference())
    assert len(folds) == reference.FOLDS
    sizes = [len(f.train) for f in folds]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)  # an expanding window
    for data in folds:
        years = data.frame.features["year"]
        assert years.iloc[data.train].max() < years.iloc[data.test].min()
        fit, val = data.validation_rows(reference.Reference())
        assert years.iloc[data.train[fit]].max() < years.iloc[data.train[val]].min()
    assert "year" in folds[0].frame.numeric  # the time column stays a feature


def test_the_group_column_is_not_a_feature_of_the_fixed_strategies(tmp_path):
    dataset = _panel_folder(tmp_path)
    frame = reference.read_frame(dataset)
    assert "unit" not in frame.numeric + frame.categorical
    assert frame.numeric == ("year", "x", "size")  # the time column stays a feature
    fold = reference.dataset_folds(dataset, reference.Reference())[0]
    x_train, _, _, _ = fold.parts()
    assert "unit" in x_train.columns  # the advisor gets it, with its `groups` option
    for strategy in reference.FIXED:
        pre = reference.make_preprocessor(strategy, fold.frame, x_train, 0)
        z = pre.fit_transform(x_train)
        width = 3
        if strategy.encoding == "ple":  # each number its bins
            edges = pre.named_transformers_[strategy.scaler].named_steps["ple"].edges_
            width = sum(len(e) - 1 for e in edges)
        assert np.asarray(z).shape == (len(x_train), width), strategy.name


def test_the_advisor_is_given_the_group_column(tmp_path, monkeypatch):
    fold = reference.dataset_folds(_panel_folder(tmp_path), reference.Reference())[0]
    calls = []

    class Inline:
        def submit(self, fn, *args, **kwargs):
            calls.append(kwargs)
            assert "unit" in args[1].columns  # x_train
            done: Future = Future()
            prepared = reference.Prepared(np.zeros((1, 1)), np.zeros((1, 1)), "none")
            done.set_result(
                {"prepared": [prepared], "keys": [], "in_network": "none", "winner": None,
                 "seconds": 0.0, "candidates": {}}
            )  # fmt: skip
            return done

    monkeypatch.setattr(quality, "_advisor_process", Inline)
    monkeypatch.setattr(reference, "train_and_score", lambda *a: [{"r2": 0.0, "rmse": 1.0}])
    quality.run_subject("advisor", fold, reference.Reference(), "fast")
    assert calls == [{"groups": "unit", "time_order": None}]


@pytest.mark.slow
def test_the_advisor_drops_the_group_column_it_is_given(tmp_path):
    fold = reference.dataset_folds(_panel_folder(tmp_path), reference.Reference())[0]
    x_train, y_train, x_test, _ = fold.parts()
    out = quality.advise_fold(
        "rules", x_train, y_train, x_test, "regression", "fast", (), groups="unit"
    )
    # year, x and size: the unit is not one-hot encoded (nor anything else)
    assert out["prepared"][0].x_train.shape == (len(x_train), 3)
    assert out["prepared"][0].x_test.shape == (len(x_test), 3)


def test_a_panels_records_carry_its_split_and_kfold_records_none(tmp_path, monkeypatch):
    panel = _panel_folder(tmp_path)
    scores = lambda data, prepared, settings: [{"r2": 0.5, "rmse": 1.0}] * len(prepared)  # noqa: E731
    monkeypatch.setattr(reference, "train_and_score", scores)
    strategies = [reference.STRATEGIES["standard"]]
    settings = reference.Reference()
    records = reference.evaluate_fixed(panel, strategies, settings, tmp_path, log=lambda m: None)
    assert {r["split"] for r in records} == {"grouped by unit"}
    # The same file read as kfold (no groups named): its records are other keys.
    kfold = reference.Dataset(panel.name, panel.path, "y", "regression", panel.sha256)
    plain = reference.evaluate_fixed(kfold, strategies, settings, tmp_path, log=lambda m: None)
    assert all("split" not in r for r in plain)
    assert len(reference.read_records(reference.fixed_results_path(tmp_path, "panel"))) == 10
    kept = quality.committed_fixed(kfold, settings, tmp_path)
    assert len(kept) == 5 and all("split" not in r for r in kept)


def _shared_datasets() -> dict[str, reference.Dataset]:
    if not all((folder / "targets.json").exists() for folder in reference.DEFAULT_DATA):
        pytest.skip("the shared datasets are not here")
    return reference.discover(reference.DEFAULT_DATA)


def test_the_committed_records_of_kfold_datasets_keep_their_keys():
    """Every (dataset, strategy, fold) the harness plans for a shuffled-fold dataset is
    found among the committed fixed records (no split field), so none is recomputed."""
    datasets = _shared_datasets()
    key = reference.Reference().key()
    kfold = [d for d in datasets.values() if d.split == reference.KFOLD]
    assert len(kfold) == len(datasets) - 3  # gapminder, txhousing and grunfeld are panels
    for dataset in kfold:
        records = reference.read_records(
            reference.fixed_results_path(reference.RESULTS, dataset.name)
        )
        assert all("split" not in r for r in records), dataset.name
        have = {reference.record_key(r) for r in records}
        planned = [
            reference._wanted_key(dataset, s, f, key)
            for f in range(reference.FOLDS)
            for s in reference.FIXED
        ]
        assert all(k in have for k in planned), dataset.name


def test_a_kfold_dataset_reuses_its_committed_fixed_and_advisor_records(monkeypatch):
    dataset = _shared_datasets()["wine"]
    settings = reference.Reference()

    def no_training(*args, **kwargs):
        raise AssertionError("a committed result was recomputed")

    monkeypatch.setattr(reference, "train_and_score", no_training)
    monkeypatch.setattr(quality, "run_subject", no_training)
    fixed = reference.evaluate_fixed(dataset, reference.FIXED, settings, reference.RESULTS)
    assert len(fixed) == len(reference.FIXED) * reference.FOLDS
    # the calibration pass's advisor records (digest b92246c399e3, budget fast)
    monkeypatch.setattr(quality, "advisor_digest", lambda extra=(): "b92246c399e3")
    advised = quality.evaluate_subject(dataset, "advisor", settings, reference.RESULTS, "fast")
    assert [r["fold"] for r in advised] == list(range(reference.FOLDS))


def test_the_panels_get_tables_of_their_own_named_by_their_folds():
    def records(strategy, values, split=None):
        extra = {"split": split} if split else {}
        return [
            {"strategy": strategy, "fold": k, "task": "regression", "rmse": v, **extra}
            for k, v in enumerate(values)
        ]

    iid = quality.summarize("iid", records("standard", [1.0] * 5) + records("none", [2.0] * 5), "")
    panel = quality.summarize(
        "panel",
        records("standard", [1.0] * 5, "grouped by unit")
        + records("none", [2.0] * 5, "grouped by unit"),
        "",
    )
    text = quality.render([panel, iid], ["standard", "none"], "")
    first, second = text.split("#### Per dataset, folds: grouped by unit")
    assert "#### Overall, folds: kfold (1 datasets" in first and "| iid |" in first
    assert "#### Overall, folds: grouped by unit (1 datasets" in second
    assert "| panel (grouped by unit) |" in second


@pytest.mark.slow
def test_the_fixed_strategies_run_on_a_panel_folder_from_the_command_line(tmp_path, capsys):
    _panel_folder(tmp_path)
    results = str(tmp_path / "results")
    reference.main(["--data", str(tmp_path), "--results", results, "--quiet"])
    records = reference.read_records(reference.fixed_results_path(tmp_path / "results", "panel"))
    assert len(records) == len(reference.FIXED) * reference.FOLDS
    assert {r["split"] for r in records} == {"grouped by unit"}
    capsys.readouterr()
    # the tables from the records written (--no-fixed: nothing is trained)
    quality.main(["--data", str(tmp_path), "--subject", "none", "--no-fixed", "--results",
                  results, "--quiet"])  # fmt: skip
    out = capsys.readouterr().out
    assert "#### Overall, folds: grouped by unit (1 datasets" in out
    assert "| panel (grouped by unit) | reg |" in out


def test_panels_table_reads_each_panels_shuffled_and_grouped_records(capsys):
    import panels

    panels.main(["--kfold-advisor", "b92246c399e3", "--grouped-advisor", "0" * 12])
    lines = capsys.readouterr().out.splitlines()
    rows = {tuple(cell.strip() for cell in line.split("|")[1:3]) for line in lines[2:]}
    for name, unit in (("gapminder", "country"), ("grunfeld", "firm"), ("txhousing", "city")):
        assert (name, "kfold") in rows and (name, f"grouped by {unit}") in rows
    shuffled = next(line for line in lines if line.startswith("| gapminder | kfold |"))
    assert "not every fold" not in shuffled  # the committed shuffled-fold records
    grouped = next(line for line in lines if line.startswith("| gapminder | grouped"))
    assert "not every fold scored yet" in grouped  # no records of an unknown digest
