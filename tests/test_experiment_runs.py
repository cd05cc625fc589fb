"""Running experiments: the store, identical results on every backend, crashes, Ctrl-C, resume, failures, repeats, queries."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from orgmodel import Scenario, simulate
from orgmodel.cli import app
from orgmodel.experiments import Plan, load_experiment, load_results, run_experiment
from orgmodel.experiments.store import ID_COLUMNS, STATUS_COLUMNS
from orgmodel.invocation import orgmodel_command

TINY = """
name = "tiny"
scenario = "status_quo"
years = 2
replications = 4
seed = 11
keep = "every 2 weeks"

[set]
market_size = 300
salespeople = 4

[factors]
structure = ["full_cycle", "hunter_farmer"]
incentive = ["volume_commission", "new_client_bonus"]
"""
N_RUNS = 16
runner = CliRunner()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exp") / "tiny.toml"
    path.write_text(textwrap.dedent(TINY), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tiny, tmp_path_factory) -> Path:
    """The tiny experiment run in this process, one run after another."""
    out = tmp_path_factory.mktemp("ref") / "store"
    report = run_experiment(load_experiment(tiny), out, workers=1)
    assert report.complete and report.failed == 0 and report.ran == N_RUNS
    return out


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame without wall times, list cells as tuples, so two stores compare with ==."""
    frame = frame.drop(columns=[c for c in ("wall_time_s",) if c in frame]).reset_index(drop=True)
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: tuple(v) if isinstance(v, (list, np.ndarray)) else v)
    return frame


def assert_same_results(a: Path, b: Path) -> None:
    ra, rb = load_results(a), load_results(b)
    pd.testing.assert_frame_equal(_comparable(ra.runs), _comparable(rb.runs))
    pd.testing.assert_frame_equal(ra.timeseries, rb.timeseries)


def _ctrl_c_as_in_a_terminal() -> None:
    """In the child before it runs: Ctrl-C (SIGINT) back to its default, as a terminal starts a command.

    A process started in the background of a script (``cmd &``), or by such a process (a pytest-xdist
    worker under it), inherits SIGINT *ignored*, and Python then leaves it ignored: the command would
    rightly not stop on Ctrl-C, and the test would fail for how it was launched, not for the runner.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orgmodel", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal would give it
        preexec_fn=_ctrl_c_as_in_a_terminal,
        **kw,
    )


def _stored(out: Path) -> int:
    parts = out / "parts"
    return len(list(parts.glob("run-*.parquet"))) if parts.is_dir() else 0


def _wait_for_runs(proc: subprocess.Popen, out: Path, n: int, timeout: float = 120.0) -> int:
    """Wait until ``n`` runs are stored (the experiment must still be going)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stored = _stored(out)
        if stored >= n:
            return stored
        assert proc.poll() is None, f"the experiment ended before {n} runs were stored: {proc.communicate()}"
        time.sleep(0.005)
    raise AssertionError(f"fewer than {n} runs stored after {timeout} s")


# --- the store --------------------------------------------------------------------------------------------
def test_store_holds_one_row_per_run_with_factors_status_and_summary(reference, tiny):
    results = load_results(reference)
    runs = results.runs
    assert list(runs["run_id"]) == list(range(N_RUNS))
    assert list(runs.columns[:5]) == list(ID_COLUMNS)
    assert list(runs.columns[5:7]) == ["structure", "incentive"]
    assert list(runs.columns[7:11]) == list(STATUS_COLUMNS)
    assert (runs["status"] == "ok").all() and runs["error"].isna().all()
    assert (runs["wall_time_s"] > 0).all()
    assert runs["seed"].nunique() == N_RUNS
    assert list(runs["point"]) == [0, 1, 2, 3] * 4 and list(runs["replicate"]) == [r for r in range(4) for _ in range(4)]
    assert runs.loc[3, "arm"] == "structure=hunter_farmer, incentive=new_client_bonus"
    schema = pq.read_schema(reference / "runs.parquet")
    assert schema.field("annual_revenue").type == pa.list_(pa.float64())
    assert schema.field("annual_new_clients").type == pa.list_(pa.float64())
    assert schema.field("total_revenue").type == pa.float64() and schema.field("handovers").type == pa.int64()
    assert json.loads(runs.loc[0, "interventions"]) == []
    assert results.experiment.name == "tiny"
    # every summary key and the thinned timeseries are exactly what the run computes alone
    for run_id in (0, 7):
        task = Plan(load_experiment(tiny)).task(run_id)
        alone = simulate(Scenario.model_validate(task.scenario), seed=int(runs.loc[run_id, "seed"]))
        for key, value in alone.summary.items():
            stored = runs.loc[run_id, key]
            if isinstance(value, str) or isinstance(stored, str):  # text, or a list of records kept as JSON
                assert stored == (value if isinstance(value, str) else json.dumps(value)), key
                continue
            assert np.array_equal(np.asarray(stored, dtype=float), np.asarray(value, dtype=float), equal_nan=True), key
        ts = results.timeseries[results.timeseries["run_id"] == run_id].drop(columns="run_id").reset_index(drop=True)
        expected = alone.timeseries[alone.timeseries["week"] % 2 == 0].reset_index(drop=True)
        pd.testing.assert_frame_equal(ts, expected)
    assert len(results.timeseries) == N_RUNS * 52


def test_store_is_compacted_and_queryable(reference):
    assert not list((reference / "parts").glob("*.parquet"))
    assert [p.name for p in (reference / "timeseries").iterdir()] == ["part-00000.parquet"]
    results = load_results(reference)
    by_arm = results.query("SELECT arm, count(*) AS n, avg(total_revenue) AS revenue FROM runs GROUP BY arm ORDER BY arm")
    assert list(by_arm["n"]) == [4, 4, 4, 4]
    manual = results.runs.groupby("arm")["total_revenue"].mean().sort_index()
    assert np.allclose(by_arm["revenue"], manual.to_numpy())
    weeks = results.query("SELECT count(DISTINCT week) AS w, max(week) AS last FROM timeseries WHERE run_id = 3")
    assert weeks.loc[0, "w"] == 52 and weeks.loc[0, "last"] == 104
    last_year = results.outcome("annual_revenue[-1]")
    assert last_year.loc[5] == results.runs.loc[5, "annual_revenue"][-1]


# --- the same results whatever runs them ------------------------------------------------------------------
def test_two_local_workers_give_identical_results(reference, tiny, tmp_path):
    report = run_experiment(load_experiment(tiny), tmp_path / "two", workers=2)
    assert report.ran == N_RUNS and report.workers == 2 and "local worker processes" in report.backend
    assert_same_results(reference, tmp_path / "two")


def test_workers_come_from_a_forkserver_while_other_threads_run(reference, tiny, tmp_path):
    from orgmodel.experiments.runner import LocalProcesses

    assert LocalProcesses._context().get_start_method() == ("fork" if threading.active_count() == 1 else "forkserver")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert LocalProcesses._context().get_start_method() == "forkserver"  # forking a threaded process is not safe
        report = run_experiment(load_experiment(tiny), tmp_path / "forkserver", workers=2)
    finally:
        stop.set()
        other.join()
    assert report.ran == N_RUNS and report.failed == 0
    assert_same_results(reference, tmp_path / "forkserver")


def test_a_dask_local_cluster_gives_identical_results(reference, tiny, tmp_path):
    report = run_experiment(load_experiment(tiny), tmp_path / "dask", workers=1, scheduler="local")
    assert report.ran == N_RUNS and "Dask" in report.backend
    assert_same_results(reference, tmp_path / "dask")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_dask_scheduler_and_worker_processes_give_identical_results(reference, tiny, tmp_path):
    from dask.distributed import Client

    dask = str(Path(sys.executable).parent / "dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], **quiet)
    worker = subprocess.Popen(
        [dask, "worker", address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1", "--no-dashboard"], cwd=tmp_path, **quiet
    )
    try:
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(1, timeout=120)
        report = run_experiment(load_experiment(tiny), tmp_path / "remote", scheduler=address)
        assert report.ran == N_RUNS and report.failed == 0
        assert report.backend == f"the Dask cluster at {address} (1 worker threads)"
    finally:
        for p in (worker, scheduler):  # the worker first, while its scheduler can still see it go
            p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=20)
    assert_same_results(reference, tmp_path / "remote")


# --- crashes, Ctrl-C and resume -----------------------------------------------------------------------------
def test_a_killed_experiment_resumes_without_duplicate_or_missing_runs(reference, tiny, tmp_path):
    out = tmp_path / "killed"
    proc = _cli("experiment", "run", str(tiny), "--workers", "2", "--out", str(out))
    _wait_for_runs(proc, out, 3)
    os.killpg(proc.pid, signal.SIGKILL)  # the runner and its workers die at once, mid-experiment
    proc.communicate(timeout=60)
    stored = len(load_results(out).runs)
    assert 3 <= stored < N_RUNS
    assert not (out / "runs.parquet").exists()  # never compacted: the rows are the per-run files
    result = runner.invoke(app, ["experiment", "run", str(tiny), "--workers", "2", "--out", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert f"Ran {N_RUNS - stored} runs ({stored} were already stored)" in " ".join(result.stdout.split())
    runs = load_results(out).runs
    assert list(runs["run_id"]) == list(range(N_RUNS))
    assert_same_results(reference, out)
    assert list(load_results(out).timeseries.groupby("run_id").size()) == [52] * N_RUNS


def test_a_killed_worker_is_replaced_and_ctrl_c_stops_cleanly(reference, tiny, tmp_path):
    """Kill a worker process mid-experiment (its runs run again), then Ctrl-C; resume finishes the rest."""
    out = tmp_path / "worker"
    proc = _cli("experiment", "run", str(tiny), "--workers", "2", "--out", str(out))
    _wait_for_runs(proc, out, 2)
    main = psutil.Process(proc.pid)
    workers = [p for p in main.children() if p.cmdline() == main.cmdline()]  # the pool's processes, forked from the runner
    assert workers, "no worker processes found"
    workers[0].kill()
    _wait_for_runs(proc, out, _stored(out) + 2)  # the experiment goes on with a fresh pool
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends: to the whole process group
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    text = " ".join(stdout.split())
    assert f"Stopped. Finish it with: {orgmodel_command()} experiment run {tiny} --out {out} --resume" in text
    runs = pq.read_table(out / "runs.parquet").to_pandas()  # compacted on the way out
    assert 4 <= len(runs) < N_RUNS and (runs["status"] == "ok").all()
    assert not [p for p in workers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    result = runner.invoke(app, ["experiment", "run", str(tiny), "--out", str(out), "--resume", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert_same_results(reference, out)


def test_a_failing_run_is_recorded_with_its_error_and_the_rest_go_on(tmp_path, monkeypatch):
    plugin = tmp_path / "boom.py"
    plugin.write_text(
        textwrap.dedent(
            """
            from orgmodel.policies.incentives.volume_commission import VolumeCommission


            class Boom(VolumeCommission):
                name = "boom_test"

                def __init__(self, cfg):
                    super().__init__(cfg)
                    if cfg.commission_rate > 0.04:
                        raise RuntimeError("commission above 4% is not allowed here")
            """
        ),
        encoding="utf-8",
    )
    path = tmp_path / "fails.toml"
    path.write_text(
        textwrap.dedent(
            f"""
            name = "fails"
            years = 1
            replications = 2
            [set]
            market_size = 300
            salespeople = 3
            incentive = "{plugin}:Boom"
            [factors]
            commission_rate = [0.03, 0.05]
            """
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    monkeypatch.setenv("ORGMODEL_TRUST_PLUGINS", "")  # restored after the test: --trust-plugins sets it
    args = ["--trust-plugins", "experiment", "run", str(path), "--workers", "2", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    text = " ".join(result.stdout.split())
    assert "4 of 4 stored" in text and "2 failed" in text
    assert "First failure, run 1: RuntimeError: commission above 4% is not allowed here" in text
    runs = load_results(out).runs
    assert list(runs["status"]) == ["ok", "error", "ok", "error"]
    assert runs.loc[1, "error"].startswith("RuntimeError: commission above 4% is not allowed here (at boom.py:")
    assert runs.loc[0, "total_revenue"] > 0 and pd.isna(runs.loc[1, "total_revenue"])
    again = runner.invoke(app, ["experiment", "run", str(path), "--out", str(out), "--resume"])
    assert again.exit_code == 0 and "nothing to run" in " ".join(again.stdout.split())


# --- repeating one run, folders and queries -------------------------------------------------------------------
def test_run_from_experiment_repeats_a_stored_run_exactly(reference, tmp_path):
    out = tmp_path / "again"
    result = runner.invoke(app, ["run", "--from-experiment", str(reference), "--run", "6", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Same summary as run 6 stored in the experiment" in " ".join(result.stdout.split())
    stored = load_results(reference)
    row = stored.runs.loc[6]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == row["seed"]
    assert summary["annual_revenue"] == list(row["annual_revenue"])
    assert summary["total_revenue"] == row["total_revenue"] and summary["incentive"] == row["incentive"]
    weekly = pd.read_parquet(out / "timeseries.parquet")
    kept = stored.timeseries[stored.timeseries["run_id"] == 6].drop(columns="run_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(weekly[weekly["week"] % 2 == 0].reset_index(drop=True), kept)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--run", "3"], "--from-experiment DIR and --run ID go together"),
        (["--run", "99"], "--run 99: the experiment in"),
        (["--run", "1", "--seed", "4"], "leave out the scenario, --set and --seed"),
    ],
)
def test_run_from_experiment_errors(reference, tmp_path, args, expected):
    full = (
        ["run", *args]
        if args[0] == "--run" and expected.startswith("--from")
        else ["run", "--from-experiment", str(reference), *args]
    )
    result = runner.invoke(app, [*full, "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and expected in result.stderr
    assert not (tmp_path / "x").exists()


def test_output_folder_rules(reference, tiny, tmp_path):
    again = runner.invoke(app, ["experiment", "run", str(tiny), "--out", str(reference)])
    assert again.exit_code == 2 and "already holds experiment results (16 runs): add --resume" in again.stderr
    done = runner.invoke(app, ["experiment", "run", str(tiny), "--out", str(reference), "--resume"])
    assert done.exit_code == 0 and "All 16 runs were already stored" in " ".join(done.stdout.split())
    changed = tmp_path / "changed.toml"
    changed.write_text(textwrap.dedent(TINY).replace("seed = 11", "seed = 12"), encoding="utf-8")
    other = runner.invoke(app, ["experiment", "run", str(changed), "--out", str(reference), "--resume"])
    assert other.exit_code == 2
    assert "cannot resume: the output folder holds a different experiment (seed is 11 there and 12 now)" in other.stderr
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    refused = runner.invoke(app, ["experiment", "run", str(tiny), "--out", str(busy)])
    assert refused.exit_code == 2 and "is not empty and holds no experiment" in refused.stderr
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]


def test_results_query_prints_tables_and_csv(reference):
    sql = "SELECT arm, count(*) AS n FROM runs GROUP BY arm ORDER BY arm"
    table = runner.invoke(app, ["results", "query", str(reference), sql])
    assert table.exit_code == 0, table.output
    assert "structure=full_cycle, incentive=new_client_bonus" in table.stdout and "(4 rows)" in table.stdout
    csv = runner.invoke(app, ["results", "query", str(reference), sql, "--csv"])
    lines = csv.stdout.strip().splitlines()
    assert lines[0] == "arm,n" and len(lines) == 5 and lines[1].endswith(",4")
    joined = runner.invoke(
        app,
        [
            "results",
            "query",
            str(reference),
            "SELECT count(*) AS n FROM timeseries t JOIN runs r USING (run_id) WHERE r.point = 0",
            "--csv",
        ],
    )
    assert joined.stdout.strip().splitlines()[1] == str(4 * 52)


@pytest.mark.parametrize(
    ("folder", "sql", "expected"),
    [
        ("store", "SELEC 1", "query failed: Parser Error"),
        ("store", "SELECT nope FROM runs", "query failed: Binder Error"),
        ("missing", "SELECT 1", "does not exist"),
    ],
)
def test_results_query_errors_are_one_line(reference, tmp_path, folder, sql, expected):
    where = reference if folder == "store" else tmp_path / "nowhere"
    result = runner.invoke(app, ["results", "query", str(where), sql])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_summary_only_experiments_have_no_timeseries(tmp_path):
    path = tmp_path / "summary.toml"
    path.write_text('name = "s"\nyears = 1\nkeep = "summary"\n[set]\nmarket_size = 300\nsalespeople = 3\n', encoding="utf-8")
    out = tmp_path / "out"
    run_experiment(load_experiment(path), out, workers=1)
    assert not (out / "timeseries").exists()
    results = load_results(out)
    assert results.timeseries.empty and len(results.runs) == 1
    failed = runner.invoke(app, ["results", "query", str(out), "SELECT * FROM timeseries"])
    assert failed.exit_code == 2 and "kept summaries only" in failed.stderr


def test_sensitivity_of_a_stored_morris_experiment(tmp_path):
    from orgmodel.experiments.designs import morris

    path = tmp_path / "morris.toml"
    path.write_text(
        textwrap.dedent(
            """
            name = "screen"
            years = 1
            replications = 2
            seed = 4
            [set]
            market_size = 300
            salespeople = 3
            [design]
            kind = "morris"
            trajectories = 3
            [factors]
            spoiledness = { low = 0.3, high = 0.9 }
            lead_qualify_rate = { low = 0.2, high = 0.7 }
            """
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    report = run_experiment(load_experiment(path), out, workers=1)
    assert report.ran == 3 * 3 * 2
    results = load_results(out)
    means = results.point_means("total_revenue")
    runs = results.runs
    assert len(means) == 9
    assert means[4] == pytest.approx(runs.loc[runs["point"] == 4, "total_revenue"].mean())
    table = results.sensitivity("total_revenue")
    assert list(table.index) == ["spoiledness", "lead_qualify_rate"]
    pd.testing.assert_frame_equal(table, morris.analyse(results.problem(), means))
    assert (table["mu_star"] >= 0).all() and table["mu_star"].max() > 0
