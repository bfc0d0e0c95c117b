"""`advise check` on real data: a dataset fits its own advice; shifted, rescaled,
outlier-injected, dropped and retyped columns fail with the right findings; a disjoint
random half raises nothing at the default failure level; the outputs are well-formed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SAMPLE, SHARED

from advisor import advise
from advisor.check.check import check
from advisor.check.render import CHECK_FORMAT_REGISTRY, render
from advisor.cli import main
from advisor.vocab import CHECK_FORMATS


def _halves(frame: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    order = np.random.default_rng(seed).permutation(len(frame))
    half = len(frame) // 2
    return frame.iloc[order[:half]].copy(), frame.iloc[order[half:]].copy()


@pytest.fixture(scope="module")
def concrete() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "concrete.csv")


@pytest.fixture(scope="module")
def concrete_halves(concrete):
    first, second = _halves(concrete, seed=0)
    return advise(first.drop(columns="compressive_strength"), seed=0), first, second


def _codes(result, severity="error"):
    return {(f.code, f.feature) for f in result.at_least(severity)}


def test_a_dataset_fits_its_own_advice(concrete_halves):
    advice, first, _ = concrete_halves
    result = check(first.drop(columns="compressive_strength"), advice)
    assert not result.findings
    assert not result.fails("warning")


def test_a_disjoint_random_half_raises_nothing_at_the_default_level(concrete_halves):
    advice, _, second = concrete_halves
    result = check(second.drop(columns="compressive_strength"), advice)
    assert not result.fails("error"), [f.message for f in result.at_least("error")]


@pytest.mark.parametrize(
    "name", ["breast_cancer", "wine", "diabetes", "digits", "cars", "fair", "star98"]
)
def test_random_halves_of_the_shared_datasets_pass_by_default(name):
    path = SHARED / f"{name}.csv"
    if not path.exists():
        pytest.skip("shared datasets not available beside the repository")
    target = json.loads((SHARED / "targets.json").read_text())[name]["target"]
    frame = pd.read_csv(path).drop(columns=target)
    for seed in (1, 2):
        first, second = _halves(frame, seed)
        result = check(second, advise(first, seed=0))
        assert not result.fails("error"), [f.message for f in result.at_least("error")]


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda f: f.assign(cement=f["cement"] + f["cement"].std()), {("CHK007", "cement")}),
        (lambda f: f.assign(cement=f["cement"] * 1000), {("CHK007", "cement")}),
        (lambda f: f.drop(columns="water"), {("CHK001", "water")}),
        (lambda f: f.assign(age=f["age"].astype(str) + " days"), {("CHK003", "age")}),
    ],
    ids=["shifted", "rescaled", "dropped", "retyped"],
)
def test_damaged_copies_fail_with_the_right_findings(concrete_halves, damage, expected):
    advice, _, second = concrete_halves
    result = check(damage(second.drop(columns="compressive_strength")), advice)
    assert result.fails("error")
    assert expected <= _codes(result)


def test_injected_outliers_fail_as_outliers(concrete_halves):
    advice, _, second = concrete_halves
    frame = second.drop(columns="compressive_strength")
    rows = np.random.default_rng(0).random(len(frame)) < 0.05
    frame.loc[rows, "water"] = frame["water"].max() * 25
    result = check(frame, advice)
    assert ("CHK008", "water") in _codes(result)


def test_minmax_and_pixel_scalers_flag_values_beyond_their_fitted_range(concrete_halves):
    _, first, second = concrete_halves
    features = first.drop(columns="compressive_strength")
    advice = advise(features, overrides={"water": "minmax"}, seed=0)
    new = second.drop(columns="compressive_strength")
    new["water"] = new["water"] + 3 * (features["water"].max() - features["water"].min())
    result = check(new, advice)
    assert ("CHK006", "water") in _codes(result)


def test_unseen_categories_and_new_missing_values_are_reported(penguins):
    first, second = _halves(penguins.drop(columns="species"), seed=0)
    first = first.dropna()
    advice = advise(first, seed=0)
    second.loc[second.index[:40], "island"] = "Atlantis"
    second.loc[second.index[-30:], "body_mass_g"] = np.nan
    result = check(second, advice)
    codes = {(f.code, f.feature): f.severity for f in result.findings}
    assert codes[("CHK009", "island")] == "error"  # > 5% of rows
    assert codes[("CHK004", "body_mass_g")] == "warning"  # 30 rows: not chance
    assert codes[("CHK004", "bill_length_mm")] == "info"  # the one row the first half lacked
    assert codes[("CHK009", "sex")] == "warning"  # missing is a category never seen


def test_a_rule_flipping_on_a_borderline_statistic_is_reported_without_failing():
    # Gamma(4) has skewness exactly 1, NRM012's threshold: samples fall on either side.
    rng = np.random.default_rng(0)
    base = new = None
    for _ in range(200):
        a, b = rng.gamma(4.0, 10.0, 1500), rng.gamma(4.0, 10.0, 1500)
        if pd.Series(a).skew() < 0.97 and pd.Series(b).skew() > 1.03:
            base, new = a, b
            break
    assert base is not None
    advice = advise(pd.DataFrame({"x": base}), seed=0)
    # The rules' plan: robust scaling + smooth clip (the baseline) on both sides.
    assert dict(advice.plan.scalers) == {"x": "robust_clip"}
    assert not [f for f in check(pd.DataFrame({"x": new}), advice).findings if f.code == "CHK010"]
    # An advice whose search chose the shapes plan (the rules without their baseline):
    # NRM012's log flips on the new sample.
    other = advise(pd.DataFrame({"x": base}), seed=0, disable_rules=["NRM018"])
    shapes = dataclasses.replace(other, plan=dataclasses.replace(other.plan, name="shapes"))
    result = check(pd.DataFrame({"x": new}), shapes)
    flips = [f for f in result.findings if f.code == "CHK010"]
    assert flips and flips[0].severity == "info"
    assert flips[0].evidence["now"] == "log1p_standard"
    assert flips[0].evidence["baseline"] != "log1p_standard"
    assert not result.fails("warning")


def test_cli_exit_codes_and_formats(tmp_path, concrete_halves):
    advice, _, second = concrete_halves
    baseline = advice.save(tmp_path / "advice.json")
    good = tmp_path / "good.csv"
    second.drop(columns="compressive_strength").to_csv(good, index=False)
    bad = tmp_path / "bad.csv"
    second.drop(columns=["compressive_strength", "water"]).to_csv(bad, index=False)
    runner = CliRunner()
    ok = runner.invoke(main, ["check", str(good), "--baseline", str(baseline)])
    assert ok.exit_code == 0, ok.output
    junit = tmp_path / "check.xml"
    failed = runner.invoke(
        main,
        ["check", str(bad), "--baseline", str(baseline), "--format", "github",
         "--junit", str(junit), "--json", str(tmp_path / "check.json")],
    )  # fmt: skip
    assert failed.exit_code == 1
    assert "::error file=" in failed.output and "CHK001 water" in failed.output
    data = json.loads((tmp_path / "check.json").read_text())
    assert data["failed"] and data["counts"]["error"] >= 1
    missing = runner.invoke(main, ["check", str(good), "--baseline", str(tmp_path / "no.json")])
    assert missing.exit_code == 2 and "not found" in missing.output


def test_junit_output_is_accepted_by_a_junit_parser(tmp_path, concrete_halves):
    junitparser = pytest.importorskip("junitparser")
    advice, _, second = concrete_halves
    result = check(second.drop(columns=["compressive_strength", "water"]), advice)
    path = tmp_path / "check.xml"
    path.write_text(render(result, "junit"))
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = [xml] if isinstance(xml, junitparser.TestSuite) else list(xml)
    cases = [case for suite in suites for case in suite]
    assert len(cases) == int(suites[0].tests) >= len(result.checked)
    failed = [c for c in cases if any(isinstance(r, junitparser.Failure) for r in c.result)]
    assert [c.name for c in failed] == ["water: column missing"]


def test_advice_files_of_other_schema_versions_are_refused_naming_the_version(
    tmp_path, concrete_halves
):
    advice, _, second = concrete_halves
    text = advice.to_json().replace('"schema_version": 6', '"schema_version": 0')
    old = tmp_path / "old.json"
    old.write_text(text)
    data = tmp_path / "data.csv"
    second.to_csv(data, index=False)
    result = CliRunner().invoke(main, ["check", str(data), "--baseline", str(old)])
    assert result.exit_code == 2
    assert "schema version 0 is not supported" in result.output


def test_a_version_1_advice_file_is_read_and_says_what_it_cannot_check(tmp_path, concrete_halves):
    advice, _, second = concrete_halves
    data = json.loads(advice.to_json())
    data["schema_version"] = 1
    for key in ("distributions",):
        data.pop(key)
    data["proposals"].pop("rules")
    old = tmp_path / "v1.json"
    old.write_text(json.dumps(data))
    result = check(second.drop(columns="compressive_strength"), old)
    assert [f.code for f in result.findings] == ["CHK014"]
    assert not result.fails("warning")


def test_markdown_summary_lists_each_finding(concrete_halves):
    advice, _, second = concrete_halves
    result = check(second.drop(columns=["compressive_strength", "water"]), advice)
    markdown = render(result, "markdown")
    assert markdown.startswith("### advise check: FAILED")
    assert "| ❌ error | CHK001 | water |" in markdown


def test_path_input_matches_frame_input(tmp_path, concrete_halves):
    advice, _, second = concrete_halves
    frame = second.drop(columns="compressive_strength")
    path = Path(tmp_path / "new.csv")
    frame.to_csv(path, index=False)
    assert check(path, advice).findings == check(frame, advice).findings


def test_every_check_format_has_a_renderer_and_the_cli_offers_it(tmp_path, concrete_halves):
    assert set(CHECK_FORMAT_REGISTRY) == set(CHECK_FORMATS)
    advice, _, second = concrete_halves
    baseline = advice.save(tmp_path / "advice.json")
    bad = tmp_path / "bad.csv"
    second.drop(columns=["compressive_strength", "water"]).to_csv(bad, index=False)
    result = check(str(bad), str(baseline))
    for fmt in CHECK_FORMATS:
        assert render(result, fmt, "warning").endswith("\n"), fmt
    runner = CliRunner()
    help_text = runner.invoke(main, ["check", "--help"]).output
    assert "[" + "|".join(CHECK_FORMAT_REGISTRY) + "]" in help_text
    written = {fmt: spec for fmt, spec in CHECK_FORMAT_REGISTRY.items() if spec.option}
    args = ["check", str(bad), "--baseline", str(baseline), "-q", "--fail-on", "warning"]
    for fmt, spec in written.items():
        assert f"{spec.option} FILE" in help_text
        args += [str(spec.option), str(tmp_path / f"check.{fmt}")]
    outcome = runner.invoke(main, args)
    assert outcome.exit_code == 1 and outcome.output == ""
    for fmt in written:
        text = (tmp_path / f"check.{fmt}").read_text(encoding="utf-8")
        assert text == render(result, fmt, "warning"), fmt


def test_numeric_codes_and_dates_are_checked_as_what_they_are():
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame(
        {
            "day": pd.date_range("2021-01-01", periods=n).strftime("%Y-%m-%d"),
            "zipcode": rng.choice([98004, 98052, 98103], n),
            "x": rng.normal(size=n),
        }
    )
    advice = advise(frame, seed=0)
    assert advice.plan.categorical == ("zipcode",) and advice.plan.dates == ("day",)
    same = check(frame, advice)
    assert not [f for f in same.findings if f.severity == "error"]
    later = frame.assign(zipcode=rng.choice([98004, 99999], n))
    codes = {(f.code, f.feature): f.severity for f in check(later, advice).findings}
    assert ("CHK003", "zipcode") not in codes and ("CHK009", "zipcode") in codes
    codes = {
        (f.code, f.feature): f.severity for f in check(frame.drop(columns="day"), advice).findings
    }
    assert codes[("CHK001", "day")] == "error"


def test_an_advice_made_without_the_baseline_rule_is_checked_without_it():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"a": rng.lognormal(0, 1, 800), "b": rng.normal(0, 1, 800)})
    advice = advise(frame.iloc[:400], disable_rules=["NRM018"])
    result = check(frame.iloc[400:], advice)
    # No flip to the baseline's choice on every column: the rules rerun without it too.
    flips = [f for f in result.findings if f.code == "CHK010"]
    assert not [f for f in flips if f.evidence["now"] == "robust_clip"]


@pytest.mark.slow
def test_a_column_the_target_follows_keeps_its_scaler_when_new_rows_lack_the_target():
    """NRM024 fires on a regression advice (the target follows a count's tail); checking
    new rows without the target reruns the rules with the advice's links: no flip."""
    rng = np.random.default_rng(5)
    counts = np.round(rng.lognormal(2.0, 2.0, 800))
    frame = pd.DataFrame(
        {"counts": counts, "noise": rng.normal(size=800), "y": counts + rng.normal(0, 5, 800)}
    )
    first, second = _halves(frame, seed=1)
    advice = advise(first, target="y", seed=0, max_trials=1)
    assert dict(advice.plan.scalers)["counts"] == "standard"
    fired = {r for e in advice.proposals["features"] for p in e["ranked"] for r in p["rules"]}
    assert "NRM024" in fired
    for rows in (second, second.drop(columns="y")):
        result = check(rows, advice)
        assert ("CHK010", "counts") not in {(f.code, f.feature) for f in result.findings}
