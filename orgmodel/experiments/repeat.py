"""Repeating one run of a stored experiment alone (``orgmodel run --from-experiment DIR --run ID``).

The run's scenario comes from the resolved ``DIR/experiment.toml`` and its
factor values and seed from its row in the store (or, for a run not stored
yet, from the plan, which derives the same ones), so the repeat computes
exactly what the experiment computed for that run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc

from orgmodel.experiments.plan import Plan
from orgmodel.experiments.spec import Experiment, ExperimentError
from orgmodel.experiments.store import check_intact, read_experiment, read_runs, stored_value
from orgmodel.scenario.schema import Scenario


@dataclass
class Repeat:
    """One run of an experiment, ready to run again.

    Attributes:
        experiment: the stored experiment.
        run_id: the run.
        scenario: its full scenario.
        seed: its seed.
        stored: its row in the store, or None if it has not run yet.

    """

    experiment: Experiment
    run_id: int
    scenario: Scenario
    seed: int
    stored: dict[str, Any] | None


def repeat_run(folder: str | Path, run_id: int) -> Repeat:
    """The scenario and seed of run ``run_id`` of the experiment stored in ``folder``.

    Raises:
        ExperimentError: no experiment there, or no such run.

    """
    exp = read_experiment(folder)
    check_intact(folder, exp)
    plan = Plan(exp)
    if not 0 <= run_id < plan.n_runs:
        raise ExperimentError(f"--run {run_id}: the experiment in '{folder}' has runs 0 to {plan.n_runs - 1}")
    task = plan.task(run_id)
    table = read_runs(folder)
    rows = table.filter(pc.equal(table.column("run_id"), run_id)).to_pylist()
    stored = rows[0] if rows else None
    values, seed = task.values, task.seed
    if stored is not None:
        values = {key: stored[key] for key in task.values}
        seed = int(stored["seed"])
    return Repeat(exp, run_id, Scenario.model_validate(exp.scenario_values(values)), seed, stored)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, (list, tuple, np.ndarray)) or isinstance(b, (list, tuple, np.ndarray)):
        return len(a) == len(b) and all(_same(float(x), float(y)) for x, y in zip(a, b, strict=True))
    return a == b


def differences(repeat: Repeat, summary: dict[str, Any]) -> list[str]:
    """Summary keys whose value differs from the stored row's (empty: the repeat reproduced the run)."""
    stored = repeat.stored or {}
    factors = set(repeat.experiment.factors)
    return [
        key
        for key, value in summary.items()
        if key in stored and key not in factors and not _same(stored_value(value), stored[key])
    ]


__all__ = ["Repeat", "differences", "repeat_run"]
