"""A results store with known answers, for testing and benchmarking the analyses (not model output).

The runs of a real experiment plan (its design points, arms, seeds and
factor values) are stored as ``orgmodel experiment run`` would store them,
but instead of simulating, each run's summary is a given function of its
factor values. Analyses can then be checked against answers known in
advance, in SALib's spirit (its Ishigami and Sobol' G test functions): a
condition true exactly inside a box, an outcome driven by one factor. Every
such store is written with the store's own code, so the analyses read it
exactly as they read real results.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from orgmodel.experiments.plan import Plan
from orgmodel.experiments.spec import Experiment
from orgmodel.experiments.store import RUNS_FILE, Store, run_row

#: a run's summary from its factor values and seed
Summary = Callable[[dict[str, Any], int], dict[str, Any]]


def write_synthetic_store(exp: Experiment, folder: str | Path, summary: Summary) -> Path:
    """Store every run of ``exp`` with ``summary(values, seed)`` as its summary; return the folder.

    The folder must be new or empty (as for ``orgmodel experiment run``).
    """
    plan = Plan(exp)
    store = Store(folder)
    store.check(exp, resume=False)
    rows = [run_row(task, None, 0.0, summary(task.values, task.seed)) for task in plan.tasks(range(plan.n_runs))]
    with store.locked():
        store.open(exp, resume=False)
        # one merged runs file, written (and recorded) as compaction writes it: 10,000 part files would only slow this
        store._write(pa.concat_tables(rows, promote_options="default"), store.folder / RUNS_FILE)
    return store.folder


__all__ = ["Summary", "write_synthetic_store"]
