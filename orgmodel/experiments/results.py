"""Reading an experiment's results: pandas DataFrames and DuckDB SQL over the store's files.

``load_results(DIR)`` is the one way to read a results folder; the analysis
and the report read through it. It works on a finished, a running and a
killed experiment alike: it reads ``runs.parquet`` and any run files not yet
compacted into it. A folder that is not a results store raises
:class:`~orgmodel.experiments.store.StoreError` with a one-line message.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from orgmodel.experiments import designs
from orgmodel.experiments.resolved import original_source
from orgmodel.experiments.spec import Experiment, ExperimentError, parse_outcome
from orgmodel.experiments.store import (
    EXPERIMENT_FILE,
    ID_COLUMNS,
    TIMESERIES,
    StoreError,
    check_intact,
    read_experiment,
    read_runs,
    run_files,
    timeseries_files,
)


class QueryError(ExperimentError):
    """A SQL query over the store failed; one line saying why."""


#: the statement types a query may be (reading only)
_READING = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


class Results:
    """An experiment's stored results.

    Attributes:
        folder: the store.
        experiment: the resolved experiment (``DIR/experiment.toml``).

    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if not self.folder.exists():
            raise StoreError(f"results folder '{self.folder}' does not exist")
        if not self.folder.is_dir():
            raise StoreError(f"'{self.folder}' is not a folder; give the folder `orgmodel experiment run` wrote")
        self.experiment: Experiment = read_experiment(self.folder)
        check_intact(self.folder, self.experiment)

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per stored run, by run id (see :mod:`orgmodel.experiments.store` for the columns)."""
        try:
            runs = read_runs(self.folder).to_pandas()
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise StoreError(f"cannot read the runs in '{self.folder}': {_one_line(exc)}") from None
        missing = [c for c in (*ID_COLUMNS, "status") if c not in runs.columns]
        if missing:
            raise StoreError(f"the runs in '{self.folder}' lack the column(s) {', '.join(missing)} that every store has")
        return runs

    @property
    def ok(self) -> pd.DataFrame:
        """The runs that finished without an error."""
        return self.runs[self.runs["status"] == "ok"]

    @property
    def failed(self) -> pd.DataFrame:
        """The runs that raised an error."""
        return self.runs[self.runs["status"] != "ok"]

    @property
    def factors(self) -> list[str]:
        """The factors' names, in the order of the file."""
        return [f.name for f in self.experiment.factor_list]

    @property
    def arms(self) -> list[str]:
        """The arm labels of the stored runs in design-point order; the first is the reference (status quo) arm."""
        return list(dict.fromkeys(self.runs.sort_values(["point", "replicate"], kind="stable")["arm"]))

    @property
    def years(self) -> int:
        """The horizon in years: the experiment's, else the longest stored run's, else the base scenario's."""
        if self.experiment.years is not None:
            return self.experiment.years
        if "years" in self.runs and self.runs["years"].notna().any():
            return int(self.runs["years"].max())
        return int(self.experiment.scenarios[self.experiment.scenario]["years"])

    @property
    def source(self) -> str | None:
        """The experiment file the runs came from, as the resolved file's header records it (None if built in code)."""
        return original_source((self.folder / EXPERIMENT_FILE).read_text(encoding="utf-8"))

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """``run_id`` and the kept weeks of every stored run (empty if the experiment kept summaries only)."""
        return self.read_timeseries()

    def read_timeseries(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """``run_id``, ``week`` and the weekly ``columns`` (default: all) of every stored run, by run and week.

        Reading few columns keeps memory low on large experiments. Empty if
        the experiment kept summaries only.
        """
        if not timeseries_files(self.folder):
            return pd.DataFrame({"run_id": pd.Series([], dtype="int64"), "week": pd.Series([], dtype="int64")})
        shown = "*" if columns is None else ", ".join(dict.fromkeys(["run_id", "week", *columns]))
        return self.query(f"SELECT {shown} FROM timeseries ORDER BY run_id, week")

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with the views ``runs`` and ``timeseries`` over the store's files, read-only.

        Results folders are shared, and a query is text someone may paste from
        elsewhere: once the views exist the connection may read the store's
        data files and nothing else (no writing, attaching, other files or
        extensions), and that configuration is locked.
        """
        con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
        runs = run_files(self.folder)
        if runs:
            con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet({_sql_list(runs)}, union_by_name = true)")
        else:
            columns = ", ".join(f"NULL::{'VARCHAR' if c == 'arm' else 'BIGINT'} AS {c}" for c in ID_COLUMNS)
            con.execute(f"CREATE VIEW runs AS SELECT {columns} WHERE false")
        ts = timeseries_files(self.folder)
        if ts:
            con.execute(f"CREATE VIEW timeseries AS SELECT * FROM read_parquet({_sql_list(ts)})")
        con.execute(f"SET allowed_paths = {_sql_list([p.resolve() for p in runs + ts] or [Path('/nonexistent')])}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        return con

    def query(self, sql: str) -> pd.DataFrame:
        """The result of a DuckDB SQL query over the views ``runs`` and ``timeseries``.

        Raises:
            QueryError: the query failed (the message says why, on one line).

        """
        con = self.connect()
        try:
            statements = con.extract_statements(sql)
            if len(statements) != 1 or statements[0].type not in _READING:
                kinds = ", ".join(s.type.name for s in statements) or "none"
                raise QueryError(
                    f"a query is one SELECT statement over runs and timeseries (got: {kinds}); the store is read-only"
                )
            return con.execute(statements[0]).df()
        except duckdb.Error as exc:
            message = _one_line(exc)
            if "timeseries" in message and not (self.folder / TIMESERIES).is_dir():
                message += f" (this experiment kept summaries only: keep = {self.experiment.keep!r})"
            raise QueryError(f"query failed: {message}") from None
        finally:
            con.close()

    def outcome(self, name: str | pd.Series) -> pd.Series:
        """One number per run by run id, NaN for failed runs.

        Args:
            name: a summary key, one year of a yearly list (``"annual_revenue[-1]"``),
                or already one value per run by run id (e.g. a derived measure).

        """
        runs = self.runs
        if isinstance(name, pd.Series):
            values = name.reindex(runs["run_id"]).to_numpy(dtype=float)
        else:
            key, index = parse_outcome(name)
            if key not in runs.columns:
                raise KeyError(f"no summary key {key!r} in the runs (columns: {', '.join(runs.columns)})")
            column = runs[key]
            if index is None:
                values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
            else:
                values = column.map(lambda v: float(v[index]) if v is not None and -len(v) <= index < len(v) else np.nan)
                values = values.to_numpy(dtype=float)
        values = np.where(runs["status"].to_numpy() == "ok", values, np.nan)
        label = name.name if isinstance(name, pd.Series) else name
        return pd.Series(values, index=pd.Index(runs["run_id"], name="run_id"), name=label)

    def point_means(self, name: str | pd.Series) -> np.ndarray:
        """The mean of an outcome (see :meth:`outcome`) over each design point's replications, in point order.

        NaN for a point with no successful run.
        """
        from orgmodel.experiments.plan import Plan

        n_points = Plan(self.experiment).n_points
        values = self.outcome(name)
        points = self.runs.set_index("run_id")["point"].reindex(values.index)
        means = values.groupby(points.to_numpy()).mean()
        return means.reindex(range(n_points)).to_numpy(dtype=float)

    def problem(self) -> dict[str, Any]:
        """SALib's problem of a sobol or morris experiment."""
        return designs.problem(self.experiment)

    def sensitivity(self, name: str | pd.Series) -> pd.DataFrame:
        """Sobol or Morris indices of an outcome: the design's ``analyse`` on the point means.

        The bootstrap intervals are drawn from a seed derived from the
        experiment's seed, so the same store always gives the same table.

        Raises:
            ValueError: the design is not sobol or morris, or a design point has no successful run.

        """
        return designs.analyse(self.experiment, self.point_means(name))


def load_results(folder: str | Path) -> Results:
    """The results stored in ``folder`` by ``orgmodel experiment run`` (a StoreError if it holds none)."""
    return Results(folder)


__all__ = ["QueryError", "Results", "load_results"]
