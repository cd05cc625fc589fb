"""Run one scenario and return its results as tables.

This is the Python front door (``from orgmodel import simulate``); the CLI,
notebooks and dashboard call it rather than stepping the model themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from orgmodel.analysis.summary import summarise
from orgmodel.model.model import SalesOrgModel
from orgmodel.scenario.schema import Scenario


@dataclass
class SimulationResult:
    """What one run produced.

    Attributes:
        scenario: the fully resolved scenario.
        seed: the seed it ran with.
        timeseries: one row per week (see ``WEEKLY_COLUMNS``).
        staff: one row per person per month (hours by activity, pay, clients).
        summary: yearly lists and headline numbers (see :func:`summarise`).
        model: the finished Mesa model, for inspection (not serialised).

    """

    scenario: Scenario
    seed: int | None
    timeseries: pd.DataFrame
    staff: pd.DataFrame
    summary: dict[str, Any]
    model: SalesOrgModel | None = field(default=None, repr=False)


Progress = Callable[[int, int], None]
"""Called after each simulated week with (weeks done, weeks in total)."""


def simulate(
    scenario: Scenario | None = None,
    seed: int | None = 0,
    keep_model: bool = False,
    progress: Progress | None = None,
    **changes: Any,
) -> SimulationResult:
    """Run a scenario for its horizon.

    Args:
        scenario: the scenario (defaults: the essay's status quo).
        seed: seed for every random draw; the same seed gives identical results.
        keep_model: keep the finished model on the result (memory).
        progress: optional callback after each week, for progress bars.
        **changes: scenario keys to override, e.g. ``structure="hunter_farmer"``.

    Returns:
        The run's tables and summary.

    """
    scenario = scenario or Scenario()
    if changes:
        scenario = scenario.with_(**changes)
    model = SalesOrgModel(rng=seed, scenario=scenario)
    if progress is None:
        model.run_until(scenario.weeks)
    else:
        for week in range(1, scenario.weeks + 1):
            model.run_until(week)
            progress(week, scenario.weeks)
    timeseries = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    staff = model.datacollector.get_table_dataframe("staff")
    summary = summarise(model, timeseries, staff)
    return SimulationResult(model.initial_cfg, seed, timeseries, staff, summary, model if keep_model else None)
