"""What a worker does with one run: simulate it and return its store rows.

The same function runs in the main process (one worker), in local worker
processes and on Dask workers, so a run's result never depends on where it
ran. A run that raises is returned as an error row, so the experiment goes
on; the rows are built here, in the worker, to keep the main process free
for scheduling and writing.
"""

from __future__ import annotations

import signal
import time
import traceback
from dataclasses import dataclass

import pyarrow as pa

from orgmodel.experiments.plan import RunTask
from orgmodel.experiments.store import run_row, timeseries_table
from orgmodel.scenario.schema import Scenario
from orgmodel.simulate import simulate


@dataclass
class RunOutput:
    """A finished run: its ``runs`` row and its thinned timeseries (None if failed or not kept)."""

    run_id: int
    error: str | None
    wall_time_s: float
    row: pa.Table
    timeseries: pa.Table | None


def describe(exc: BaseException) -> str:
    """An exception on one line: type, message and where it was raised (file:line in function)."""
    text = " ".join(str(exc).split())
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
    return f"{type(exc).__name__}: {text}{where}" if text else f"{type(exc).__name__}{where}"


def execute(task: RunTask) -> RunOutput:
    """Run one task of the plan and build its store rows."""
    start = time.perf_counter()
    try:
        result = simulate(Scenario.model_validate(task.scenario), seed=task.seed)
    except Exception as exc:  # a failing run is recorded with its error; the experiment goes on
        wall = time.perf_counter() - start
        error = describe(exc)
        return RunOutput(task.run_id, error, wall, run_row(task, error, wall, None), None)
    wall = time.perf_counter() - start
    ts = timeseries_table(task.run_id, result.timeseries, task.keep_every) if task.keep_every else None
    return RunOutput(task.run_id, None, wall, run_row(task, None, wall, result.summary), ts)


def ignore_interrupts() -> None:
    """Worker-process initialiser: Ctrl-C is the main process's to handle (it stops the workers itself)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


__all__ = ["RunOutput", "describe", "execute", "ignore_interrupts"]
