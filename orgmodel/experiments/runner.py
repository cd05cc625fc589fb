"""Running an experiment: local worker processes by default, or a Dask distributed cluster.

The runner walks the plan's missing runs, hands them to a backend and
writes each finished run to the store at once, so its memory stays flat
however many runs there are and a killed experiment loses only the runs in
flight. Backends:

- one worker: runs in this process (no start-up cost);
- local processes (the default, one per core): a process pool that keeps
  two runs per worker in flight, its workers forked from this process so
  they share its loaded modules; if a worker process dies (killed, out of
  memory) the pool is restarted and the runs it held are run again, and a
  run that keeps killing its worker is recorded as an error;
- Dask (``--scheduler ADDRESS``, ``[dask] scheduler`` in the file, or
  ``"local"`` for a LocalCluster): the same runs on a cluster's workers.

A run's result depends only on its scenario and seed, so every backend and
worker count gives identical results. Ctrl-C (or SIGTERM) stops the
workers, keeps every finished run and says how to resume.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.context
import os
import signal
import sys
import threading
import time
import uuid
import warnings
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orgmodel.experiments.integrity import Damage
from orgmodel.experiments.plan import Plan, RunTask
from orgmodel.experiments.spec import Experiment, ExperimentError
from orgmodel.experiments.store import Store, StoreError, run_row
from orgmodel.experiments.worker import RunOutput, describe, execute, init_worker

#: a run whose worker process died this many times is recorded as an error
MAX_DEATHS = 3
#: after this many pool breaks in a row without a finished run, the workers cannot run at all: stop
MAX_BREAKS = MAX_DEATHS + 2
LOCAL_DASK = "local"
#: seconds between two progress lines when the output is not a terminal
PROGRESS_EVERY = 10.0
#: progress bar redraws a second: rich's default (10) took 1.5 % of a core from the workers, 2 takes 0.4 %
BAR_REFRESH = 2


class WorkerError(RuntimeError):
    """Worker processes die before finishing any run: running on would only record failures."""


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _failed(task: RunTask, error: str) -> RunOutput:
    return RunOutput(task.run_id, error, 0.0, run_row(task, error, 0.0, None), None)


# --- backends ----------------------------------------------------------------------------------------------
class InProcess:
    """One worker: runs one after another in this process."""

    workers = 1
    description = "1 worker (this process)"

    def start(self) -> None:
        """Nothing to start."""

    def outputs(self, tasks: Iterator[RunTask]) -> Iterator[RunOutput]:
        """Each task's output, in order."""
        for task in tasks:
            yield execute(task)

    def close(self) -> None:
        """Nothing to stop."""


class LocalProcesses:
    """A pool of worker processes on this machine.

    Workers are forked from this process when it runs no other Python
    thread (the command line's case): they share its loaded modules, so a
    worker costs little more memory than its model (``gc.freeze()`` keeps
    garbage collection from copying the shared pages). Otherwise (a notebook,
    a process that has started threads, a pool restarted while the progress
    bar runs) they come from a forkserver that preloads the model, which is
    safe with threads and nearly as light.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.description = f"{workers} local worker processes"
        self._pool: ProcessPoolExecutor | None = None

    @staticmethod
    def _context() -> multiprocessing.context.BaseContext:
        if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
            return multiprocessing.get_context("fork")
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["orgmodel.experiments.preload"])
        return context

    def start(self) -> None:
        """Start the worker processes now, before this process starts any thread (the progress bar's)."""
        context = self._context()
        pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=init_worker, initargs=(os.getpid(),))
        if context.get_start_method() == "fork":
            gc.freeze()
            try:
                with warnings.catch_warnings():
                    # Python warns on any fork from a process with OS threads; ours are numpy's and
                    # Arrow's pools, which re-initialise in the child, and the child only simulates.
                    warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
                    pool.submit(os.getpid).result()  # with fork, the first task starts every worker
            finally:
                gc.unfreeze()
        self._pool = pool

    def outputs(self, tasks: Iterator[RunTask]) -> Iterator[RunOutput]:
        """Outputs as runs finish, two runs per worker in flight; runs of a dead worker are run again."""
        retry: deque[RunTask] = deque()
        deaths: dict[int, int] = {}
        in_flight: dict[Future[RunOutput], RunTask] = {}
        limit = 2 * self.workers
        breaks = 0  # pool breaks since a run last finished
        while True:
            while len(in_flight) < limit:
                task = retry.popleft() if retry else next(tasks, None)
                if task is None:
                    break
                in_flight[self._submit(task)] = task
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            lost: list[RunTask] = []
            for future in done:
                task = in_flight.pop(future)
                try:
                    output = future.result()
                except BrokenProcessPool:
                    lost.append(task)
                    continue
                breaks = 0
                yield output
            if not lost:
                continue
            # a worker died: every run the pool held is lost; restart the pool and run them again
            breaks += 1
            if breaks >= MAX_BREAKS:
                raise WorkerError(
                    f"worker processes died {breaks} times in a row without finishing a run (see any messages above; "
                    'a script that calls run_experiment needs `if __name__ == "__main__":`)'
                )
            lost += in_flight.values()
            in_flight.clear()
            self._stop()
            self.start()
            for task in sorted(lost, key=lambda t: t.run_id):
                deaths[task.run_id] = deaths.get(task.run_id, 0) + 1
                if deaths[task.run_id] >= MAX_DEATHS:
                    yield _failed(task, f"worker process died {MAX_DEATHS} times while running it (killed, or out of memory)")
                else:
                    retry.append(task)

    def _submit(self, task: RunTask) -> Future[RunOutput]:
        assert self._pool is not None
        try:
            return self._pool.submit(execute, task)
        except BrokenProcessPool:  # broke between two runs: a fresh pool takes the task
            self._stop()
            self.start()
            return self._pool.submit(execute, task)

    def _stop(self) -> None:
        """Kill the workers (idle or not) and drop the pool."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.kill()
        for process in processes:
            process.join(timeout=10)

    def close(self) -> None:
        """Stop the workers, at once (runs in flight are dropped: they are not stored and run again on resume)."""
        self._stop()


class DaskCluster:
    """The workers of a Dask distributed cluster (``address``), or a LocalCluster of ``workers`` processes."""

    def __init__(self, address: str, workers: int) -> None:
        self.address = address
        self.workers = workers
        self.description = ""
        self._client: Any = None
        self._cluster: Any = None

    def start(self) -> None:
        """Connect (an ExperimentError if Dask is missing or the scheduler cannot be reached)."""
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ExperimentError("running on Dask needs the distributed extra: pip install 'orgmodel[distributed]'") from None
        import logging

        if self.address == LOCAL_DASK:
            self._cluster = LocalCluster(
                n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.WARNING
            )
            self._client = Client(self._cluster)
            self.description = f"a local Dask cluster of {self.workers} workers"
        else:
            try:
                self._client = Client(self.address, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise ExperimentError(
                    f"cannot reach the Dask scheduler at {self.address!r}: {' '.join(str(exc).split())}"
                ) from None
            threads = sum(self._client.nthreads().values())
            self.workers = max(threads, 1)
            self.description = f"the Dask cluster at {self.address} ({threads} worker threads)"

    def outputs(self, tasks: Iterator[RunTask]) -> Iterator[RunOutput]:
        """Outputs as runs finish, two runs per worker thread in flight."""
        from dask.distributed import as_completed

        client = self._client
        prefix = uuid.uuid4().hex[:8]
        running: dict[str, tuple[Any, RunTask]] = {}
        queue = as_completed()

        def submit() -> bool:
            task = next(tasks, None)
            if task is None:
                return False
            future = client.submit(execute, task, key=f"orgmodel-run-{prefix}-{task.run_id}", pure=False)
            running[future.key] = (future, task)
            queue.add(future)
            return True

        limit = 2 * max(sum(client.nthreads().values()), 1)
        for _ in range(limit):
            if not submit():
                break
        try:
            for future in queue:
                _, task = running.pop(future.key)
                try:
                    output = future.result()
                except Exception as exc:  # e.g. KilledWorker: the cluster gave up on this run
                    output = _failed(task, f"Dask could not run it: {describe(exc)}")
                future.release()
                yield output
                submit()
        finally:
            if running:
                client.cancel([future for future, _ in running.values()])
            queue.clear()

    def close(self) -> None:
        """Cancel what is left and disconnect (a LocalCluster is shut down)."""
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None


def backend_for(workers: int | None, scheduler: str | None) -> InProcess | LocalProcesses | DaskCluster:
    """The backend for the options: Dask if a scheduler is named, else local processes (one worker: this process)."""
    n = workers or default_workers()
    if scheduler:
        return DaskCluster(scheduler, n)
    return InProcess() if n == 1 else LocalProcesses(n)


# --- the run -----------------------------------------------------------------------------------------------
@dataclass
class RunReport:
    """What a call of :func:`run_experiment` did."""

    out: Path
    total: int
    already: int
    ran: int = 0
    failed: int = 0
    interrupted: bool = False
    wall_time_s: float = 0.0
    backend: str = ""
    workers: int = 1
    first_error: tuple[int, str] | None = None
    left_out: list[tuple[str, str]] = field(default_factory=list)
    damaged: Damage = field(default_factory=Damage)

    @property
    def stored(self) -> int:
        """Runs in the store now."""
        return self.already + self.ran

    @property
    def complete(self) -> bool:
        """Whether every run of the experiment is stored."""
        return self.stored >= self.total


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run_experiment(
    exp: Experiment,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    show_progress: bool | str = False,
) -> RunReport:
    """Run an experiment's missing runs into the store at ``out``.

    Args:
        exp: the experiment.
        out: the output folder (new or empty, or holding this experiment with ``resume``).
        workers: worker processes (default: every core); 1 runs in this process.
        scheduler: a Dask scheduler address, or "local" for a LocalCluster (default: the file's ``[dask]``).
        resume: continue a stopped experiment in ``out``: run only the runs it does not hold.
        show_progress: draw a progress bar on stderr (True), or write a line of progress to stderr every
            ``PROGRESS_EVERY`` seconds (``"lines"``: for a log or a pipe, where a bar shows nothing).

    Returns:
        What ran; ``interrupted`` if Ctrl-C or SIGTERM stopped it (the finished runs are stored).

    Raises:
        ExperimentError: the experiment, the folder or the scheduler is wrong (nothing was run).

    """
    started = time.perf_counter()
    plan = Plan(exp)
    store = Store(out)
    store.check(exp, resume)  # before the lock creates the folder: a refused folder stays as it was
    with store.locked():
        done = store.open(exp, resume)  # checks again, now that no other writer can change the folder
        remaining = plan.n_runs - len(done)
        n = min(workers or default_workers(), max(remaining, 1))  # no more workers than runs to do
        backend = backend_for(n, scheduler or exp.dask.scheduler) if remaining > 0 else InProcess()
        backend.start()
        try:
            report = RunReport(Path(out), plan.n_runs, len(done), left_out=list(plan.left_out), damaged=store.repaired)
            report.backend, report.workers = backend.description, backend.workers
            if not report.complete:
                _run(plan, backend, store, done, report, show_progress)
            else:
                store.compact()
        finally:
            backend.close()
    report.wall_time_s = time.perf_counter() - started
    return report


def _run(plan: Plan, backend: Any, store: Store, done: set[int], report: RunReport, show_progress: bool | str) -> None:
    """Run the missing runs, storing each as it finishes; Ctrl-C or SIGTERM stop it with what finished kept."""
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main else None
    storing_failed = False
    try:
        todo = (i for i in range(plan.n_runs) if i not in done)
        with (
            _Progress(plan.experiment.name, report, show_progress) as advance,
            closing(backend.outputs(plan.tasks(todo))) as outputs,
        ):
            for output in outputs:
                try:
                    store.write(output.row, output.timeseries)
                except OSError as exc:  # e.g. the disk is full: stop, keeping every run stored so far
                    storing_failed = True
                    raise StoreError(
                        f"cannot store run {output.run_id} in '{store.folder}': {exc.strerror or exc}; the "
                        f"{report.stored} runs stored so far are kept: fix this and run again with --resume"
                    ) from None
                report.ran += 1
                if output.error is not None:
                    report.failed += 1
                    if report.first_error is None:
                        report.first_error = (output.run_id, output.error)
                advance(output.error is None)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        backend.close()  # the workers go before the files are merged, so their memory and the merge's never add up
        with contextlib.suppress(OSError) if storing_failed else contextlib.nullcontext():
            store.compact()  # after a storing error it may fail too; the per-run files are kept and readable


class _ProgressLines:
    """Progress as plain lines on stderr: runs done, failed, elapsed and ETA, at most every PROGRESS_EVERY seconds."""

    def __init__(self, name: str, report: RunReport) -> None:
        self.name = name
        self.report = report
        self.started = time.monotonic()
        self.last = self.started

    def line(self) -> str:
        r = self.report
        elapsed = time.monotonic() - self.started
        left = r.total - r.stored
        eta = f"{_clock(elapsed / r.ran * left)}" if r.ran and left else ("0s" if not left else "unknown")
        return f"{self.name}: {r.stored}/{r.total} runs done, {r.failed} failed, {_clock(elapsed)} elapsed, ETA {eta}"

    def __call__(self, ok: bool) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY or self.report.stored >= self.report.total:
            self.last = now
            sys.stderr.write(self.line() + "\n")
            sys.stderr.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else (f"{minutes}m{secs:02d}s" if minutes else f"{secs}s")


class _Progress:
    """A rich progress bar on stderr (runs done, failures, elapsed, ETA), lines, or nothing; yields ``advance(ok)``."""

    def __init__(self, name: str, report: RunReport, show: bool | str) -> None:
        self.name = name
        self.report = report
        self.show = show
        self.bar: Any = None

    def __enter__(self) -> Any:
        if self.show == "lines":
            lines = _ProgressLines(self.name, self.report)
            sys.stderr.write(f"{self.name}: {self.report.total - self.report.stored} runs to do on {self.report.backend}\n")
            sys.stderr.flush()
            return lines
        if not self.show:
            return lambda ok: None
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("runs, {task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
            refresh_per_second=BAR_REFRESH,
        )
        self.bar.start()
        task = self.bar.add_task(escape(self.name), total=self.report.total, completed=self.report.already, failed=0)

        def advance(ok: bool) -> None:
            self.bar.update(task, advance=1, failed=self.report.failed)

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


__all__ = ["DaskCluster", "InProcess", "LocalProcesses", "RunReport", "backend_for", "default_workers", "run_experiment"]
