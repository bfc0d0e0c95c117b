"""The `advise` command: help without TensorFlow, one-line errors with exit code 2, the
report, and JSON output that is atomic and reproducible."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT

from advisor.cli import main
from advisor.cli.output import progress_line, progress_printer
from advisor.io.atomic import write_atomic
from advisor.progress import ProgressEvent, trial_started


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_help_does_not_import_tensorflow():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from advisor.cli import main\n"
        "for args in (['--help'], ['run', '--help'], ['check', '--help'], ['report', '--help']):\n"
        "    r = CliRunner().invoke(main, args)\n"
        "    assert r.exit_code == 0, r.output\n"
        "heavy = ('tensorflow', 'keras', 'keras_tuner', 'sklearn', 'numpy', 'pandas', 'scipy',\n"
        "         'tqdm')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_progress_line_reads_the_event_fields_not_its_text():
    bar = "searching [######........................] 2/5 rules+batch"
    assert progress_line(trial_started(2, 5, "rules+batch")) == bar
    # The fields decide, whatever the text says.
    event = ProgressEvent("something else", stage="search", done=4, total=4, candidate="x")
    assert progress_line(event) == "searching [" + "#" * 22 + "." * 8 + "] 4/4 x"
    # A plain message, or an event that does not say how far, is shown as it is.
    assert progress_line("trial 1/3: a plain string") == "trial 1/3: a plain string"
    assert progress_line(ProgressEvent("fitting", stage="fit")) == "fitting"


def test_progress_printer_draws_on_a_terminal_only(capsys):
    assert progress_printer(tty=False) is None
    show = progress_printer(tty=True)
    assert show is not None
    show(trial_started(1, 3, "rules+none"))
    assert capsys.readouterr().err.endswith("searching [" + "." * 30 + "] 1/3 rules+none")
    show(None)  # clears the line (click strips the ANSI code off a terminal)
    assert capsys.readouterr().err == "\r"


def test_help_shows_the_default_command_usage():
    result = _run("--help")
    assert result.exit_code == 0
    assert "advise DATA.csv [OPTIONS]" in result.output
    assert "--target" in _run("run", "--help").output


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, (), "file not found"),
        ("", (), "file is empty"),
        ("a,b\n", (), "header but no data rows"),
        ("a,b\n1,2\n3\n", (), "line 3: expected 2 fields"),
        (b"a,b\n1,\xff\n", (), "not valid UTF-8"),
        ("a,b\n1,2\n3,4\n", ("--target", "c"), "target column 'c' not found"),
        (
            "a,b\n" + "".join(f"{i},x\n" for i in range(12)),
            ("--target", "b"),
            "every row has the same value ('x')",
        ),
        ("a,b\n1,x\n3,y\n", ("--target", "b"), "2 rows with a target value"),
        ("a,price\n1,663000\n", ("--target", "price"), "1 row with a target value"),
        (
            "a,mail\n" + "".join(f"{i},u{i}@x.org\n" for i in range(40)),
            ("--target", "mail"),
            "40 different values in 40 rows ('u0@x.org', 'u1@x.org', ...): an identifier",
        ),
        (
            "a,day\n" + "".join(f"{i},2020-01-{i % 28 + 1:02d}\n" for i in range(40)),
            ("--target", "day"),
            "target looks like dates ('2020-01-01', '2020-01-02')",
        ),
        (
            "a,note\n" + "".join(f"{i},the parcel number {i} came late again\n" for i in range(40)),
            ("--target", "note"),
            "target is free text",
        ),
        (
            "a,row\n" + "".join(f"{i},{i}\n" for i in range(40)),
            ("--target", "row"),
            "target counts rows",
        ),
        (
            "a,c\n" + "".join(f"{i},{'z' if i < 2 else 'xy'[i % 2]}\n" for i in range(40)),
            ("--target", "c"),
            "1 class with fewer rows than the 5 folds: 'z' (2 rows)",
        ),
        ("a,b\n1,\n3,\n", ("--target", "b"), "target has no values"),
        (
            "a,y\nx1,0\nx2,1\n" + "".join(f"x{i},{i % 2}\n" for i in range(3, 40)),
            ("--target", "y"),
            "no usable feature column",
        ),
    ],
    ids=[
        "missing",
        "empty",
        "header-only",
        "ragged",
        "non-utf8",
        "unknown-target",
        "one-class",
        "two-rows",
        "one-row-price",
        "e-mail-target",
        "date-target",
        "free-text-target",
        "row-index-target",
        "rare-class",
        "no-target-values",
        "no-feature",
    ],
)
def test_bad_input_gives_one_line_error_and_exit_2(tmp_path, content, args, message):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = _run(str(path), *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ")


def test_without_target_prints_proposals_and_says_validation_needs_one(penguins_path):
    result = _run(str(penguins_path))
    assert result.exit_code == 0, result.output
    assert "bill_length_mm" in result.output and "NRM018" in result.output
    assert "NRM010" in result.output  # the shape rule, among the runners-up
    assert "Validation needs a target" in result.output


def test_failed_run_leaves_an_existing_output_untouched(tmp_path):
    out = tmp_path / "advice.json"
    out.write_text("previous advice")
    result = _run(str(tmp_path / "absent.csv"), "--json", str(out))
    assert result.exit_code == 2
    assert out.read_text() == "previous advice"


def test_interrupted_write_leaves_no_half_written_file(tmp_path, monkeypatch):
    out = tmp_path / "advice.json"
    out.write_text("previous advice")

    def crash(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(out, "new advice")
    assert out.read_text() == "previous advice"
    assert os.listdir(tmp_path) == ["advice.json"]


def test_unwritable_json_path_is_a_clear_error(tmp_path, penguins_path):
    result = _run(str(penguins_path), "--json", str(tmp_path / "no" / "such" / "dir.json"))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_with_target_runs_the_search_and_writes_reproducible_json(tmp_path, penguins_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    result = _run(
        str(penguins_path), "--target", "species", "--json", str(first),
        "--work-dir", str(tmp_path / "w1"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for text in ("Validation: 5-fold", "rules+none", "±", "winner", "Decision:", "in-network"):
        assert text in result.output
    again = _run(
        str(penguins_path), "-t", "species", "--json", str(second), "-q",
        "--work-dir", str(tmp_path / "w2"),
    )  # fmt: skip
    assert again.exit_code == 0
    assert not list(tmp_path.glob("*.csv"))  # nothing but what was asked for
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json", "w1", "w2"]
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text())
    assert data["schema_version"] == 6 and data["advice"]["validated"] is True
    assert "seconds" not in first.read_text()


def test_profile_command_reads_gzip_and_parquet_and_writes_json(tmp_path, penguins):
    import gzip

    csv_path = tmp_path / "p.csv"
    penguins.to_csv(csv_path, index=False)
    gz = tmp_path / "p.csv.gz"
    gz.write_bytes(gzip.compress(csv_path.read_bytes()))
    parquet = tmp_path / "p.parquet"
    penguins.to_parquet(parquet)
    outputs = []
    for path, mode in ((gz, "--in-memory"), (parquet, "--streaming")):
        out = tmp_path / f"{path.name}.json"
        result = _run("profile", str(path), mode, "--json", str(out))
        assert result.exit_code == 0, result.output
        assert "body_mass_g" in result.output and "gaussian-like" in result.output
        outputs.append(json.loads(out.read_text()))
    a, b = (next(f for f in o["features"] if f["name"] == "body_mass_g") for o in outputs)
    assert a["mean"] == pytest.approx(b["mean"], rel=1e-12)
    assert outputs[1]["mode"] == "streaming"


def test_profile_command_says_what_the_classifier_decided_on_both_paths(tmp_path):
    """Junk cells, dates and ids: the same kinds and notes in memory and streamed, the
    columns set aside said so (not "0 distinct")."""
    from tricky_columns import write_tricky

    path = write_tricky(tmp_path)["tricky"]
    shown = []
    for mode in ("--in-memory", "--streaming"):
        result = _run("profile", str(path), mode)
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        row = next(line.split() for line in lines if line.strip().startswith("user_id"))
        assert row[1:] == ["id-like", "set", "aside"]
        notes = lines[lines.index("Notes:") + 1 :]
        assert "  - junk_late: 3 non-numeric values ('n.a.') read as missing" in notes
        shown.append((notes, [line.split()[:2] for line in lines if "set aside" in line]))
    assert shown[0] == shown[1]


def test_profile_command_errors_are_one_line(tmp_path):
    result = _run("profile", str(tmp_path / "absent.csv"))
    assert result.exit_code == 2 and "file not found" in result.output


def test_rules_command_lists_rules_with_rationale_and_the_catalog():
    result = _run("rules")
    assert result.exit_code == 0
    assert "NRM012 right-skew-log" in result.output and "why" in result.output
    assert "NRM101" in result.output and "moving averages" in result.output
    scalers = _run("rules", "--scalers")
    assert "quantile_normal" in scalers.output and "keras export" in scalers.output


def test_custom_rule_file_and_overrides_work_end_to_end(tmp_path, penguins_path):
    rules = tmp_path / "house.toml"
    rules.write_text(
        '[[rule]]\nid = "HSE001"\nname = "house-robust"\n'
        "when = \"kind in ['continuous', 'count']\"\n"
        'propose = [{ use = "robust", score = 99 }]\n'
        'rationale.triggers = "All measurements."\nrationale.why = "House policy."\n'
        'rationale.example = "bill_length_mm."\n'
    )
    out = tmp_path / "a.json"
    result = _run(
        str(penguins_path), "--rules", str(rules), "--scaler", "flipper_length_mm=minmax",
        "--drop", "island", "--json", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "HSE001" in result.output
    plan = json.loads(out.read_text())["advice"]["plan"]
    assert plan["scalers"]["bill_length_mm"] == "robust"
    assert plan["scalers"]["flipper_length_mm"] == "minmax"
    assert "island" in plan["dropped"]
    bad = _run(str(penguins_path), "--scaler", "flipper_length_mm")
    assert bad.exit_code == 2 and "COLUMN=KEY" in bad.output


@pytest.mark.slow
def test_the_report_says_when_trials_came_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "200")
    data = str(ROOT / "sample_data" / "penguins.csv")
    args = (data, "--target", "species", "--max-trials", "2")
    first = _run(*args)
    assert first.exit_code == 0, first.output
    assert "came from the cache" not in first.output
    again = _run(*args)
    assert "2 of 2 trials came from the cache" in again.output
    fresh = _run(*args, "--no-cache")
    assert "came from the cache" not in fresh.output
    assert "1 searches" in _run("cache").output
    assert "removed 1 searches" in _run("cache", "clear").output
    assert "came from the cache" not in _run(*args).output
