"""Every way the ``orgmodel`` command can fail ends in one line: usage errors exit 2, faults exit 1 with a log."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from orgmodel.cli import app
from orgmodel.clierrors import DEBUG_ENV

runner = CliRunner()


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["run", "--seed", "-1"], "--seed"),
        (["experiment", "run", "x.toml", "--workers", "0"], "--workers"),
        (["app", "--port", "70000"], "--port"),
        (["run", "--sed", "1"], "--sed"),
        (["run", "--out"], "--out"),
        (["no-such-command"], "no-such-command"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(args, names):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = _lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert names in lines[0]
    assert "Traceback" not in result.output


def test_no_arguments_still_prints_help():
    result = runner.invoke(app, [])
    assert "Usage" in result.output
    assert "run" in result.output


@pytest.fixture
def crashing_simulation(monkeypatch, tmp_path):
    """A simulation that fails with an error no input check foresaw, logs kept in tmp_path."""

    def boom(*_args, **_kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr("orgmodel.cli.simulate", boom)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    return tmp_path


def test_an_unexpected_exception_is_one_line_naming_the_log(crashing_simulation):
    tmp_path = crashing_simulation
    result = runner.invoke(app, ["run", "--set", "years=1", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = _lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert "orgmodel run failed unexpectedly: ZeroDivisionError: float division by zero" in lines[0]
    logs = list((tmp_path / "cache" / "orgmodel" / "logs").glob("crash-*.log"))
    assert len(logs) == 1
    assert str(logs[0]) in lines[0]
    text = logs[0].read_text()
    assert "Traceback" in text and "ZeroDivisionError" in text and "run --set years=1" in text
    assert not (tmp_path / "out").exists()


def test_debug_shows_the_traceback(crashing_simulation, monkeypatch):
    tmp_path = crashing_simulation
    result = runner.invoke(app, ["--debug", "run", "--set", "years=1", "--out", str(tmp_path / "out")])
    monkeypatch.delenv(DEBUG_ENV, raising=False)  # --debug sets it for the process
    assert isinstance(result.exception, ZeroDivisionError)
    assert not (tmp_path / "cache").exists()
