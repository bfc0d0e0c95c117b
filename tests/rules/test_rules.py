"""Rules: each fires on data that should fire it and not on data that must not; the rule
language is safe; rule files are validated, overridable and can be disabled."""

from __future__ import annotations

import numpy as np
import pytest

from advisor.errors import RuleError
from advisor.profiling.column import profile_categorical, profile_numeric
from advisor.profiling.profile import dataset_profile as _dataset_of
from advisor.profiling.profile import profile_table
from advisor.profiling.types import DatasetProfile, FeatureProfile
from advisor.rules.engine import apply_rules, evaluate_rules, feature_lookup, load_rules
from advisor.rules.expr import ExpressionError, parse_condition
from advisor.table.load import load_table

RULES = load_rules()


def _outliers(n: int = 2000) -> np.ndarray:
    rng = np.random.default_rng(3)
    x = rng.normal(0.0, 1.0, n)
    x[:12] = 100.0
    x[12:24] = -100.0
    return x


def _solo(profile: FeatureProfile):
    """A feature rule's lookup for a column profiled on its own (a one-column dataset)."""
    dataset = _dataset_of("test", profile.n_rows, [profile], task=None, target_name=None)
    return feature_lookup(profile, dataset)


def _ranked(
    values: np.ndarray, baseline: bool = True
) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    profile = profile_numeric(values, "x")
    rules = tuple(r for r in RULES.active("feature") if baseline or not r.baseline)
    result = evaluate_rules("x", rules, _solo(profile), profile)
    return [p.choice for p in result.ranked], {p.choice: p.rule_ids for p in result.ranked}


def _fired(values: np.ndarray) -> set[str]:
    profile = profile_numeric(values, "x")
    result = evaluate_rules("x", RULES.active("feature"), _solo(profile), profile)
    return {f.rule_id for f in result.findings}


# (column, expected top scaler without the baseline, rule that must decide it)
TOP = [
    ("gaussian", "standard", "NRM010"),
    ("lognormal", "log1p_standard", "NRM012"),
    ("uniform01", "minmax", "NRM006"),
    ("pixels", "divide255", "NRM005"),
    ("cauchy", "quantile_normal", "NRM015"),
    ("zero_inflated", "maxabs", "NRM016"),
    ("binary", "passthrough", "NRM003"),
    ("constant", "drop", "NRM001"),
    ("left_skew_negative", "yeo_johnson", "NRM014"),
]


@pytest.mark.parametrize(("column", "scaler", "rule"), TOP, ids=[t[0] for t in TOP])
def test_generated_shapes_get_the_expected_top_scaler(shapes, column, scaler, rule):
    ranked, rules = _ranked(shapes[column], baseline=False)
    assert ranked[0] == scaler
    assert rules[scaler][0] == rule
    # With the baseline, numbers get robust scaling + smooth clip first and the shape
    # transform follows; binary columns, byte intensities and constants keep their own.
    ranked, rules = _ranked(shapes[column])
    if column in ("pixels", "binary", "constant"):
        assert ranked[0] == scaler and rules[scaler][0] == rule
    else:
        assert ranked[0] == "robust_clip" and rules["robust_clip"][0] == "NRM018"
        assert scaler in ranked


def test_every_numeric_feature_gets_a_ranked_list_not_one_answer(shapes):
    for name, values in shapes.items():
        ranked, _ = _ranked(values)
        if name != "constant":
            assert len(ranked) >= 2, name


# (rule, data that fires it, data that must not)
FIRES = [
    ("NRM001", "constant", "gaussian"),
    ("NRM002", "row_index", "gaussian"),
    ("NRM004", "codes_1_2", "binary"),
    ("NRM017", "lognormal", "zero_inflated"),
    ("NRM003", "binary", "uniform01"),
    ("NRM005", "pixels", "uniform01"),
    ("NRM006", "uniform01", "lognormal"),
    ("NRM010", "gaussian", "lognormal"),
    ("NRM011", "outliers", "gaussian"),
    ("NRM012", "lognormal", "gaussian"),
    ("NRM013", "zero_inflated", "lognormal"),
    ("NRM014", "left_skew_negative", "lognormal"),
    ("NRM015", "cauchy", "gaussian"),
    ("NRM016", "zero_inflated", "binary"),
    ("NRM019", "gaussian", "constant"),
    ("NRM018", "lognormal", "binary"),
]


@pytest.mark.parametrize(("rule", "fires", "quiet"), FIRES, ids=[f[0] for f in FIRES])
def test_rule_fires_on_its_case_and_not_on_others(shapes, rule, fires, quiet):
    data = {
        **shapes,
        "outliers": _outliers(),
        "row_index": np.arange(200, dtype=float),
        "codes_1_2": np.array([1.0, 2.0] * 50),
    }
    assert rule in _fired(data[fires])
    assert rule not in _fired(data[quiet])


def test_binary_codes_other_than_0_1_map_to_unit():
    ranked, rules = _ranked(np.array([1.0, 2.0] * 50))
    assert ranked[0] == "minmax" and rules["minmax"][0] == "NRM004"


def test_row_index_is_dropped():
    ranked, rules = _ranked(np.arange(200, dtype=float))
    assert ranked == ["drop"] and rules["drop"] == ("NRM002",)


def test_log_is_never_proposed_for_negative_values(shapes):
    for values in shapes.values():
        if np.nanmin(values) < 0:
            assert "log1p_standard" not in _ranked(values)[0]


def _dataset(n_rows: int, scale_ratio: float = 10.0) -> DatasetProfile:
    return DatasetProfile("d", n_rows, "classification", "y", (), 3, 0, scale_ratio, 0.0, 0.0)


def _network(profile: DatasetProfile) -> list[str]:
    result = evaluate_rules("network", RULES.active("dataset"), profile.field_value, None)
    return [p.choice for p in result.ranked]


def test_network_rules_keep_none_first_and_prefer_layernorm_for_small_data():
    assert _network(_dataset(200)) == ["none", "layer", "batch_renorm", "group", "batch"]
    assert _network(_dataset(1000)) == ["none", "batch", "batch_renorm"]
    assert _network(_dataset(5000)) == ["none", "batch"]
    assert _network(_dataset(5000, scale_ratio=1e5)) == ["none", "batch", "layer"]


def test_target_rules_offer_log_for_a_skewed_positive_target_below_the_z_score(shapes):
    # Squared error in target units is what a regression is judged by; a log-space fit
    # mapped back underestimates the conditional mean, so log1p is the runner-up.
    rules = RULES.active("target")
    skewed = profile_numeric(shapes["lognormal"], "y")
    plain = profile_numeric(shapes["gaussian"], "y")
    ranked = evaluate_rules("target", rules, skewed.field_value, None).ranked
    assert [p.choice for p in ranked] == ["standard", "log1p_standard"]
    assert [p.choice for p in evaluate_rules("target", rules, plain.field_value, None).ranked] == [
        "standard"
    ]


def test_proposals_for_penguins_name_rules_and_evidence(penguins_path):
    proposals = apply_rules(profile_table(load_table(penguins_path, target="species")), RULES)
    mass = proposals.feature("body_mass_g")
    assert mass.top == "robust_clip"
    assert "NRM018 robust-clip-default: kind=count" in mass.reason()
    finding = mass.finding("NRM010")
    assert dict(finding.evidence)["kind"] == "count"
    assert proposals.rule_plan().categorical == ("island", "sex")
    # The shapes plan: what the other rules rank first without the baseline.
    shapes = proposals.shapes_plan()
    assert shapes is not None and shapes.name == "shapes"
    assert shapes.scaler_for("body_mass_g") == "standard"
    assert shapes.categorical == ("island", "sex")


# ------------------------------------------------------------------ the condition language


@pytest.mark.parametrize(
    "text",
    [
        '__import__("os").system("true")',
        "x.__class__",
        "open('f')",
        "[c for c in x]",
        "x if y else z",
        "lambda: 1",
        "x[0]",
    ],
)
def test_condition_language_rejects_anything_but_comparisons(text):
    with pytest.raises(ExpressionError):
        parse_condition(text)


def test_undefined_statistics_never_fire_a_rule():
    condition = parse_condition("skew > 1 or not (skew <= 1)")
    assert condition.evaluate({"skew": None}.get) is True  # 'not' of a false comparison
    assert parse_condition("skew > 1").evaluate({"skew": None}.get) is False
    assert parse_condition("abs(skew) / 2 < 1").evaluate({"skew": None}.get) is False


def test_condition_records_the_fields_it_reads():
    c = parse_condition("nonneg and skew > 1 and abs(log_skew) < abs(skew) / 2")
    assert c.fields == ("nonneg", "skew", "log_skew")


# ------------------------------------------------------------------ rule files

GOOD_RULE = """
[[rule]]
id = "USR001"
name = "always-robust"
when = "kind == 'continuous'"
propose = [{ use = "robust", score = 99 }]
rationale.triggers = "Every continuous column."
rationale.why = "House policy."
rationale.example = "Any column."
"""


def test_user_rule_file_adds_rules_and_overrides_by_id(tmp_path, shapes):
    path = tmp_path / "mine.toml"
    path.write_text(
        GOOD_RULE
        + GOOD_RULE.replace("USR001", "NRM010").replace("robust", "maxabs").replace("99", "98")
    )
    rules = load_rules([path])
    assert rules.by_id("NRM010").proposals == (("maxabs", 98.0),)
    profile = profile_numeric(shapes["gaussian"], "g")
    result = evaluate_rules("g", rules.active("feature"), _solo(profile), profile)
    assert result.top == "robust" and result.ranked[0].rule_ids[0] == "USR001"


def test_disabling_a_rule_removes_it_and_unknown_ids_are_refused(shapes):
    rules = load_rules(disable=["NRM010"])
    with pytest.raises(KeyError):
        rules.by_id("NRM010")
    with pytest.raises(RuleError, match="cannot disable unknown rule 'NRM999'"):
        load_rules(disable=["NRM999"])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace('name = "always-robust"\n', ""),
            "rule USR001: field 'name' must be a non-empty string",
        ),
        (
            lambda t: t.replace("kind == 'continuous'", "kind === 1"),
            "rule USR001: field 'when': cannot parse",
        ),
        (
            lambda t: t.replace("kind == 'continuous'", "colour == 'red'"),
            "rule USR001: field 'when': unknown field 'colour'",
        ),
        (
            lambda t: t.replace('use = "robust"', 'use = "magic"'),
            "rule USR001: field 'propose': unknown choice 'magic'",
        ),
        (
            lambda t: t.replace('rationale.why = "House policy."\n', ""),
            "rule USR001: field 'rationale.why'",
        ),
        (lambda t: t + 'colour = "red"\n', "rule USR001: unknown field 'colour'"),
        (lambda t: t.replace("[[rule]]", "[[rule]"), "not valid TOML"),
        (lambda t: t + 'baseline = "yes"\n', "field 'baseline' must be true or false"),
        (
            lambda t: t + "baseline = true\nexclusive = true\n",
            "only a feature or encoding rule that is not exclusive can be a baseline",
        ),
    ],
    ids=[
        "no-name",
        "bad-syntax",
        "unknown-field",
        "unknown-choice",
        "no-rationale",
        "extra-field",
        "toml",
        "baseline-not-bool",
        "baseline-exclusive",
    ],
)
def test_malformed_rule_file_names_the_rule_and_the_field(tmp_path, edit, message):
    path = tmp_path / "bad.toml"
    path.write_text(edit(GOOD_RULE))
    with pytest.raises(RuleError) as info:
        load_rules([path])
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_builtin_rules_have_unique_ids_and_complete_rationale():
    ids = [r.id for r in RULES.rules]
    assert len(ids) == len(set(ids))
    for rule in RULES.rules:
        assert rule.rationale.triggers and rule.rationale.why and rule.rationale.example


def test_box_cox_is_offered_for_strictly_positive_skew_only(shapes):
    ranked, rules = _ranked(shapes["lognormal"])
    assert "box_cox" in ranked and rules["box_cox"] == ("NRM017",)
    assert "box_cox" not in _ranked(shapes["zero_inflated"])[0]


def test_far_outliers_offer_winsorizing_as_an_option():
    ranked, _ = _ranked(_outliers())
    assert "winsorize" in ranked


def test_categorical_columns_are_one_hot_encoded_by_rule(penguins_path):
    proposals = apply_rules(profile_table(load_table(penguins_path, target="species")), RULES)
    island = proposals.feature("island")
    assert island.top == "onehot" and island.ranked[0].rule_ids == ("NRM020",)


def test_rule_file_overrides_table_is_applied(tmp_path, penguins_path):
    path = tmp_path / "mine.toml"
    path.write_text('[overrides]\nbody_mass_g = "robust"\nisland = "drop"\n')
    rules = load_rules([path])
    profile = profile_table(load_table(penguins_path, target="species"))
    proposals = apply_rules(profile, rules)
    assert proposals.feature("body_mass_g").top == "robust"
    assert "island" in proposals.dropped
    # An API/CLI override beats the file's.
    again = apply_rules(profile, rules, overrides={"body_mass_g": "minmax"})
    assert again.feature("body_mass_g").top == "minmax"


def test_malformed_overrides_name_the_column(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[overrides]\nprice = "sparkle"\n')
    with pytest.raises(RuleError, match="overrides: column 'price' needs a scaler key"):
        load_rules([path])


def _categorical_fires() -> set[str]:
    import pandas as pd

    p = profile_categorical(pd.Series(["a", "b", "a", "c"] * 10), "c")
    return {f.rule_id for f in evaluate_rules("c", RULES.active("feature"), _solo(p), p).findings}


def _dataset_fires(n_rows: int, scale_ratio: float = 10.0) -> set[str]:
    p = _dataset(n_rows, scale_ratio)
    return {
        f.rule_id
        for f in evaluate_rules("network", RULES.active("dataset"), p.field_value, None).findings
    }


def _target_fires(values: np.ndarray) -> set[str]:
    p = profile_numeric(values, "y")
    result = evaluate_rules("target", RULES.active("target"), p.field_value, None, allow_empty=True)
    return {f.rule_id for f in result.findings}


def _tail_fires(tail_carries: bool, task: str = "regression", stray: bool = False) -> set[str]:
    """The rules fired on a heavy-tailed count whose far values the target follows
    linearly (``tail_carries``), or a Gaussian column the target follows as closely;
    ``stray``: instead, unrelated noise but for one far row that lines up with the
    target (its r² is large, the clip flattens it: a stray row, not a tail)."""
    import pandas as pd

    rng = np.random.default_rng(11)
    x = np.round(rng.lognormal(2.0, 1.5, 600)) if tail_carries else rng.normal(50, 10, 600)
    y = x + rng.normal(0, 0.2 * x.std(), 600)
    if stray:
        x, y = rng.normal(size=600), rng.normal(size=600)
        x[0], y[0] = 500.0, 40.0
    if task == "classification":
        y = np.where(y > np.median(y), "high", "low")
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=600), "y": y})
    from advisor.rules.target_links import with_target_links

    table = load_table(frame, target="y", task=task)
    proposals = apply_rules(with_target_links(profile_table(table), table), RULES)
    return {f.rule_id for f in proposals.feature("x").findings}


def _image_fires(n_columns: int, top: int = 16) -> set[str]:
    """The rules fired on pixel 0 of rows of ``n_columns`` integer intensities 0..top."""
    import pandas as pd

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {f"p{i}": rng.integers(0, top + 1, 300).astype(float) for i in range(n_columns)}
    )
    proposals = apply_rules(profile_table(load_table(frame)), RULES)
    return {f.rule_id for f in proposals.feature("p0").findings}


def _code_fires(name: str, values: np.ndarray) -> set[str]:
    p = profile_numeric(values, name)
    return {f.rule_id for f in evaluate_rules(name, RULES.active("feature"), _solo(p), p).findings}


def _date_fires(text: bool) -> set[str]:
    import pandas as pd

    days = pd.date_range("2021-03-01", periods=120, freq="D")
    frame = pd.DataFrame({"day": days.strftime("%Y-%m-%d") if text else days.day_of_year})
    proposals = apply_rules(profile_table(load_table(frame)), RULES)
    return {f.rule_id for f in proposals.feature("day").findings}


def _text_fires(levels: int) -> set[str]:
    import pandas as pd

    frame = pd.DataFrame({"city": [f"town {i % levels}" for i in range(400)]})
    proposals = apply_rules(profile_table(load_table(frame)), RULES)
    return {f.rule_id for f in proposals.feature("city").findings}


ZIPS = np.random.default_rng(3).integers(98001, 98200, 400).astype(float)


def _encoding_fires(shape: str, n: int = 500) -> set[str]:
    """The encoding rules fired on one column of ``n`` rows of a shape."""
    import pandas as pd

    rng = np.random.default_rng(11)
    values = {
        "gaussian": rng.normal(size=n),
        "heavy": rng.standard_t(1.5, size=n),
        "two_modes": np.concatenate([rng.normal(-3, 0.5, n // 2), rng.normal(3, 0.5, n - n // 2)]),
        "few_values": rng.integers(0, 10, n).astype(float),
    }[shape]
    proposals = apply_rules(profile_table(load_table(pd.DataFrame({"x": values}))), RULES)
    return {f.rule_id for entry in proposals.encodings for f in entry.findings}


# (rule, a case that fires it, a case that must not)
OTHER_FIRES = {
    # Integers named as codes are labels; the same integers named otherwise, or fractions
    # named after a zip code area, are amounts.
    "NRM021": (
        lambda s: _code_fires("zipcode", ZIPS) & _code_fires("plot_id", ZIPS % 24),
        lambda s: _code_fires("price", ZIPS) | _code_fires("frac_emp_zip", ZIPS / 1e5),
    ),
    # 64 pixels are an image; 8 columns of the same counts are not.
    "NRM007": (lambda s: _image_fires(64), lambda s: _image_fires(8)),
    "NRM020": (lambda s: _categorical_fires(), lambda s: _fired(s["gaussian"])),
    "NRM022": (lambda s: _date_fires(text=True), lambda s: _date_fires(text=False)),
    "NRM023": (lambda s: _text_fires(40), lambda s: _text_fires(30)),
    # The clip would flatten the tail the target follows; not where it keeps the signal,
    # and never for classification (no linear signal to keep).
    "NRM024": (
        lambda s: _tail_fires(True),
        lambda s: (
            _tail_fires(False)
            | _tail_fires(True, "classification")
            | _tail_fires(False, stray=True)
        ),
    ),
    "NRM100": (lambda s: _dataset_fires(10), lambda s: _dataset_fires(0)),
    "NRM101": (lambda s: _dataset_fires(500), lambda s: _dataset_fires(499)),
    "NRM102": (lambda s: _dataset_fires(499), lambda s: _dataset_fires(500)),
    "NRM103": (lambda s: _dataset_fires(5000, 1e4), lambda s: _dataset_fires(5000, 10)),
    "NRM104": (lambda s: _dataset_fires(1000), lambda s: _dataset_fires(5000)),
    "NRM105": (lambda s: _dataset_fires(100), lambda s: _dataset_fires(600)),
    "NRM200": (lambda s: _target_fires(s["gaussian"]), lambda s: _target_fires(np.array([]))),
    "NRM201": (lambda s: _target_fires(s["lognormal"]), lambda s: _target_fires(s["gaussian"])),
    "NRM300": (lambda s: _encoding_fires("heavy"), lambda s: _encoding_fires("gaussian")),
    "NRM301": (lambda s: _encoding_fires("two_modes"), lambda s: _encoding_fires("gaussian")),
    "NRM302": (
        lambda s: _encoding_fires("gaussian", 2000),
        lambda s: _encoding_fires("gaussian", 1999),
    ),
    "NRM303": (lambda s: _encoding_fires("gaussian"), lambda s: _encoding_fires("few_values")),
}


@pytest.mark.parametrize("rule", sorted(OTHER_FIRES))
def test_dataset_target_and_text_rules_fire_on_their_case_only(shapes, rule):
    fires, quiet = OTHER_FIRES[rule]
    assert rule in fires(shapes)
    assert rule not in quiet(shapes)


def test_every_builtin_rule_has_a_firing_test():
    covered = {f[0] for f in FIRES} | set(OTHER_FIRES) | {"NRM019"}
    assert {r.id for r in RULES.rules} <= covered


def test_custom_rule_file_and_overrides_through_the_api(tmp_path, penguins):
    from advisor import advise

    path = tmp_path / "house.toml"
    path.write_text(GOOD_RULE + '\n[overrides]\nsex = "drop"\n')
    advice = advise(penguins, rules=[path], overrides={"body_mass_g": "minmax"})
    scalers = dict(advice.plan.scalers)
    assert scalers["bill_length_mm"] == "robust"  # USR001 beats NRM010
    assert scalers["body_mass_g"] == "minmax"  # the API override beats USR001
    assert "sex" in advice.plan.dropped
    reasons = {f["subject"]: f["ranked"][0]["rules"][0] for f in advice.proposals["features"]}
    assert reasons["bill_length_mm"] == "USR001" and reasons["body_mass_g"] == "USER"


def test_image_intensities_share_min_max_and_bytes_keep_divide_by_255():
    assert "NRM007" in _image_fires(64, top=255)
    import pandas as pd

    rng = np.random.default_rng(8)
    frame = pd.DataFrame({f"p{i}": rng.integers(0, 256, 300).astype(float) for i in range(20)})
    proposals = apply_rules(profile_table(load_table(frame)), RULES)
    # 8-bit intensities: dividing by 255 (one mapping for every image) outranks the
    # numbers' baseline and min-max.
    ranked = [p.choice for p in proposals.feature("p0").ranked]
    assert ranked[0] == "divide255" and "minmax" in ranked
    assert proposals.shapes_plan() is None


def test_feature_rules_read_dataset_facts_but_a_column_field_wins():
    profile = profile_numeric(np.arange(10.0), "x")
    lookup = _solo(profile)
    assert lookup("image_like") is False
    assert lookup("n_numeric") == 1
    assert lookup("n_rows") == profile.n_rows  # the column's own field


def test_border_pixels_that_never_reach_the_images_top_keep_their_own_rules():
    import pandas as pd

    rng = np.random.default_rng(9)
    frame = pd.DataFrame({f"p{i}": rng.integers(0, 17, 300).astype(float) for i in range(20)})
    frame["border"] = np.where(rng.random(300) < 0.97, 0.0, rng.integers(1, 4, 300))
    profile = profile_table(load_table(frame))
    assert profile.image_like and profile.image_top == 16.0
    proposals = apply_rules(profile, RULES)
    assert proposals.feature("p3").top == "minmax"
    # A range fit on a few lit rows would not hold on new images: no NRM007 there.
    assert "NRM007" not in {f.rule_id for f in proposals.feature("border").findings}


def test_a_zip_code_column_is_one_hot_encoded_unless_the_user_says_it_is_a_number():
    import pandas as pd

    from advisor import advise

    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "zipcode": rng.choice([98004, 98052, 98103, 98115], 200),
            "sqft": rng.normal(2000, 400, 200).round(),
        }
    )
    advice = advise(frame)
    assert "zipcode" in advice.plan.categorical
    assert advice.transform(frame).shape[1] == 1 + 4  # sqft + one indicator per code
    kept = advise(frame, overrides={"zipcode": "standard"})
    assert dict(kept.plan.scalers)["zipcode"] == "standard"


def test_shapes_plan_leaves_out_overridden_columns():
    import pandas as pd

    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"skewed": rng.lognormal(10, 1, 400), "flat": rng.normal(0, 1, 400)})
    profile = profile_table(load_table(frame))
    proposals = apply_rules(profile, RULES)
    assert dict(proposals.rule_plan().scalers) == {"skewed": "robust_clip", "flat": "robust_clip"}
    assert dict(proposals.shapes) == {"skewed": "log1p_standard", "flat": "standard"}
    # A user's choice is the user's: no shapes alternative for that column.
    forced = apply_rules(profile, RULES, overrides={"skewed": "minmax"})
    assert dict(forced.shapes) == {"flat": "standard"}
    shapes = forced.shapes_plan()
    assert shapes is not None and dict(shapes.scalers) == {"skewed": "minmax", "flat": "standard"}
    # Without the baseline rule the rules' plan is the shapes plan, and none is offered.
    plain = apply_rules(profile, load_rules(disable=["NRM018"]))
    assert dict(plain.rule_plan().scalers) == {"skewed": "log1p_standard", "flat": "standard"}
    assert plain.shapes_plan() is None
