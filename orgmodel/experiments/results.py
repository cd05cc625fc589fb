"""Reading an experiment's results: pandas DataFrames and DuckDB SQL over the store's files.

``load_results(DIR)`` works on a finished, a running and a killed experiment
alike: it reads ``runs.parquet`` and any run files not yet compacted into it.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from orgmodel.experiments import designs
from orgmodel.experiments.spec import Experiment, ExperimentError, parse_outcome
from orgmodel.experiments.store import ID_COLUMNS, TIMESERIES, read_experiment, read_runs, run_files, timeseries_files


class QueryError(ExperimentError):
    """A SQL query over the store failed; one line saying why."""


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


class Results:
    """An experiment's stored results.

    Attributes:
        folder: the store.
        experiment: the resolved experiment (``DIR/experiment.toml``).

    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.experiment: Experiment = read_experiment(self.folder)

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per stored run, by run id (see :mod:`orgmodel.experiments.store` for the columns)."""
        return read_runs(self.folder).to_pandas()

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """``run_id`` and the kept weeks of every stored run (empty if the experiment kept summaries only)."""
        files = timeseries_files(self.folder)
        if not files:
            return pd.DataFrame({"run_id": pd.Series([], dtype="int64"), "week": pd.Series([], dtype="int64")})
        return self.query("SELECT * FROM timeseries ORDER BY run_id, week")

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with the views ``runs`` and ``timeseries`` over the store's files."""
        con = duckdb.connect()
        runs = run_files(self.folder)
        if runs:
            con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet({_sql_list(runs)}, union_by_name = true)")
        else:
            columns = ", ".join(f"NULL::{'VARCHAR' if c == 'arm' else 'BIGINT'} AS {c}" for c in ID_COLUMNS)
            con.execute(f"CREATE VIEW runs AS SELECT {columns} WHERE false")
        ts = timeseries_files(self.folder)
        if ts:
            con.execute(f"CREATE VIEW timeseries AS SELECT * FROM read_parquet({_sql_list(ts)})")
        return con

    def query(self, sql: str) -> pd.DataFrame:
        """The result of a DuckDB SQL query over the views ``runs`` and ``timeseries``.

        Raises:
            QueryError: the query failed (the message says why, on one line).

        """
        con = self.connect()
        try:
            return con.execute(sql).df()
        except duckdb.Error as exc:
            message = " ".join(str(exc).split())
            if "timeseries" in message and not (self.folder / TIMESERIES).is_dir():
                message += f" (this experiment kept summaries only: keep = {self.experiment.keep!r})"
            raise QueryError(f"query failed: {message}") from None
        finally:
            con.close()

    def outcome(self, name: str) -> pd.Series:
        """One number per run by run id: a summary key, or one year of a yearly list (``"annual_revenue[-1]"``).

        Failed runs, and runs whose list is too short, give NaN.
        """
        key, index = parse_outcome(name)
        runs = self.runs
        if key not in runs.columns:
            raise KeyError(f"no summary key {key!r} in the runs (columns: {', '.join(runs.columns)})")
        column = runs[key]
        if index is None:
            values = pd.to_numeric(column, errors="coerce").astype(float)
        else:
            values = column.map(lambda v: float(v[index]) if v is not None and -len(v) <= index < len(v) else np.nan)
        values[runs["status"] != "ok"] = np.nan
        return pd.Series(values.to_numpy(dtype=float), index=pd.Index(runs["run_id"], name="run_id"), name=name)

    def point_means(self, name: str) -> np.ndarray:
        """The mean of an outcome over each design point's replications (NaN for a point with no successful run)."""
        from orgmodel.experiments.plan import Plan

        n_points = Plan(self.experiment).n_points
        values = self.outcome(name)
        points = self.runs.set_index("run_id")["point"].reindex(values.index)
        means = values.groupby(points.to_numpy()).mean()
        return means.reindex(range(n_points)).to_numpy(dtype=float)

    def problem(self) -> dict[str, Any]:
        """SALib's problem of a sobol or morris experiment."""
        return designs.problem(self.experiment)

    def sensitivity(self, name: str) -> pd.DataFrame:
        """Sobol or Morris indices of an outcome (the design's ``analyse`` on the point means)."""
        return designs.analyse(self.experiment, self.point_means(name))


def load_results(folder: str | Path) -> Results:
    """The results stored in ``folder`` by ``orgmodel experiment run`` (a StoreError if it holds none)."""
    return Results(folder)


__all__ = ["QueryError", "Results", "load_results"]
