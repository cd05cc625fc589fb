"""Experiments: declarative experiment files, designs, parallel and distributed runs, and a results store.

``load_experiment(FILE)`` reads an experiment file, ``run_experiment(exp, DIR)``
runs it into a Parquet store and ``load_results(DIR)`` reads that back as
pandas DataFrames or DuckDB SQL. See ``docs/experiments.md``.
"""

from orgmodel.experiments.plan import Plan, RunTask
from orgmodel.experiments.results import QueryError, Results, load_results
from orgmodel.experiments.runner import RunReport, run_experiment
from orgmodel.experiments.spec import Experiment, ExperimentError, load_experiment, parse_experiment
from orgmodel.experiments.store import StoreError

__all__ = [
    "Experiment",
    "ExperimentError",
    "Plan",
    "QueryError",
    "Results",
    "RunReport",
    "RunTask",
    "StoreError",
    "load_experiment",
    "load_results",
    "parse_experiment",
    "run_experiment",
]
