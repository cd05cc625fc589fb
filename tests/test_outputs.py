"""A run's outputs appear all at once or not at all, wherever the output folder is, and are checked before the run."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgmodel import outputs, simulate
from orgmodel.cli import app
from orgmodel.outputs import OUTPUT_FILES, STAGING_PREFIX, OutputError, clean_stale_staging, write_run
from orgmodel.scenario.files import load_scenario

SMALL = ["--set", "years=1", "--set", "market_size=300", "--set", "salespeople=3"]
runner = CliRunner()


@pytest.fixture(scope="module")
def result():
    return simulate(load_scenario(None, ["years=1", "market_size=300", "salespeople=3"]), seed=0)


def _earlier(out: Path) -> dict[str, str]:
    """An output folder holding an earlier run's files (as text) and a file of the user's."""
    out.mkdir()
    files = {name: f"earlier {name}" for name in OUTPUT_FILES} | {"notes.txt": "mine"}
    for name, text in files.items():
        (out / name).write_text(text)
    return files


def _contents(out: Path) -> dict[str, str]:
    return {p.name: p.read_text(errors="replace") for p in out.iterdir() if p.is_file()}


def _staging_left(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.iterdir() if p.name.startswith(STAGING_PREFIX)]


def test_a_folder_in_the_way_changes_nothing(tmp_path, result):
    out = tmp_path / "out"
    files = _earlier(out)
    (out / "overview.png").unlink()
    (out / "overview.png").mkdir()  # the last file cannot be put in place
    del files["overview.png"]
    with pytest.raises(OutputError, match=r"'overview\.png' there is not a file"):
        write_run(result, out)
    assert _contents(out) == files  # no file of the new run replaced an old one
    assert not _staging_left(out, tmp_path)


def test_a_failure_halfway_through_the_swap_puts_the_old_files_back(tmp_path, result, monkeypatch):
    out = tmp_path / "out"
    files = _earlier(out)
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append((src, dst))
        if len(calls) == len(OUTPUT_FILES) + 3:  # old files moved aside, three new ones moved in
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", failing_replace)
    with pytest.raises(OutputError, match="Input/output error"):
        write_run(result, out)
    assert _contents(out) == files
    assert not _staging_left(out, tmp_path)


def test_a_new_folder_appears_whole_or_not_at_all(tmp_path, result, monkeypatch):
    out = tmp_path / "deeper" / "new"

    def broken_figure(_result):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr("orgmodel.analysis.figures.overview_figure", broken_figure)
        with pytest.raises(OutputError, match="No space left"):
            write_run(result, out)
    assert not out.exists()
    assert not _staging_left(out.parent)
    write_run(result, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    assert oct(out.stat().st_mode & 0o777) == oct(0o777 & ~_umask())  # not the staging folder's 0700


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_an_output_folder_that_is_a_mount_point(tmp_path, result, monkeypatch):
    """Renames across the folder's boundary fail as between file systems; the write must not need one."""
    out = tmp_path / "mounted"
    files = _earlier(out)

    def inside(path) -> bool:
        return Path(path).resolve().is_relative_to(out)

    def one_file_system(rename):
        def checked(src, dst):
            if inside(src) != inside(dst):
                raise OSError(errno.EXDEV, "Invalid cross-device link", str(src))
            return rename(src, dst)

        return checked

    monkeypatch.setattr(outputs.os, "replace", one_file_system(os.replace))
    monkeypatch.setattr(outputs.os, "rename", one_file_system(os.rename))
    write_run(result, out)
    assert json.loads((out / "summary.json").read_text())["seed"] == 0
    assert (out / "notes.txt").read_text() == files["notes.txt"]
    assert not _staging_left(out, tmp_path)


@pytest.mark.parametrize("given", [".", ""])
def test_out_as_the_current_folder(tmp_path, monkeypatch, given):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    res = runner.invoke(app, ["run", *SMALL, "--out", given])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*OUTPUT_FILES, "notes.txt"])


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path, result):
    stale = tmp_path / f"{STAGING_PREFIX}{_dead_pid()}-abc"
    stale.mkdir()
    (stale / "timeseries.parquet").write_text("half written")
    live = tmp_path / f"{STAGING_PREFIX}{os.getppid()}-abc"  # a running process's: left alone
    live.mkdir()
    write_run(result, tmp_path / "out")
    assert not stale.exists()
    assert live.exists()


def test_a_swap_a_kill_interrupted_is_rolled_back(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = out / f"{STAGING_PREFIX}{_dead_pid()}-abc"
    (stale / ".old").mkdir(parents=True)
    # the killed run had found summary.json and scenario.toml, moved both aside and moved two new files in
    (stale / ".swap.json").write_text(json.dumps(["summary.json", "scenario.toml"]))
    (stale / ".old" / "summary.json").write_text("earlier summary")
    (stale / ".old" / "scenario.toml").write_text("earlier scenario")
    (out / "summary.json").write_text("new summary")
    (out / "timeseries.parquet").write_text("new timeseries")
    for name in ("staff.parquet", "overview.png"):
        (stale / name).write_text("new, not moved in yet")
    clean_stale_staging(out)
    assert _contents(out) == {"summary.json": "earlier summary", "scenario.toml": "earlier scenario"}
    assert not stale.exists()


def test_the_output_folder_is_checked_before_the_simulation(tmp_path, monkeypatch):
    def no_simulation(*args, **kwargs):
        raise AssertionError("simulated before checking the output folder")

    monkeypatch.setattr("orgmodel.cli.simulate", no_simulation)
    res = runner.invoke(app, ["run", *SMALL, "--out", str(tmp_path / ("x" * 300))])
    assert res.exit_code == 2
    assert "300 bytes long" in res.stderr and "shorter --out" in res.stderr

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(outputs.tempfile, "mkdtemp", read_only)
    res = runner.invoke(app, ["run", *SMALL, "--out", str(tmp_path / "ro")])
    assert res.exit_code == 2
    assert "is not writable (Read-only file system)" in res.stderr
    assert not (tmp_path / "ro").exists()


def test_a_run_killed_while_writing_leaves_the_folder_as_it_was(tmp_path, result):
    """SIGKILL while the outputs are staged: the old files stay, and the next run removes the staging folder."""
    out = tmp_path / "out"
    files = _earlier(out)
    for _attempt in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-m", "orgmodel", "run", *SMALL, "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while proc.poll() is None and not _staging_left(out):
            time.sleep(0.002)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            if _staging_left(out):
                break
            # the swap ended between seeing the staging folder and the kill: too late, like a finished run
        _earlier_again(out, files)  # finished before it could be caught: put the old files back, try again
    else:
        pytest.skip("the run finished every time before its staging folder could be seen")
    staged = _staging_left(out)
    assert staged, "killed, but no staging folder: the kill came too late to test anything"
    assert _contents(out) == files or _rolled_back(out, files)
    write_run(result, tmp_path / "elsewhere")  # a run elsewhere leaves this folder alone
    assert _staging_left(out) == staged
    write_run(result, out)  # the next run in it cleans up
    assert not _staging_left(out)
    assert (out / "notes.txt").read_text() == "mine"


def _earlier_again(out: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (out / name).write_text(text)


def _rolled_back(out: Path, files: dict[str, str]) -> bool:
    """Killed in the middle of the swap: rolling it back restores every old file."""
    clean_stale_staging(out)
    return _contents(out) == files
