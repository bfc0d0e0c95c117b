"""The reports: JSON (schema, golden file), Markdown (golden file), HTML (self-contained,
escaped, rendered in a real headless browser), the terminal report and its CLI options."""

from __future__ import annotations

import contextlib
import dataclasses
import html
import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SAMPLE, chromium

from advisor import advise
from advisor.advice.advice import SCHEMA_FILE, Advice
from advisor.cli import main
from advisor.report.formats import REPORT_FORMAT_REGISTRY, file_formats, render_report
from advisor.report.html import render_html
from advisor.report.markdown import render_markdown
from advisor.report.text import render_text
from advisor.vocab import REPORT_FORMATS

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ADVISOR_UPDATE_GOLDEN") == "1"
XSS = "<script>alert(1)</script>"


def _golden(name: str, text: str) -> str:
    """The golden file's text; ADVISOR_UPDATE_GOLDEN=1 rewrites it from ``text``."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"golden file {path} missing: rerun with ADVISOR_UPDATE_GOLDEN=1")
    return path.read_text(encoding="utf-8")


def _close(a: Any, b: Any, where: str = "$") -> None:
    """Structural equality with a relative tolerance on numbers: another CPU's vector
    instructions sum in another order and change the last bits of a statistic (seen: AVX2
    against AVX-512); the keys, strings, counts and choices may not differ."""
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), where
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), f"{where}: {a} != {b}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), f"{where}: keys differ"
        for key in a:
            _close(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def _training_numbers_blanked(data: dict[str, Any]) -> dict[str, Any]:
    """The advice with every number the search's training produced replaced by its type.
    Training is chaotic where a candidate barely learns (raw inputs, no normalization):
    another CPU's last-bit differences move its curves, stopping epochs and fold scores by
    far more than any tolerance, so those are checked on one machine (the same-seed tests),
    and here only their shape, names and the decision."""

    def blank(value: Any) -> Any:
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, str):
            return _numbers_blanked(value)
        if isinstance(value, (int, float)):
            return type(value).__name__
        if isinstance(value, dict):
            return {key: blank(item) for key, item in value.items()}
        items = [blank(item) for item in value]
        if all(item in ("int", "float") for item in items):
            return "numbers"  # a curve's length is where training stopped
        return items

    search = dict(data["search"])
    for key in ("candidates", "comparisons", "decision"):
        if key in search:
            search[key] = blank(search[key])
    return {**data, "search": search}


def _numbers_blanked(text: str) -> str:
    return re.sub(r"[-+]?\d+(\.\d+)?(e[-+]?\d+)?", "#", text)


def _numbers_rounded(text: str) -> str:
    return re.sub(r"-?\d+\.\d+", lambda m: f"{float(m.group()):.2g}", text)


# The advice records its source path: run from the repository root so the golden files
# hold "sample_data/..." wherever the checkout is.


@pytest.fixture(scope="module")
def concrete_no_target() -> Advice:
    with contextlib.chdir(SAMPLE.parent):
        return advise("sample_data/concrete.csv", seed=0)


@pytest.fixture(scope="module")
def penguins_validated() -> Advice:
    with contextlib.chdir(SAMPLE.parent):
        return advise("sample_data/penguins.csv", target="species", seed=0)


def _validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# ----------------------------------------------------------------------------- JSON


def test_unvalidated_advice_matches_its_golden_json_and_markdown(concrete_no_target):
    """The same file on every machine up to the last bits of the statistics (byte for byte
    on one machine: tests/test_api.py::test_same_seed_same_advice_bytes)."""
    text = concrete_no_target.to_json()
    _close(json.loads(text), json.loads(_golden("concrete.advice.json", text)))
    markdown = render_markdown(concrete_no_target.to_dict())
    assert _numbers_rounded(markdown) == _numbers_rounded(_golden("concrete.advice.md", markdown))


@pytest.mark.slow
def test_validated_advice_matches_its_golden_json_and_markdown(penguins_validated):
    data = penguins_validated.to_dict()
    golden = json.loads(_golden("penguins.advice.json", penguins_validated.to_json()))
    _close(_training_numbers_blanked(data), _training_numbers_blanked(golden))
    markdown = render_markdown(data)
    golden_markdown = _golden("penguins.advice.md", markdown)
    assert _numbers_blanked(markdown) == _numbers_blanked(golden_markdown)


def test_advice_json_follows_the_published_schema(concrete_no_target):
    validator = _validator()
    errors = list(validator.iter_errors(concrete_no_target.to_dict()))
    assert not errors, [f"{e.json_path}: {e.message}" for e in errors[:5]]


@pytest.mark.slow
def test_validated_advice_json_follows_the_published_schema(penguins_validated):
    validator = _validator()
    errors = list(validator.iter_errors(penguins_validated.to_dict()))
    assert not errors, [f"{e.json_path}: {e.message}" for e in errors[:5]]


def test_schema_catches_a_key_it_does_not_document(concrete_no_target):
    data = concrete_no_target.to_dict()
    data["advice"]["surprise"] = 1
    assert list(_validator().iter_errors(data))


# ------------------------------------------------------------------------- Markdown / text


def test_markdown_and_text_escape_or_keep_hostile_names():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({XSS: rng.lognormal(size=300), "a|b": rng.normal(size=300)})
    data = advise(frame).to_dict()
    markdown = render_markdown(data)
    assert XSS not in markdown and "&lt;script&gt;" in markdown
    assert "a\\|b" in markdown  # a pipe would break the table
    assert XSS in render_text(data)  # a terminal shows the name as it is


def test_text_report_has_no_color_unless_asked(concrete_no_target):
    data = concrete_no_target.to_dict()
    assert "\x1b[" not in render_text(data)
    assert "\x1b[" in render_text(data, color=True)
    verbose = render_text(data, verbose=True)
    assert len(verbose) > len(render_text(data))
    assert "NRM019 default-standardize" in verbose


# ----------------------------------------------------------------------------- HTML


def test_html_is_self_contained_and_escapes_every_data_string():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            XSS: rng.lognormal(size=300),
            'quote" onmouseover="x': rng.normal(size=300),
            "label": rng.integers(0, 2, 300),
        }
    )
    page = render_html(advise(frame, target="label", seed=0, max_trials=2).to_dict())
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'onmouseover="x' not in page
    # Nothing is fetched: no external scripts, styles, images or fonts.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "<link" not in page
    # Plots are inline SVG: histograms per feature, scores with error bars, curves.
    assert page.count("<svg") >= 2 * 2 + 2
    assert "<polyline" in page and "<circle" in page


@pytest.mark.slow
def test_html_renders_in_a_headless_browser_without_console_errors(tmp_path):
    browser = chromium()
    if browser is None:
        pytest.skip(
            "no chromium found: install Debian's chromium (`apt-get install chromium`; "
            ".ci/run does) to check the HTML report in a real browser"
        )
    rng = np.random.default_rng(0)
    frame = pd.read_csv(SAMPLE / "penguins.csv")
    frame[XSS] = rng.normal(size=len(frame))
    page = tmp_path / "report.html"
    page.write_text(render_html(advise(frame, target="species", seed=0).to_dict()))
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run(
        [*flags, "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-rendered="ok"' in dom.stdout, "the page's script did not run to the end"
    assert 'data-errors="0"' in dom.stdout
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console
    assert XSS not in dom.stdout  # the name is text in the DOM, never an element
    shot = tmp_path / "report.png"
    subprocess.run(
        [*flags, "--window-size=1200,2400", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    keep = os.environ.get("ADVISOR_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, Path(keep) / "report.png")


# ----------------------------------------------------------------------------- CLI


@pytest.mark.slow
def test_cli_writes_every_format_and_report_rerenders_a_saved_advice(tmp_path):
    runner = CliRunner()
    out = {ext: tmp_path / f"advice.{ext}" for ext in ("json", "html", "md")}
    result = runner.invoke(
        main,
        [str(SAMPLE / "penguins.csv"), "-t", "species", "--json", str(out["json"]),
         "--html", str(out["html"]), "--markdown", str(out["md"])],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.output  # not a terminal: no color
    assert all(path.stat().st_size > 0 for path in out.values())
    again = tmp_path / "again.html"
    result = runner.invoke(main, ["report", str(out["json"]), "--html", str(again), "-q"])
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == out["html"].read_bytes()
    assert out["md"].read_text() == render_markdown(json.loads(out["json"].read_text()))


def test_report_command_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "something-else"}')
    result = CliRunner().invoke(main, ["report", str(bad)])
    assert result.exit_code == 2
    assert "not a normalization-advice file" in result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------------------ format registry


def test_every_report_format_has_a_renderer_a_suffix_and_a_cli_option(concrete_no_target):
    assert set(REPORT_FORMAT_REGISTRY) == set(REPORT_FORMATS)
    data = concrete_no_target.to_dict()
    for fmt, spec in REPORT_FORMAT_REGISTRY.items():
        assert render_report(data, fmt).endswith("\n"), fmt
        assert spec.suffix.startswith(".") and spec.label and spec.help
        # Every format is written to a file by its option, but the terminal report (printed).
        assert (spec.option is None) == (fmt == "text"), fmt
    options = [spec.option for spec in REPORT_FORMAT_REGISTRY.values() if spec.option]
    assert len(set(options)) == len(options)
    assert render_report(data, "json") == concrete_no_target.to_json()
    assert render_report(data, "markdown") == render_markdown(data)
    assert render_report(data, "text") == render_text(data)


def test_advise_and_advise_report_offer_every_registered_format(tmp_path, concrete_no_target):
    runner = CliRunner()
    for command in ("run", "report"):
        help_text = runner.invoke(main, [command, "--help"]).output
        for spec in file_formats().values():
            assert f"{spec.option} FILE" in help_text, (command, spec.option)
    saved = concrete_no_target.save(tmp_path / "advice.json")
    args = ["report", str(saved), "-q"]
    for fmt, spec in file_formats().items():
        args += [str(spec.option), str(tmp_path / f"out.{fmt}{spec.suffix}")]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output == ""
    data = json.loads(saved.read_text(encoding="utf-8"))
    for fmt, spec in file_formats().items():
        written = (tmp_path / f"out.{fmt}{spec.suffix}").read_text(encoding="utf-8")
        assert written == spec.render(data), fmt
    shown = runner.invoke(main, ["report", str(saved), "--json", str(tmp_path / "again.json")])
    assert shown.output.endswith(f"Advice written to {tmp_path / 'again.json'}\n")
    assert (tmp_path / "again.json").read_bytes() == saved.read_bytes()


@pytest.mark.parametrize("width", [60, 80, 100])
def test_the_terminal_report_fits_the_terminal_and_keeps_one_sign_convention(width):
    from advisor.report.text import render_text

    data = json.loads((GOLDEN / "penguins.advice.json").read_text())
    text = render_text(data, verbose=True, width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "scaler" in text.splitlines()[6] or "standardize" in text  # the scaler column stays
    flat = " ".join(text.split())
    assert re.search(r"has (higher|lower) loss by \d", flat)
    assert "changes the mean loss" not in flat
    assert "+0.0" not in text.split("Against the default")[1]  # no signed "improvement"
    wide = render_text(data, width=None)
    assert "conf: the top proposal's score" in wide
    assert ("conf: the top" in text) == ("conf" in text.splitlines()[6])


def test_plots_have_labelled_ticks_on_both_axes():
    from advisor.report import svg

    assert svg.nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert svg.nice_ticks(3.2, 97.0, 4) == [20.0, 40.0, 60.0, 80.0]
    assert svg.nice_ticks(5.0, 5.0) == [5.0]
    hist = svg.histogram([0.0, 2.5, 5.0, 7.5, 10.0], [1, 4, 2, 1], "x")
    assert hist.count('class="tick"') >= 5  # x: 0 .. 10, y: 0 .. 4
    assert ">10</text>" in hist and ">4</text>" in hist
    curve = svg.lines([("a", [1.0, 0.5, 0.4, 0.35])], y_label="loss")
    assert ">1</text>" in curve and ">4</text>" in curve  # epochs 1 .. 4 on x
    assert curve.count('class="tick"') >= 6
    bars = svg.differences(["a", "b"], [-0.2, 0.3], [0.05, 0.1], "default", axis_label="loss")
    assert bars.count('class="tick"') >= 4  # the zero line's label and the x ticks
    assert 'stroke-dasharray="4 3"' in bars and ">default</text>" in bars


def test_numbers_are_printed_to_the_precision_their_fold_noise_supports():
    """Issue 34: "higher loss by 0.0005459" where the folds vary by ±0.005 claims digits
    the folds cannot support: two significant digits of the noise, no more."""
    from advisor.search.words import loss_change, noise_decimals, standard_error, to_noise

    assert noise_decimals(0.005) == 4 and noise_decimals(0.05) == 3 and noise_decimals(3.2) == 1
    assert noise_decimals(250.0) == 0 and noise_decimals(0.0) == 4 and noise_decimals(None) == 4
    assert noise_decimals(0.0000047) == 4  # never more digits than before
    assert to_noise(0.0005459, 0.005) == "0.0005"
    assert loss_change(-0.0005459, 0.005) == "higher loss by 0.0005"
    assert loss_change(0.0123456, 0.0021) == "lower loss by 0.0123"
    assert loss_change(0.0123456) == "lower loss by 0.01235"  # no noise: 4 digits, as before
    assert loss_change(0.00001, 0.005) == "the same loss to the folds' precision"
    assert standard_error(0.01, 2.0) == 0.005 and standard_error(0.01, None) is None


def test_a_many_level_categorical_says_what_one_hot_encoding_really_makes():
    from advisor import advise
    from advisor.report.markdown import render_markdown
    from advisor.report.text import render_text

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"city": [f"c{i}" for i in rng.integers(0, 60, 600)],
                          "x": rng.normal(size=600)})  # fmt: skip
    advice = advise(frame)
    data = advice.to_dict()
    for text in (render_text(data, width=None), render_markdown(data)):
        assert "one-hot: 31 most frequent + infrequent" in text
    names = advice.pipeline.get_feature_names_out()
    assert sum(str(n).startswith("city_") for n in names) == 32  # 31 + "infrequent"


def test_a_date_column_used_as_features_is_not_called_set_aside():
    from advisor import advise
    from advisor.report.html import render_html
    from advisor.report.text import render_text

    days = pd.date_range("2021-01-01", periods=120, freq="D").strftime("%Y-%m-%d")
    frame = pd.DataFrame(
        {"day": days, "x": np.arange(120) % 7, "who": [f"u{i}" for i in range(120)]}
    )
    data = advise(frame).to_dict()
    text = render_text(data, width=100)
    assert "1 numeric, 0 categorical and 1 date feature columns" in text
    assert re.search(r"day +dates +date features", text)
    assert re.search(r"who +identifiers +drop", text)
    assert "Set aside by the loader: who" in text
    html = render_html(data)
    assert "<code>who</code>" in html and "<code>day</code>" not in html.split("Set aside")[1][:200]


def test_every_fast_plan_name_is_described_in_words():
    from advisor.report.labels import plan_description

    for name in ("rules", "shapes", "standard", "none", "string-encoder"):
        assert plan_description(name) != name, name
    assert "without the baseline" in plan_description("shapes")


@pytest.mark.slow
def test_a_raced_search_says_what_its_decision_rests_on_in_every_format(monkeypatch):
    """A search that raced across sample sizes (a first stage of 250 rows on concrete's
    1,030) writes a valid advice file whose evidence lists its stages, and every report
    says how many rows and folds the decision rests on and how sure it is."""
    from advisor.search.budgets import BUDGETS

    monkeypatch.setitem(BUDGETS, "fast", dataclasses.replace(BUDGETS["fast"], first_rows=250))
    with contextlib.chdir(SAMPLE.parent):
        advice = advise("sample_data/concrete.csv", target="compressive_strength", seed=0)
    data = json.loads(advice.to_json())
    _validator().validate(data)
    evidence = data["search"]["evidence"]
    assert [s["rows"] for s in evidence["stages"]] == [250, 1030]
    assert evidence["rows"] == 1030 and evidence["folds"] == 5
    assert evidence["stages"][0]["candidates"] == len(data["search"]["candidates"])
    said = f"the decision rests on 5 folds of 1,030 rows ({evidence['stages'][0]['candidates']}"
    assert said in advice.to_text()
    assert said.capitalize() in advice.to_markdown() and said.capitalize() in advice.to_html()
    out = [c for c in data["search"]["candidates"] if c["status"] == "eliminated"]
    assert len(out) == evidence["stages"][0]["candidates"] - evidence["stages"][1]["candidates"]
    for c in out:
        assert "on 250 rows; not trained on more rows" in c["message"]
        assert len(c["fold_scores"]) == 5 and c["mean"] is not None
    assert {c["challenger"] for c in data["search"]["comparisons"]}.isdisjoint(
        c["key"] for c in out
    )


def test_the_html_plots_each_challenger_against_the_default_and_states_the_decision_once():
    """Issue 34: raw losses put six close candidates on one dot beside one at 1.05; the
    chart shows each challenger's difference to the default with the rule's error bar, the
    far-worse ones off the scale, and the decision sentence appears once on the page."""
    from advisor.report.html import render_html

    data = json.loads((GOLDEN / "penguins.advice.json").read_text())
    page = render_html(data)
    assert "minus the default" in page and 'stroke-dasharray="4 3"' in page
    compared = data["search"]["comparisons"]
    far = [c for c in compared if -c["mean_improvement"] > 0.1]
    assert far and page.count("off the scale") == len(far)
    assert page.count(html.escape(data["search"]["decision"])) == 1
