"""Reading an experiment's results folder into DataFrames for analysis and reports.

The folder holds ``runs.parquet`` (one row per run: ids, factor values,
seed, status, error and the run's summary), ``timeseries/`` (a Parquet
dataset of weekly rows keyed by ``run_id``; absent when the experiment kept
summaries only) and ``experiment.toml`` (the resolved experiment file).
Problems with the folder raise :class:`ResultsError` with a one-line message,
so the command line can report them as ``error: ...``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

RUNS_FILE = "runs.parquet"
TIMESERIES_DIR = "timeseries"
EXPERIMENT_FILE = "experiment.toml"
REQUIRED_RUN_COLUMNS = ("run_id", "point", "arm", "replicate", "seed", "status")
DESIGN_KEYS = ("kind", "type", "method")  # the key naming the design in its [design] table
DEFAULT_DESIGN = "full_factorial"
SOURCE_COMMENT = re.compile(r"^#.* from (?P<source>\S+)\.\s*$")


class ResultsError(Exception):
    """The results folder cannot be read; ``str(error)`` says which file and why in one line."""


@dataclass
class Results:
    """An experiment's runs, optional weekly rows and resolved experiment file.

    Attributes:
        directory: the results folder.
        runs: one row per run, sorted by design point then replicate.
        timeseries: weekly rows of the runs (None when not kept).
        experiment: the resolved experiment file as a dict.
        source: the experiment file the runs came from, if the resolved file
            records it (as a ``source`` key or in its header comment).

    """

    directory: Path
    runs: pd.DataFrame
    timeseries: pd.DataFrame | None
    experiment: dict[str, Any]
    source: str | None = None

    @property
    def ok(self) -> pd.DataFrame:
        """The runs that finished without an error."""
        return self.runs[self.runs["status"] == "ok"]

    @property
    def failed(self) -> pd.DataFrame:
        """The runs that raised an error."""
        return self.runs[self.runs["status"] != "ok"]

    @property
    def design(self) -> str:
        """The design's kind, lower case (``full_factorial``, ``latin_hypercube``, ``sobol``, ``morris``, ...)."""
        design = self.experiment.get("design", DEFAULT_DESIGN)
        if isinstance(design, dict):
            design = next((design[k] for k in DESIGN_KEYS if k in design), DEFAULT_DESIGN)
        return str(design).lower()

    @property
    def design_options(self) -> dict[str, Any]:
        """Settings of the design beyond its kind (e.g. Sobol's second order, Morris levels)."""
        design = self.experiment.get("design")
        return {k: v for k, v in design.items() if k not in DESIGN_KEYS} if isinstance(design, dict) else {}

    @property
    def factors(self) -> list[str]:
        """The scenario keys the experiment varies, in the order of the file."""
        names = list(self.experiment.get("factors", {}))
        return [n for n in names if n in self.runs.columns]

    @property
    def arms(self) -> list[str]:
        """Arm labels in design-point order; the first is the reference (status quo) arm."""
        return list(dict.fromkeys(self.runs.sort_values(["point", "replicate"])["arm"].tolist()))

    @property
    def years(self) -> int:
        """The horizon in years (from the file, else the longest yearly list in the runs)."""
        if "years" in self.experiment:
            return int(self.experiment["years"])
        if "years" in self.runs:
            return int(self.runs["years"].max())
        return 0


def read_results(directory: str | Path, timeseries_columns: Sequence[str] | None = None) -> Results:
    """Read a results folder.

    Args:
        directory: the folder an experiment run wrote.
        timeseries_columns: weekly columns to read besides ``run_id`` (default:
            all); reading few keeps memory low on large experiments.

    Raises:
        ResultsError: the folder, ``runs.parquet`` or ``experiment.toml`` is
            missing or unreadable, or the runs lack the columns every store has.

    """
    folder = Path(directory)
    if not folder.exists():
        raise ResultsError(f"results folder '{folder}' does not exist")
    if not folder.is_dir():
        raise ResultsError(f"'{folder}' is not a folder; give the folder an experiment run wrote (with {RUNS_FILE})")
    runs_path = folder / RUNS_FILE
    if not runs_path.is_file():
        raise ResultsError(f"'{folder}' is not an experiment results folder: {RUNS_FILE} is missing")
    try:
        runs = pd.read_parquet(runs_path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise ResultsError(f"cannot read '{runs_path}': {exc}") from exc
    missing = [c for c in REQUIRED_RUN_COLUMNS if c not in runs.columns]
    if missing:
        raise ResultsError(f"'{runs_path}' lacks the column(s) {', '.join(missing)} that every results store has")
    experiment_path = folder / EXPERIMENT_FILE
    if not experiment_path.is_file():
        raise ResultsError(f"'{folder}' is not an experiment results folder: {EXPERIMENT_FILE} is missing")
    try:
        text = experiment_path.read_text(encoding="utf-8")
        experiment = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ResultsError(f"cannot read '{experiment_path}': {exc}") from exc
    runs = runs.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)
    timeseries = _read_timeseries(folder / TIMESERIES_DIR, timeseries_columns)
    return Results(folder, runs, timeseries, experiment, _source(experiment, text))


def _source(experiment: dict[str, Any], text: str) -> str | None:
    """The original experiment file: a ``source`` key, or the runner's header comment "... from PATH."."""
    if experiment.get("source"):
        return str(experiment["source"])
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = SOURCE_COMMENT.match(line)
        if match:
            return match.group("source")
    return None


def _read_timeseries(path: Path, columns: Sequence[str] | None) -> pd.DataFrame | None:
    if not path.is_dir() or not any(path.rglob("*.parquet")):
        return None
    wanted = None if columns is None else list(dict.fromkeys(["run_id", *columns]))
    try:
        return pd.read_parquet(path, columns=wanted)
    except Exception as exc:  # a damaged or foreign dataset
        raise ResultsError(f"cannot read the timeseries dataset '{path}': {exc}") from exc
