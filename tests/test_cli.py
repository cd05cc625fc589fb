"""The ``orgmodel`` command line: outputs, reproducibility and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from orgmodel import simulate
from orgmodel.cli import app
from orgmodel.model.turnover import NO_TURNOVER
from orgmodel.outputs import OUTPUT_FILES, OutputError, summary_json, write_run
from orgmodel.scenario.files import load_scenario
from orgmodel.simulate import SimulationResult

SMALL = ["--set", "years=2", "--set", "market_size=300", "--set", "salespeople=3"]
SMALL_KEYS = ["years=2", "market_size=300", "salespeople=3"]
runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def cli_subprocess(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orgmodel", *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One small run through the CLI (seed 5), shared by the output checks.

    Nobody quits (issue #12's turnover), so the staff table has the same three people every month.
    """
    out = tmp_path_factory.mktemp("run") / "small"
    steady = [a for k, v in NO_TURNOVER.items() for a in ("--set", f"{k}={v}")]
    result = cli("run", *SMALL, *steady, "--seed", "5", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, result


# --- outputs ---------------------------------------------------------------------------------------------
def test_run_writes_all_five_files_with_the_right_rows(small_run):
    out, _ = small_run
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    ts = pd.read_parquet(out / "timeseries.parquet")
    staff = pd.read_parquet(out / "staff.parquet")
    assert len(ts) == 52 * 2
    assert list(ts["week"]) == list(range(1, 105))
    assert staff["person"].nunique() == 3
    assert len(staff) == 3 * 12 * 2  # people x months
    summary = json.loads((out / "summary.json").read_text(), parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    assert summary["seed"] == 5
    assert summary["years"] == 2
    assert len(summary["annual_revenue"]) == 2
    assert (out / "overview.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "overview.png").stat().st_size > 20_000
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".partial")]  # no staging folder left


def test_run_prints_a_yearly_table_and_where_files_went(small_run):
    out, result = small_run
    text = result.stdout
    for head in ("Revenue", "New", "Active", "Hunting", "Cost of", "Contri-"):
        assert head in text
    assert "Cross-sell multiplier" in text
    assert "summary.json" in text
    assert str(out) in text.replace("\n", "")
    revenue = json.loads((out / "summary.json").read_text())["annual_revenue"]
    assert f"{revenue[1] / 1e6:,.2f}" in text


def test_resolved_scenario_reloads_equal_and_reruns_identically(small_run, tmp_path):
    out, _ = small_run
    resolved = load_scenario(out / "scenario.toml")
    assert resolved == load_scenario("status_quo", SMALL_KEYS + [f"{k}={v}" for k, v in NO_TURNOVER.items()])
    again = tmp_path / "again"
    result = cli("run", str(out / "scenario.toml"), "--seed", "5", "--out", str(again))
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_parquet(out / "timeseries.parquet"), pd.read_parquet(again / "timeseries.parquet"))
    pd.testing.assert_frame_equal(pd.read_parquet(out / "staff.parquet"), pd.read_parquet(again / "staff.parquet"))


def test_same_seed_identical_different_seed_different():
    sc = load_scenario("status_quo", SMALL_KEYS)
    a, b, c = simulate(sc, seed=1), simulate(sc, seed=1), simulate(sc, seed=2)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    pd.testing.assert_frame_equal(a.staff, b.staff)
    assert not a.timeseries.equals(c.timeseries)
    assert a.summary["annual_revenue"] != c.summary["annual_revenue"]


def test_progress_callback_does_not_change_results():
    sc = load_scenario("hunter_farmer", SMALL_KEYS)
    seen = []
    ours = simulate(sc, seed=3, progress=lambda week, total: seen.append((week, total)))
    ref = simulate(sc, seed=3)
    assert seen == [(w, sc.weeks) for w in range(1, sc.weeks + 1)]
    pd.testing.assert_frame_equal(ours.timeseries, ref.timeseries)
    pd.testing.assert_frame_equal(ours.staff, ref.staff)
    assert json.dumps(ours.summary, sort_keys=True) == json.dumps(ref.summary, sort_keys=True)


def test_default_out_dir_is_out_slash_scenario_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("run", "new_client_bonus", "--set", "years=1", "--set", "market_size=300", "--set", "salespeople=3")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out" / "new_client_bonus").iterdir()) == sorted(OUTPUT_FILES)


def test_summary_json_has_null_for_nan():
    sc = load_scenario(None, SMALL_KEYS)
    result = SimulationResult(sc, 9, pd.DataFrame(), pd.DataFrame(), {"a": float("nan"), "b": [1.0, float("inf")]})
    data = json.loads(summary_json(result))
    assert data["a"] is None
    assert data["b"] == [1.0, None]
    assert data["seed"] == 9


# --- listing ---------------------------------------------------------------------------------------------
def test_scenarios_lists_builtins_with_descriptions():
    result = cli("scenarios")
    assert result.exit_code == 0
    for name in ("status_quo", "hunter_farmer", "hunter_farmer_fixed_headcount", "new_client_bonus"):
        assert name in result.stdout
    assert "Full-cycle salespeople keep every client" in " ".join(result.stdout.split())


@pytest.mark.parametrize("args", [["scenarios", "--keys"], ["keys"]])
def test_keys_lists_every_key_with_default_and_source(args):
    result = cli(*args)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    from orgmodel.scenario import Scenario

    for key in Scenario.model_fields:
        assert f"{key} = " in text, key
    assert "spoiledness = 0.67 (number, between 0 and 1)" in text
    assert "source: essay: about two thirds" in text
    assert "one of: capped_portfolio, full_cycle, hunter_farmer" in text


# --- bad input: one line on stderr, exit code 2, no traceback, nothing written ------------------------------
def _bad_file(tmp_path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return str(path)


BAD_INPUTS = {
    "unknown key": (["--set", "yeers=3"], ["unknown key 'yeers'", "did you mean 'years'"]),
    "wrong type": (["--set", "years=ten"], ["key 'years' must be an integer, got 'ten'"]),
    "out of range": (["--set", "spoiledness=1.5"], ["key 'spoiledness' must be between 0 and 1, got 1.5"]),
    "inconsistent": (["--set", "incentive=split_commission"], ["incentive 'split_commission'", "full_cycle"]),
    "unknown structure": (["--set", "structure=matrix"], ["unknown structure 'matrix'", "full_cycle, hunter_farmer"]),
    "unknown response": (
        ["--set", "management_response=fire_the_lazy"],
        ["unknown management_response 'fire_the_lazy'", "fixed_headcount, hire_on_revenue, push_harder, replace_low_performers"],
    ),
    "bad choice": (["--set", "handover_timing=soon"], ["handover_timing must be one of: after_implementation"]),
    "bad --set syntax": (["--set", "years"], ["--set expects KEY=VALUE"]),
    "unknown built-in": (["status_qou"], ["unknown scenario 'status_qou'", "status_quo, hunter_farmer"]),
    "missing file": (["missing.toml"], ["scenario file 'missing.toml' does not exist"]),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line(case, tmp_path):
    args, expected = BAD_INPUTS[case]
    out = tmp_path / "out"
    proc = cli_subprocess("run", *args, "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    for part in expected:
        assert part in lines[0]
    assert not out.exists()  # validated before anything was written


def test_bad_files_exit_2(tmp_path):
    cases = {
        _bad_file(tmp_path, "broken.toml", "years = 2\nspoiledness = \n"): ["not valid TOML", "line 2"],
        _bad_file(tmp_path, "typo.toml", 'years = "ten"\n'): ["key 'years' must be an integer", "typo.toml"],
        str(tmp_path) + "/": ["is a directory"],
    }
    for source, expected in cases.items():
        result = cli("run", source, "--out", str(tmp_path / "out"))
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("error: ")
        assert result.stderr.count("\n") == 1
        for part in expected:
            assert part in result.stderr


def test_usage_errors_exit_2():
    proc = cli_subprocess("run", "--bogus")
    assert proc.returncode == 2
    assert "No such option" in proc.stderr
    assert "Traceback" not in proc.stderr
    for args in (["run", "--seed", "-1"], ["frobnicate"], ["run", "a", "b"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unwritable_out_dir_exits_2(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    proc = cli_subprocess("run", *SMALL, "--out", str(blocker / "sub"))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: cannot create output folder")
    assert proc.stderr.count("\n") == 1
    result = cli("run", *SMALL, "--out", str(blocker))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: output folder")
    assert "a_file" in result.stderr
    assert blocker.read_text() == "not a folder"


def test_failing_run_leaves_existing_outputs_untouched(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("earlier run")
    (out / "notes.txt").write_text("mine")
    result = cli("run", *SMALL, "--set", "spoiledness=7", "--out", str(out))
    assert result.exit_code == 2
    assert (out / "summary.json").read_text() == "earlier run"
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "summary.json"]


def test_failure_while_writing_changes_nothing(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("earlier run")
    result = simulate(load_scenario(None, ["years=1", "market_size=300", "salespeople=3"]), seed=0)

    def broken_figure(_result):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("orgmodel.analysis.figures.overview_figure", broken_figure)
    with pytest.raises(OutputError, match="No space left on device"):
        write_run(result, out)
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]
    assert (out / "summary.json").read_text() == "earlier run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # staging folder removed


def test_successful_write_replaces_outputs_and_keeps_other_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("earlier run")
    (out / "notes.txt").write_text("mine")
    result = simulate(load_scenario(None, ["years=1", "market_size=300", "salespeople=3"]), seed=0)
    write_run(result, out)
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, "notes.txt"])
    assert json.loads((out / "summary.json").read_text())["seed"] == 0
    assert (out / "notes.txt").read_text() == "mine"
