"""The Python API end to end: advise() on real data returns a fitted pipeline, a model
builder, class labels or a reversible target transform, and a reproducible advice file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import shared_dataset

from advisor import Advice, advise
from advisor.errors import AdviceFileError, InputError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def penguin_advice(penguins_path) -> Advice:
    return advise(penguins_path, target="species", seed=0)


def test_pipeline_turns_feature_frame_into_finite_matrix(penguin_advice, penguins):
    features = penguins.drop(columns="species")
    z = penguin_advice.pipeline.transform(features)
    assert z.shape == (len(penguins), len(penguin_advice.pipeline.get_feature_names_out()))
    assert np.isfinite(z).all()
    assert penguin_advice.in_network in {"none", "batch", "layer"}
    assert penguin_advice.classes == ("Adelie", "Chinstrap", "Gentoo")


def test_string_labels_work_end_to_end_with_the_built_model(penguin_advice, penguins):
    features = penguins.drop(columns="species")
    model = penguin_advice.build_model()
    x = penguin_advice.pipeline.transform(features).astype("float32")
    y = penguin_advice.encode_target(penguins["species"])
    model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    predicted = penguin_advice.decode_predictions(model.predict(x, verbose=0))
    assert set(predicted) <= {"Adelie", "Chinstrap", "Gentoo"}
    assert np.mean(predicted == penguins["species"].to_numpy()) > 0.9


def test_search_results_and_decision_are_in_the_advice(penguin_advice):
    search = penguin_advice.search
    assert search["default"] == "rules+none@periodic"  # NRM303: the numbers embedded
    assert search["winner"] in {c["key"] for c in search["candidates"]}
    for candidate in search["candidates"]:
        assert len(candidate["fold_scores"]) == search["n_folds"]
    assert "t-test" in search["test"]


def test_save_and_load_round_trip_gives_identical_transforms(penguin_advice, penguins, tmp_path):
    path = penguin_advice.save(tmp_path / "advice.json")
    loaded = Advice.load(path)
    features = penguins.drop(columns="species")
    x = penguin_advice.pipeline.transform(features)
    np.testing.assert_array_equal(loaded.pipeline.transform(features), x)
    assert loaded.to_json() == penguin_advice.to_json()
    assert loaded.in_network == penguin_advice.in_network
    # The same model, trained the same way, predicts the same labels from either.
    predictions = []
    for advice in (penguin_advice, loaded):
        model = advice.build_model(seed=3)
        model.fit(x.astype("float32"), advice.encode_target(penguins["species"]),
                  epochs=3, batch_size=32, verbose=0, shuffle=False)  # fmt: skip
        predictions.append(advice.decode_predictions(model.predict(x, verbose=0)))
    np.testing.assert_array_equal(predictions[0], predictions[1])


def test_arrays_and_target_values_are_accepted_in_place_of_a_frame():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    advice = advise(X, target=pd.Series(y, name="answer"), seed=0, max_trials=1)
    assert advice.target_name == "answer" and advice.classes == ("no", "yes")
    assert advice.plan.numeric == ("x0", "x1", "x2")
    assert advise(X).task is None  # features alone: the rules' plan
    with pytest.raises(InputError, match="one value per row"):
        advise(X, target=y[:10])
    with pytest.raises(InputError, match="not both"):
        advise((X, y), target="y")


def test_loading_a_file_of_another_schema_version_is_refused(penguin_advice, tmp_path):
    text = penguin_advice.to_json().replace('"schema_version": 6', '"schema_version": 99')
    path = tmp_path / "future.json"
    path.write_text(text)
    with pytest.raises(AdviceFileError, match="schema version 99 is not supported"):
        Advice.load(path)


def test_regression_target_transform_maps_predictions_back():
    advice = advise(shared_dataset("cars"), target="Miles_per_Gallon", seed=0)
    assert advice.task == "regression"
    tt = advice.target_transformer
    frame = pd.read_csv(shared_dataset("cars"))
    y = frame["Miles_per_Gallon"].dropna().to_numpy()
    np.testing.assert_allclose(tt.inverse_transform(tt.transform(y)), y, rtol=1e-9)
    model = advice.build_model()
    assert model.output_shape == (None, 1)


def test_no_target_profiles_and_proposes_without_search(penguins):
    advice = advise(penguins)
    assert advice.search is None and not advice.validated
    assert any("validation needs --target" in note for note in advice.notes)
    z = advice.pipeline.transform(penguins)
    assert np.isfinite(z).all()


def test_same_seed_same_advice_bytes(penguins, tmp_path):
    small = penguins.sample(150, random_state=0).reset_index(drop=True)
    first = advise(small, target="species", seed=3, work_dir=tmp_path / "a").to_json()
    second = advise(small, target="species", seed=3, work_dir=tmp_path / "b").to_json()
    assert first == second


def test_dataframe_input_is_left_untouched(penguins):
    before = penguins.copy(deep=True)
    advise(penguins)
    pd.testing.assert_frame_equal(penguins, before)


def test_bad_budget_is_a_clear_error(penguins):
    with pytest.raises(InputError, match="budget must be one of fast, standard, thorough"):
        advise(penguins, target="species", budget="huge")


def test_pipeline_takes_the_users_frame_with_set_aside_columns(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "day": [f"2024-03-{i % 28 + 1:02d}" for i in range(120)],
            "amount": rng.lognormal(3, 1, 120),
            "user": [f"u{i}" for i in range(120)],
            "label": rng.choice(["a", "b"], 120),
        }
    )
    advice = advise(frame, target="label", seed=0, work_dir=tmp_path)
    assert "user" in advice.plan.dropped and advice.plan.dates == ("day",)
    z = advice.pipeline.transform(frame.drop(columns="label"))
    names = list(advice.pipeline.get_feature_names_out())
    assert names[0] == "amount" and all(n.startswith("day_") for n in names[1:])
    assert z.shape == (120, len(names)) and np.isfinite(z).all()


def test_big_data_is_searched_and_fit_on_a_seeded_stratified_sample():
    rng = np.random.default_rng(0)
    n = 1200
    frame = pd.DataFrame({"x": rng.normal(size=n), "z": rng.lognormal(size=n)})
    frame["label"] = np.where(rng.random(n) < 0.1, "rare", "common")
    first = advise(frame, target="label", seed=0, max_trials=1, sample_rows=300)
    again = advise(frame, target="label", seed=0, max_trials=1, sample_rows=300)
    assert first.search["sample"] == {"rows": 300, "of": n, "stratified_by": "class"}
    assert any("seeded sample of 300 of 1200 rows" in note for note in first.notes)
    assert first.to_json() == again.to_json()
    assert first.distributions["x"]["n"] == 300  # the final fit saw the sample too
    whole = advise(frame, target="label", seed=0, max_trials=1)
    assert whole.search["sample"] is None


def test_without_a_target_big_data_is_fit_on_a_seeded_sample_too():
    rng = np.random.default_rng(1)
    n = 1000
    frame = pd.DataFrame({"x": rng.normal(5, 2, n), "z": rng.lognormal(size=n)})
    first = advise(frame, seed=0, sample_rows=400)
    assert any("seeded sample of 400 of 1000 rows" in note for note in first.notes)
    assert first.distributions["x"]["n"] == 400
    assert first.to_json() == advise(frame, seed=0, sample_rows=400).to_json()
    assert first.to_json() != advise(frame, seed=1, sample_rows=400).to_json()
    # The sample's fit is close to the whole table's (the profile stays exact).
    whole = advise(frame, seed=0)
    assert not any("seeded sample" in note for note in whole.notes)
    assert first.profile == whole.profile
    z_sample, z_whole = first.transform(frame), whole.transform(frame)
    assert z_sample.shape == z_whole.shape
    assert 0 < np.median(np.abs(z_sample - z_whole)) < 0.1  # the tails move more


def test_stratified_sample_keeps_class_shares_and_every_class():
    from advisor.table.sample import stratified_sample

    y = pd.Series(["a"] * 900 + ["b"] * 97 + ["c"] * 3)
    rows = stratified_sample(y, "classification", 100, seed=1)
    assert len(rows) == 100 and len(set(rows)) == 100
    counts = y.iloc[rows].value_counts()
    assert abs(counts["a"] - 90) <= 1 and abs(counts["b"] - 10) <= 1 and counts["c"] >= 1
    np.testing.assert_array_equal(rows, stratified_sample(y, "classification", 100, seed=1))
    values = pd.Series(np.random.default_rng(0).lognormal(size=5000))
    sample = values.iloc[stratified_sample(values, "regression", 500, seed=0)]
    assert abs(sample.median() - values.median()) < 0.05 * values.median()


def test_the_profile_draws_its_samples_from_the_users_seed():
    # Above 5,000 values the Anderson-Darling test runs on a seeded sample of the column.
    from advisor.profiling.profile import profile_table
    from advisor.table.load import load_table

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.standard_t(5, 8000), "y": rng.normal(size=8000)})
    first = advise(frame, seed=1).profile
    assert first == profile_table(load_table(frame), seed=1).to_dict()
    other = advise(frame, seed=2).profile
    assert first["features"][0]["anderson_a2"] != other["features"][0]["anderson_a2"]
    assert advise(frame, seed=1).to_json() == advise(frame, seed=1).to_json()


def test_progress_receives_structured_events_that_are_their_own_text(penguins):
    from advisor.progress import ProgressEvent

    events: list[ProgressEvent] = []
    lines: list[str] = []

    def plain(message: str) -> None:  # a callback written for strings keeps working
        lines.append(message.upper())

    def both(event):
        events.append(event)
        plain(event)

    # a search of its own (another test's cached trials would not be announced)
    advice = advise(
        penguins, target="species", seed=0, max_trials=2, progress=both, use_cache=False
    )
    assert [(e.stage, e.done, e.candidate) for e in events] == [
        ("rules", 0, None),
        ("search", 1, "rules+none@periodic"),
        ("search", 2, events[2].candidate),
    ]
    assert all(isinstance(e, str) for e in events) and events[1].total >= 2
    assert lines[1] == f"TRIAL 1/{events[1].total}: RULES+NONE@PERIODIC"
    assert events[1].to_dict()["message"] == str(events[1])
    # Before the first trial: the rules' part of the report, the same as the final one's.
    from advisor.report.text import render_rules_text, render_text

    preview = events[0].preview
    assert preview is not None and events[0].to_dict()["preview"] == preview
    rules_part = render_rules_text(preview)
    full = render_text(advice.to_dict())
    assert full.startswith(rules_part) and "Features" in rules_part
    assert "Validation" not in rules_part
    assert rules_part + render_text(advice.to_dict(), rules_shown=True) == full


def test_import_advisor_imports_neither_keras_nor_tensorflow_nor_skrub():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import advisor\n"
        "from advisor import Advice, advise\n"
        "print(','.join(m for m in ('tensorflow', 'keras', 'keras_tuner', 'jax', 'skrub')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
