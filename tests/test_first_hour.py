"""A newcomer's first hour: progress in a log, text that prints as written, hints that work as printed, docs that match."""

from __future__ import annotations

import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgmodel.cli import app
from orgmodel.experiments import load_experiment, runner
from orgmodel.scenario import builtin

ROOT = Path(__file__).resolve().parents[1]
TINY = """
name = "tiny"
years = 1
replications = 2
seed = 3
keep = "summary"

[set]
market_size = 300
salespeople = 3

[factors]
structure = ["full_cycle", "hunter_farmer"]
"""
cli = CliRunner()


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(textwrap.dedent(TINY), encoding="utf-8")
    return path


def test_progress_is_printed_as_lines_when_not_on_a_terminal(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "PROGRESS_EVERY", 0.0)  # a line per run instead of every 10 s
    result = cli.invoke(app, ["experiment", "run", str(tiny), "--workers", "1", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == "tiny: 4 runs to do on 1 worker (this process)"
    done = [re.match(r"tiny: (\d)/4 runs done, 0 failed, \S+ elapsed, ETA (\S+)$", line) for line in lines[1:]]
    assert all(done), lines
    assert [int(m.group(1)) for m in done] == [1, 2, 3, 4]
    assert done[-1].group(2) == "0s"


def test_printed_hints_work_as_printed(tiny, tmp_path):
    out = tmp_path / "out"
    result = cli.invoke(app, ["experiment", "run", str(tiny), "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    hint = " ".join(result.stdout.split()).split("Query them: ", 1)[1]
    proc = subprocess.run(hint, shell=True, capture_output=True, text=True, timeout=120, check=False, cwd=Path.cwd())
    assert proc.returncode == 0, (hint, proc.stderr)
    assert "(2 rows)" in proc.stdout


def test_keys_prints_text_in_brackets_as_written():
    result = cli.invoke(app, ["keys"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "([[interventions]] tables with week, note and [interventions.set]" in text


# --- docs against the code ----------------------------------------------------------------------------------
def test_the_docs_count_and_list_what_the_code_has():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    experiments_doc = (ROOT / "docs" / "experiments.md").read_text(encoding="utf-8")
    essay = load_experiment(ROOT / "experiments" / "essay.toml")
    arms = essay.factors["scenario"]
    row = next(line for line in experiments_doc.splitlines() if line.startswith("| `essay.toml` |"))
    assert f"{len(arms)} scenarios x {essay.replications} replications, {essay.years} years" in row
    for name in [*builtin.names(), *arms]:
        assert f"`{name}`" in readme, f"README does not name the scenario {name}"
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        assert f"| `{path.name}` |" in experiments_doc, f"docs/experiments.md does not list {path.name}"
        assert f"`{path.name}`" in readme, f"README does not list {path.name}"


def test_make_run_never_deletes_results():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert not re.search(r"\brm\b", recipe), recipe
    assert "--out $(RUN_OUT)" in recipe
    assert re.search(r"RUN_OUT := out/essay-\$\(shell date [^)]*%S\)", makefile)  # a new folder each second
    install = makefile.split("\n$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert "$(PIP_INSTALL) .\n" in install and "'.[" not in install, "make run must install the core package only"
