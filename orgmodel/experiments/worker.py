"""What a worker does with one run: simulate it and return its store rows.

The same function runs in the main process (one worker), in local worker
processes and on Dask workers, so a run's result never depends on where it
ran. A run that raises is returned as an error row, so the experiment goes
on; the rows are built and encoded as Parquet files' bytes here, in the
worker, so the main process only saves them: on a machine whose cores all
run workers, every millisecond it spends per run is taken from a worker.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass

import pyarrow as pa

from orgmodel.experiments.plan import RunTask
from orgmodel.experiments.store import ParquetBytes, encoded, run_row, timeseries_table
from orgmodel.outputs import pid_alive
from orgmodel.scenario.schema import Scenario
from orgmodel.simulate import simulate


@dataclass
class RunOutput:
    """A finished run: its ``runs`` row and its thinned timeseries (None if failed or not kept), as tables or Parquet bytes."""

    run_id: int
    error: str | None
    wall_time_s: float
    row: pa.Table | ParquetBytes
    timeseries: pa.Table | ParquetBytes | None


def describe(exc: BaseException) -> str:
    """An exception on one line: type, message and where it was raised (file:line in function)."""
    text = " ".join(str(exc).split())
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
    return f"{type(exc).__name__}: {text}{where}" if text else f"{type(exc).__name__}{where}"


def execute(task: RunTask) -> RunOutput:
    """Run one task of the plan and build its store rows, encoded as the files the runner will save."""
    start = time.perf_counter()
    try:
        result = simulate(Scenario.model_validate(task.scenario), seed=task.seed)
        # the store's rows too: an error in them (e.g. from the storage settings) is this run's error
        ts = timeseries_table(task.run_id, result.timeseries, task.keep_every) if task.keep_every else None
        wall = time.perf_counter() - start
        row = encoded(run_row(task, None, wall, result.summary))
        kept = encoded(ts, [task.run_id]) if ts is not None else None
    except Exception as exc:  # a failing run is recorded with its error; the experiment goes on
        wall = time.perf_counter() - start
        error = describe(exc)
        return RunOutput(task.run_id, error, wall, encoded(run_row(task, error, wall, None)), None)
    return RunOutput(task.run_id, None, wall, row, kept)


#: how often a worker checks that the runner is still there (seconds)
WATCH_EVERY = 0.5
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (prctl PR_SET_PDEATHSIG); elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _watch(runner_pid: int, parent_pid: int) -> None:
    """Exit at once when the runner or this worker's parent is gone (the fallback where prctl is missing)."""
    while True:
        if os.getppid() != parent_pid or not pid_alive(runner_pid):
            os._exit(1)
        time.sleep(WATCH_EVERY)


def init_worker(runner_pid: int) -> None:
    """Worker-process initialiser: Ctrl-C is the runner's to handle, and the worker dies with the runner.

    A runner killed with SIGKILL cannot stop its workers, and a pool's worker
    waits for work forever: without this, each would live on holding its
    model's memory. The worker exits when its parent dies (prctl on Linux) and
    a watchdog thread exits it when the runner (``runner_pid``) or the parent
    it started with (the runner, or a forkserver) is gone.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    parent = os.getppid()
    if not pid_alive(runner_pid):  # died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(runner_pid, parent), name="orgmodel-watch-runner", daemon=True).start()


__all__ = ["RunOutput", "describe", "execute", "init_worker"]
