"""Date columns become calendar features (skrub's DatetimeEncoder): fit on training rows,
applied to new rows, missing and unparseable dates imputed with an indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advisor.plan.dates import DateFeatures


def test_dates_become_year_elapsed_time_and_cycles():
    days = pd.Series(pd.date_range("2019-01-01", periods=730, freq="D").strftime("%d/%m/%Y"))
    encoder = DateFeatures("day").fit(days)
    names = list(encoder.get_feature_names_out())
    assert names[:2] == ["day_year", "day_total_seconds"]
    assert {"day_month_circular_0", "day_weekday_circular_1"} <= set(names)
    assert not any("hour" in n for n in names)  # no times of day in training: none made
    out = encoder.transform(days)
    assert out.shape == (730, len(names))
    assert abs(out[:, 1].mean()) < 1e-9 and out[:, 1].std() == pytest.approx(1.0)
    month = names.index("day_month_circular_0"), names.index("day_month_circular_1")
    radius = np.hypot(out[:, month[0]], out[:, month[1]])
    assert np.allclose(radius, 1.0)  # on the circle: December next to January


def test_new_rows_with_missing_or_unparseable_dates_get_the_mean_and_an_indicator():
    train = pd.Series(["2020-01-05", "2021-06-30", None, "2022-12-31"] * 10)
    encoder = DateFeatures("d").fit(train)
    assert encoder.get_feature_names_out()[-1] == "d__missing"
    new = encoder.transform(pd.Series(["2030-01-01", "not a date", None]))
    assert new[0, -1] == 0.0 and new[0, 0] > 2  # a later year than any in training
    assert np.all(new[1:, :-1] == 0.0) and np.all(new[1:, -1] == 1.0)
    assert np.isfinite(new).all()


def test_times_of_day_add_the_hour_and_datetime_values_need_no_parsing():
    stamps = pd.Series(pd.date_range("2024-01-01", periods=100, freq="7h"))
    encoder = DateFeatures("t").fit(stamps)
    assert "t_hour_circular_0" in encoder.get_feature_names_out()
    assert np.isfinite(encoder.transform(stamps)).all()


def test_a_table_of_dates_is_advised_and_validated_with_date_features():
    from advisor import advise

    rng = np.random.default_rng(0)
    days = pd.date_range("2020-01-01", periods=240, freq="D")
    frame = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "noise": rng.normal(size=240)})
    frame["y"] = np.sin(2 * np.pi * days.day_of_year / 365.25) + 0.05 * rng.normal(size=240)
    advice = advise(frame, target="y", max_trials=1)
    assert advice.plan.dates == ("day",)
    assert advice.transform(frame.drop(columns="y")).shape[1] == 1 + 8
    reasons = {f["subject"]: f["ranked"][0]["rules"][0] for f in advice.proposals["features"]}
    assert reasons["day"] == "NRM022"
    dropped = advise(frame, overrides={"day": "drop"})
    assert dropped.plan.dates == () and "day" in dropped.plan.dropped


def test_date_features_do_not_export_to_keras_and_the_error_names_the_column():
    pytest.importorskip("keras")
    from advisor import advise
    from advisor.export.model import ExportError

    days = pd.date_range("2020-01-01", periods=120, freq="D")
    frame = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "x": np.arange(120.0) % 7})
    advice = advise(frame)
    with pytest.raises(ExportError, match="column 'day' uses 'date_features'"):
        advice.to_keras()


@pytest.mark.parametrize("freq", ["D", "7h"])
def test_the_encoder_rebuilt_from_settings_equals_one_fit_on_the_training_dates(freq):
    from skrub import DatetimeEncoder

    stamps = pd.Series(pd.date_range("2019-05-01", periods=300, freq=freq), name="t")
    features = DateFeatures("t").fit(stamps)
    direct = DatetimeEncoder(
        resolution=features.resolution_,
        add_weekday=True,
        add_total_seconds=True,
        periodic_encoding="circular",
    ).fit(stamps)
    rebuilt = features._encoder()
    assert list(rebuilt.get_feature_names_out()) == list(direct.get_feature_names_out())
    assert np.array_equal(
        np.asarray(rebuilt.transform(stamps)), np.asarray(direct.transform(stamps))
    )


def test_an_advice_with_dates_and_string_encoded_text_saves_and_loads(tmp_path):
    from advisor import Advice, advise

    days = pd.date_range("2020-01-01", periods=200, freq="D").strftime("%Y-%m-%d")
    frame = pd.DataFrame({"day": days, "city": [f"town {i % 40}" for i in range(200)]})
    frame["x"] = np.arange(200) % 9
    advice = advise(frame, overrides={"city": "string_encoder"})
    path = tmp_path / "advice.json"
    advice.save(path)
    loaded = Advice.load(path)
    assert np.allclose(loaded.transform(frame), advice.transform(frame), rtol=1e-6, atol=1e-7)
