"""Loading: task inference, column kinds, and one-line errors for every kind of bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advisor.errors import InputError
from advisor.table.load import infer_task, load_table


def test_penguins_splits_numeric_categorical_and_string_target(penguins_path):
    table = load_table(penguins_path, target="species")
    assert table.task == "classification"
    assert table.numeric == ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
    assert table.categorical == ("island", "sex")
    assert set(table.target.unique()) == {"Adelie", "Chinstrap", "Gentoo"}


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["a", "b", "a", "c"], "classification"),
        ([True, False, True, True], "classification"),
        ([0, 1, 2, 1, 0, 2, 1, 1], "classification"),
        ([0.5, 1.25, 3.0, 2.75], "regression"),
        (list(range(100)), "regression"),
        (["1", "2", "1", "2", "1", "2"], "classification"),
    ],
)
def test_task_is_inferred_from_the_target(values, task):
    assert infer_task(pd.Series(values)) == task


def test_task_can_be_forced(write_csv):
    path = write_csv("x,y\n1,0\n2,1\n3,0\n4,1\n5,2\n6,2\n")
    assert load_table(path, target="y", task="regression").task == "regression"


def test_dataframe_input_is_not_modified(penguins):
    before = penguins.copy(deep=True)
    load_table(penguins, target="species")
    pd.testing.assert_frame_equal(penguins, before)


def test_text_numbers_with_a_few_junk_values_are_read_as_numbers(write_csv):
    rows = "\n".join(f"{i},{'unknown' if i == 3 else i * 1.5}" for i in range(40))
    table = load_table(write_csv("a,b\n" + rows + "\n"))
    assert "b" in table.numeric
    assert np.isnan(table.features["b"].iloc[3])
    assert any("'unknown'" in note.message for note in table.notes)


def test_id_like_text_column_is_set_aside(write_csv):
    rows = "\n".join(f"user{i},{i % 7}" for i in range(60))
    table = load_table(write_csv("user,score\n" + rows + "\n"))
    assert table.excluded == ("user",)
    assert table.numeric == ("score",)


def test_datetime_text_column_is_set_apart_from_numbers_and_categories(write_csv):
    rows = "\n".join(f"2024-01-{i % 28 + 1:02d},{i}" for i in range(40))
    table = load_table(write_csv("day,value\n" + rows + "\n"))
    assert "day" in table.excluded


def test_rows_without_target_are_left_out_with_a_note(write_csv):
    path = write_csv("x,y\n1,a\n2,\n3,b\n4,a\n5,b\n")
    table = load_table(path, target="y")
    assert table.n_rows == 4
    assert any("without a target" in n.message for n in table.notes)


BAD_INPUTS = [
    ("missing file", None, "file not found"),
    ("empty file", "", "file is empty"),
    ("header only", "a,b,c\n", "no data rows"),
    ("ragged rows", "a,b,c\n1,2,3\n4,5\n6,7,8\n", "line 3: expected 3 fields"),
    ("too many fields", "a,b\n1,2\n3,4,5\n", "line 3: expected 2 fields"),
    ("non-utf8", b"a,b\n1,2\n3,\xff\xfe\n", "line 3: byte 0xff is not valid UTF-8"),
]


@pytest.mark.parametrize(("case", "content", "message"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_files_raise_one_line_errors_naming_file_and_place(
    write_csv, tmp_path, case, content, message
):
    path = tmp_path / "absent.csv" if content is None else write_csv(content)
    with pytest.raises(InputError) as info:
        load_table(path)
    text = str(info.value)
    assert message in text
    assert str(path) in text
    assert "\n" not in text


def test_unknown_target_names_the_column_and_lists_columns(write_csv):
    with pytest.raises(InputError, match=r"target column 'price' not found; columns are 'a', 'b'"):
        load_table(write_csv("a,b\n1,2\n3,4\n"), target="price")


def test_target_with_one_value_is_refused_without_numpy_reprs(write_csv):
    rows = "".join(f"{i},a\n" for i in range(12))
    with pytest.raises(InputError, match=r"every row has the same value \('a'\)"):
        load_table(write_csv("x,y\n" + rows), target="y")
    prices = "".join(f"{i},663000\n" for i in range(12))
    with pytest.raises(InputError, match=r"same number \(663000\): nothing to learn") as info:
        load_table(write_csv("x,price\n" + prices), target="price")
    assert "np." not in str(info.value) and "class" not in str(info.value)


def test_numbers_written_as_text_are_a_regression_target_unless_they_count_rows():
    frame = pd.DataFrame({"x": range(40), "y": [str(1000 + 7 * i % 13) for i in range(40)]})
    assert load_table(frame, target="y", task="regression").task == "regression"
    ids = pd.DataFrame({"x": range(40), "id": [str(500 + i) for i in range(40)]})
    with pytest.raises(InputError, match="target counts rows"):
        load_table(ids, target="id", task="regression")
    with pytest.raises(InputError, match="--task regression"):
        load_table(ids.assign(id=ids["id"] + "x").assign(id=[f"{500 + i}" for i in range(40)]),
                   target="id", task="classification")  # fmt: skip


def test_rare_classes_are_refused_or_dropped_with_a_note():
    from advisor.table.load import keep_learnable_classes

    y = ["a"] * 20 + ["b"] * 20 + ["c"] * 3
    table = load_table(pd.DataFrame({"x": range(43), "y": y}), target="y")
    with pytest.raises(InputError, match=r"'c' \(3 rows\); --drop-rare-classes"):
        keep_learnable_classes(table, folds=5, drop_rare=False)
    kept = keep_learnable_classes(table, folds=5, drop_rare=True)
    assert kept.n_rows == 40 and set(kept.target) == {"a", "b"}
    assert "3 rows of 1 rare class ('c'" in kept.notes[-1].message
    assert keep_learnable_classes(table, folds=3, drop_rare=True) is table


def test_target_all_missing_is_refused(write_csv):
    with pytest.raises(InputError, match="target has no values"):
        load_table(write_csv("x,y\n1,\n2,\n3,\n"), target="y")


def test_no_usable_feature_column(write_csv):
    rows = "\n".join(f"user{i:03d},{i % 2}" for i in range(30))
    with pytest.raises(InputError, match="no usable feature column besides the target 'y'"):
        load_table(write_csv("who,y\n" + rows + "\n"), target="y")


def test_regression_target_must_be_numeric(write_csv):
    with pytest.raises(InputError, match=r"data row 2: regression target must be a finite number"):
        load_table(write_csv("x,y\n1,1.5\n2,abc\n3,2.5\n"), target="y", task="regression")


def test_duplicate_column_names_are_refused(write_csv):
    with pytest.raises(InputError, match="duplicate column name 'a'"):
        load_table(write_csv("a,a\n1,2\n"))
