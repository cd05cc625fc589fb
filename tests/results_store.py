"""Small real results folders for analysis and report tests.

Every number comes from ``orgmodel.simulate``: each design point and
replicate is run with a seed derived from a base seed, and the rows are
written in the layout of the experiment runner's store (runs.parquet,
timeseries/ dataset, experiment.toml). Runs that raise are recorded with
status "error" and their message, as the runner does.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orgmodel import __version__, simulate
from orgmodel.scenario.files import toml_value

SMALL = {"market_size": 300, "salespeople": 5}


def _arm(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return toml_value(value)


def write_results(
    folder: Path,
    points: list[dict[str, Any]],
    *,
    name: str,
    question: str,
    design: dict[str, Any],
    factors: dict[str, Any],
    replications: int,
    years: int,
    base_seed: int = 2024,
    scenario: str = "status_quo",
    keep: str = "weekly",
    sizes: dict[str, Any] | None = None,
    outcomes: list[str] | None = None,
    source: str | None = None,
) -> Path:
    """Run every point ``replications`` times and write the store into ``folder``.

    ``source`` is recorded as the runner does, in the resolved file's header comment.
    """
    sizes = SMALL if sizes is None else sizes
    seeds = np.random.SeedSequence(base_seed).generate_state(len(points) * replications).tolist()
    rows, weekly = [], []
    for point, values in enumerate(points):
        for rep in range(replications):
            run_id = point * replications + rep
            seed = int(seeds[run_id])
            row: dict[str, Any] = {"run_id": run_id, "point": point, "arm": _arm(values), "replicate": rep, "seed": seed}
            row |= values
            started = time.perf_counter()
            try:
                result = simulate(seed=seed, years=years, **sizes, **values)
            except Exception as exc:
                row |= {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
                row |= {"wall_time_s": time.perf_counter() - started, "orgmodel_version": __version__}
                rows.append(row)
                continue
            row |= {"status": "ok", "error": None, "wall_time_s": time.perf_counter() - started}
            row["orgmodel_version"] = __version__
            for key, value in result.summary.items():
                if isinstance(value, list) and all(isinstance(v, int | float) for v in value):
                    row[key] = [float(v) for v in value]
                elif isinstance(value, int | float | str):
                    row[key] = value
            rows.append(row)
            if keep == "weekly":
                weekly.append(result.timeseries.assign(run_id=run_id))
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(folder / "runs.parquet", index=False)
    if weekly:
        (folder / "timeseries").mkdir(exist_ok=True)
        pd.concat(weekly, ignore_index=True).to_parquet(folder / "timeseries" / "part-0.parquet", index=False)
    lines = [
        f"# orgmodel experiment {name!r}, resolved by orgmodel {__version__}" + (f" from {source}." if source else "."),
        f"name = {_toml(name)}",
        f"question = {_toml(question)}",
        f"scenario = {_toml(scenario)}",
        f"replications = {replications}",
        f"seed = {base_seed}",
        f"years = {years}",
        f"keep = {_toml(keep)}",
        *([f"outcomes = {_toml(outcomes)}"] if outcomes else []),
        "",
        "[design]",
        *(f"{k} = {_toml(v)}" for k, v in design.items()),
        "",
        "[factors]",
        *(f"{k} = {_toml(v)}" for k, v in factors.items()),
    ]
    (folder / "experiment.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def factorial_points(factors: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the factor levels, the first factor varying slowest."""
    grid = pd.MultiIndex.from_product(list(factors.values()), names=list(factors)).to_frame(index=False)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in grid.to_dict("records")]
