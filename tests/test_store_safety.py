"""The results store finds damage, refuses a second writer, leaves no orphan workers and lets queries only read."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from orgmodel.cli import app
from orgmodel.experiments import Plan, load_experiment, load_results, run_experiment
from orgmodel.experiments.spec import ExperimentError
from orgmodel.experiments.store import ParquetBytes, Store, StoreError, run_row, timeseries_table
from orgmodel.experiments.worker import execute
from orgmodel.scenario.schema import Scenario
from orgmodel.simulate import simulate

TINY = """
name = "tiny"
years = 1
replications = 2
seed = 3
keep = "every 4 weeks"

[set]
market_size = 300
salespeople = 3

[factors]
structure = ["full_cycle", "hunter_farmer"]
"""
N_RUNS = 4
runner = CliRunner()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exp") / "tiny.toml"
    path.write_text(textwrap.dedent(TINY), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tiny, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "store"
    report = run_experiment(load_experiment(tiny), out, workers=1)
    assert report.complete and report.failed == 0
    return out


def _stored(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    res = load_results(out)
    return res.runs.drop(columns=["wall_time_s"]), res.timeseries


def _copy(src: Path, dst: Path) -> Path:
    subprocess.run(["cp", "-a", str(src), str(dst)], check=True)
    return dst


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_corrupted_runs_file_is_refused_by_readers_and_run_again_on_resume(reference, tiny, tmp_path):
    out = _copy(reference, tmp_path / "store")
    _flip_a_byte(out / "runs.parquet")
    query = runner.invoke(app, ["results", "query", str(out), "SELECT count(*) FROM runs"])
    assert query.exit_code == 2
    assert "runs.parquet (checksum differs from the one recorded); 4 runs to run again" in query.stderr
    assert f"orgmodel experiment run {out}/experiment.toml --out {out} --resume" in query.stderr
    assert runner.invoke(app, ["report", str(out)]).exit_code == 2
    assert runner.invoke(app, ["run", "--from-experiment", str(out), "--run", "1", "--out", str(tmp_path / "r")]).exit_code == 2
    again = runner.invoke(app, ["experiment", "run", str(tiny), "--out", str(out), "--resume", "--workers", "1"])
    assert again.exit_code == 0, again.output
    text = " ".join(again.stdout.split())
    assert "Found damaged results, set aside in" in text and f"Ran {N_RUNS} runs" in text
    assert [p.name for p in (out / "damaged").iterdir() for p in p.iterdir()] == ["runs.parquet"]  # kept, not deleted
    runs, ts = _stored(out)
    ref_runs, ref_ts = _stored(reference)
    pd.testing.assert_frame_equal(runs, ref_runs)
    pd.testing.assert_frame_equal(ts, ref_ts)


def test_a_run_encoded_in_its_worker_is_stored_as_the_runner_would_write_it(tiny, tmp_path):
    """The bytes a worker sends are the files (and manifest lines) the store writes from the tables themselves."""
    exp = load_experiment(tiny)
    task = next(Plan(exp).tasks(iter([1])))
    output = execute(task)
    assert isinstance(output.row, ParquetBytes) and isinstance(output.timeseries, ParquetBytes)
    alone = simulate(Scenario.model_validate(task.scenario), seed=task.seed)
    row = run_row(task, None, output.wall_time_s, alone.summary)
    series = timeseries_table(task.run_id, alone.timeseries, task.keep_every)
    assert pq.read_table(pa.BufferReader(output.row.data)).equals(row)
    assert output.row.run_ids == (1,) and output.row.rows == 1 and output.timeseries.rows == series.num_rows > 0
    stored: dict[str, dict[str, bytes]] = {}
    for how, (r, ts) in {"bytes": (output.row, output.timeseries), "tables": (row, series)}.items():
        store = Store(tmp_path / how)
        with store.locked():
            store.open(exp, resume=False)
            store.write(r, ts)
        stored[how] = {p.relative_to(store.folder).as_posix(): p.read_bytes() for p in store.folder.rglob("*.parquet")}
        stored[how]["manifest"] = (store.folder / "manifest.jsonl").read_bytes()
    assert set(stored["bytes"]) == {"parts/run-00000001.parquet", "timeseries/run-00000001.parquet", "manifest"}
    assert stored["bytes"] == stored["tables"]


def test_a_truncated_part_file_of_a_killed_experiment_is_run_again(reference, tiny, tmp_path):
    """A killed experiment leaves per-run files; a damaged one must not count as done."""
    exp = load_experiment(tiny)
    out = tmp_path / "killed"
    store = Store(out)
    with store.locked():
        store.open(exp, resume=False)
        for task in Plan(exp).tasks(iter(range(3))):
            output = execute(task)
            store.write(output.row, output.timeseries)
    part = out / "parts" / "run-00000001.parquet"
    part.write_bytes(part.read_bytes()[:100])
    with pytest.raises(StoreError, match=r"parts/run-00000001\.parquet \(truncated: 100 of \d+ bytes\); 1 run to run again"):
        load_results(out)
    report = run_experiment(exp, out, workers=1, resume=True)
    assert report.damaged.run_ids == {1}
    assert report.already == 2 and report.ran == 2 and report.complete
    runs, ts = _stored(out)
    ref_runs, ref_ts = _stored(reference)
    pd.testing.assert_frame_equal(runs, ref_runs)
    pd.testing.assert_frame_equal(ts, ref_ts)


def test_a_damaged_timeseries_part_runs_its_runs_again(reference, tiny, tmp_path):
    out = _copy(reference, tmp_path / "store")
    part = next((out / "timeseries").glob("part-*.parquet"))
    _flip_a_byte(part)
    report = run_experiment(load_experiment(tiny), out, workers=1, resume=True)
    assert report.damaged.run_ids == set(range(N_RUNS)) and report.ran == N_RUNS
    pd.testing.assert_frame_equal(_stored(out)[1], _stored(reference)[1])


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(reference, tiny, tmp_path):
    out = _copy(reference, tmp_path / "store")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != ".lock"}
    with Store(out).locked():
        second = runner.invoke(app, ["experiment", "run", str(tiny), "--out", str(out), "--resume"])
        assert second.exit_code == 2
        assert f"another orgmodel process (pid {os.getpid()}) is writing to '{out}'" in second.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != ".lock"} == before
    after = runner.invoke(app, ["experiment", "run", str(tiny), "--out", str(out), "--resume"])  # released
    assert after.exit_code == 0, after.output


def test_workers_exit_when_the_runner_is_killed(tiny, tmp_path):
    longer = tmp_path / "longer.toml"
    longer.write_text(textwrap.dedent(TINY).replace("replications = 2", "replications = 40"), encoding="utf-8")
    out = tmp_path / "orphans"
    proc = subprocess.Popen(
        [sys.executable, "-m", "orgmodel", "experiment", "run", str(longer), "--workers", "2", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    workers: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while not list((out / "parts").glob("run-*.parquet")) if (out / "parts").is_dir() else True:
            assert proc.poll() is None and time.monotonic() < deadline, "no run finished"
            time.sleep(0.05)
        workers = psutil.Process(proc.pid).children()
        assert len(workers) == 2
        os.kill(proc.pid, signal.SIGKILL)  # the runner alone: no signal reaches the workers
        proc.wait(timeout=30)
        _gone, alive = psutil.wait_procs(workers, timeout=15)
        assert not alive, f"workers outlived the runner: {alive}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for worker in workers:  # a failed test leaves no orphans either
            if worker.is_running():
                worker.kill()


def test_an_interval_beyond_the_horizon_is_refused_up_front_and_breaks_nothing(tmp_path):
    """An absurd keep interval is a validation error before anything runs (the issue allows this or a run's error)."""
    path = tmp_path / "keep.toml"
    path.write_text(textwrap.dedent(TINY).replace("every 4 weeks", "every 99999999999999999999 weeks"), encoding="utf-8")
    with pytest.raises(ExperimentError, match="keeps no week"):
        run_experiment(load_experiment(path), tmp_path / "out", workers=1)
    assert not (tmp_path / "out").exists()


# --- queries only read -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 1 AS x) TO '{out}/runs.parquet' (FORMAT parquet)",
        "COPY runs TO '{out}/copy.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "ATTACH '{out}/other.duckdb' AS other",
        "INSTALL httpfs",
        "SET enable_external_access = true",
        "SELECT 1; COPY (SELECT 1) TO '{out}/x.csv'",
    ],
)
def test_a_query_cannot_write_read_elsewhere_or_change_settings(reference, sql):
    before = {p: p.read_bytes() for p in reference.rglob("*") if p.is_file()}
    result = runner.invoke(app, ["results", "query", str(reference), sql.format(out=reference)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert {p: p.read_bytes() for p in reference.rglob("*") if p.is_file()} == before
    assert pq.read_table(reference / "runs.parquet").num_rows == N_RUNS


def test_a_full_disk_stops_the_experiment_with_what_is_stored_kept(reference, tiny, tmp_path, monkeypatch):
    out = tmp_path / "full"
    real_write = Store.write
    calls = []

    def write_until_full(self, row, timeseries):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, row, timeseries)

    with monkeypatch.context() as m:
        m.setattr(Store, "write", write_until_full)
        result = runner.invoke(app, ["experiment", "run", str(tiny), "--workers", "1", "--out", str(out)])
    assert result.exit_code == 2
    assert "No space left on device; the 2 runs stored so far are kept: fix this and run again with --resume" in result.stderr
    assert len(load_results(out).runs) == 2
    again = runner.invoke(app, ["experiment", "run", str(tiny), "--workers", "1", "--out", str(out), "--resume"])
    assert again.exit_code == 0, again.output
    pd.testing.assert_frame_equal(_stored(out)[0], _stored(reference)[0])


def test_a_run_killed_while_starting_leaves_a_folder_a_plain_rerun_accepts(tiny, tmp_path):
    out = tmp_path / "started"
    (out / "parts").mkdir(parents=True)
    (out / "timeseries").mkdir()
    (out / ".lock").write_text("12345")
    (out / "manifest.jsonl").touch()
    (out / ".experiment.toml.1.abc.tmp").write_text("half")
    result = runner.invoke(app, ["experiment", "run", str(tiny), "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(load_results(out).runs) == N_RUNS
    (out.parent / "mine").mkdir()
    (out.parent / "mine" / "parts").mkdir()
    (out.parent / "mine" / "parts" / "notes.txt").write_text("a user's file")
    refused = runner.invoke(app, ["experiment", "run", str(tiny), "--out", str(out.parent / "mine")])
    assert refused.exit_code == 2 and "is not empty and holds no experiment" in refused.stderr


def test_run_rows_merged_a_few_at_a_time_are_the_rows_merged_at_once(tiny, tmp_path, monkeypatch):
    """Compaction merges part files in groups (bounded memory); the table is the one a single merge gives.

    Failed runs' rows have fewer columns than finished ones, so the groups' schemas differ and are
    unified again; duplicates (a crash between writing and deleting) keep their first row.
    """
    import numpy as np

    from orgmodel.experiments import store as store_module

    exp = load_experiment(tiny)
    tasks = list(Plan(exp).tasks(iter(range(4))))
    finished = {t.run_id: execute(t) for t in tasks[:2]}
    parts = tmp_path / "parts"
    parts.mkdir()
    for i in range(11):
        task = tasks[i % len(tasks)]
        if i in (0, 1, 5, 6, 7):  # failed runs: some first, some straddling a group boundary
            table = run_row(task, "RuntimeError: boom", 0.1, None)
        else:
            table = pq.read_table(pa.BufferReader(finished[i % 2].row.data))
        table = table.set_column(table.schema.get_field_index("run_id"), "run_id", pa.array([i % 9], pa.int64()))
        pq.write_table(table, parts / f"run-{i:08d}.parquet")
    files = store_module.run_files(tmp_path)
    at_once = pa.concat_tables([pq.read_table(p) for p in files], promote_options="permissive")
    _, first = np.unique(at_once.column("run_id").to_numpy(), return_index=True)
    expected = at_once.take(pa.array(first))
    monkeypatch.setattr(store_module, "_MERGE_EVERY", 3)
    merged = store_module.read_runs(tmp_path)
    assert merged.num_rows == 9 and merged.column_names == expected.column_names
    assert merged.equals(expected) and merged.schema.equals(expected.schema, check_metadata=True)
    assert store_module.encoded(merged).data == store_module.encoded(expected).data
