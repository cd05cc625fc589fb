"""Sobol and Morris sensitivity indices of an outcome, from a results store (SALib).

The runs of a Sobol or Morris design follow SALib's sample order: the
design point index is the sample row. Replicates of a point are averaged
first, so the indices describe the parameters' effect on the expected
outcome rather than on seed noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from SALib.analyze import morris, sobol

if TYPE_CHECKING:
    from orgmodel.analysis.outcomes import Outcome
    from orgmodel.analysis.results import Results

SENSITIVITY_DESIGNS = ("sobol", "morris")
RESAMPLES = 1000


class SensitivityError(Exception):
    """The runs cannot be analysed as the design says (missing points, wrong sample size)."""


def _problem(results: Results) -> dict[str, Any]:
    names = results.factors
    bounds = []
    for name in names:
        spec = results.experiment.get("factors", {}).get(name)
        if isinstance(spec, dict) and {"low", "high"} <= set(spec):
            bounds.append([float(spec["low"]), float(spec["high"])])
        elif isinstance(spec, dict) and {"min", "max"} <= set(spec):
            bounds.append([float(spec["min"]), float(spec["max"])])
        else:
            column = results.runs[name].astype(float)
            bounds.append([float(column.min()), float(column.max())])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def _second_order(results: Results, n_points: int, n_factors: int) -> bool:
    options = results.design_options
    for key in ("second_order", "calc_second_order"):
        if key in options:
            return bool(options[key])
    if n_points % (2 * n_factors + 2) == 0:
        return True
    if n_points % (n_factors + 2) == 0:
        return False
    raise SensitivityError(
        f"{n_points} design points fit no Sobol sample of {n_factors} factors "
        f"(a multiple of {2 * n_factors + 2} with second order, or of {n_factors + 2} without)"
    )


def sensitivity_indices(results: Results, outcome: Outcome, seed: int = 0) -> pd.DataFrame:
    """Indices of ``outcome`` for each factor.

    Returns:
        Indexed by factor: S1, S1_conf, ST, ST_conf (Sobol) or mu, mu_star,
        mu_star_conf, sigma (Morris); ``*_conf`` are half-widths of 95%
        intervals (SALib's bootstrap).

    Raises:
        SensitivityError: the design is neither Sobol nor Morris, or a design
            point has no successful run, or the points do not form the sample.

    """
    design = results.design
    if design not in SENSITIVITY_DESIGNS:
        raise SensitivityError(f"sensitivity indices need a sobol or morris design, not {design!r}")
    problem = _problem(results)
    ok = results.ok.assign(_y=outcome.values(results.ok))
    per_point = ok.groupby("point")["_y"].mean()
    points = results.runs.groupby("point")[problem["names"]].first().sort_index()
    gaps = pd.RangeIndex(int(points.index.max()) + 1).difference(points.index)
    if len(gaps):
        raise SensitivityError(
            f"design points {', '.join(map(str, gaps[:5]))} are missing from the runs (an unfinished experiment?)"
        )
    missing = points.index.difference(per_point.dropna().index)
    if len(missing):
        raise SensitivityError(
            f"{len(missing)} of {len(points)} design points have no successful run with a value of {outcome.label}"
        )
    y = per_point.reindex(points.index).to_numpy(dtype=float)
    salib_seed = seed + 1  # SALib's Sobol analysis treats a seed of 0 as "no seed" (`if seed:`)
    if design == "sobol":
        si = sobol.analyze(
            problem,
            y,
            calc_second_order=_second_order(results, len(y), problem["num_vars"]),
            num_resamples=RESAMPLES,
            seed=salib_seed,
        )
        columns = ["S1", "S1_conf", "ST", "ST_conf"]
    else:
        levels = int(results.design_options.get("levels", results.design_options.get("num_levels", 4)))
        x = points.to_numpy(dtype=float)
        if len(y) % (problem["num_vars"] + 1):
            raise SensitivityError(f"{len(y)} design points do not form Morris trajectories of {problem['num_vars'] + 1} points")
        si = morris.analyze(problem, x, y, num_resamples=RESAMPLES, num_levels=levels, seed=salib_seed)
        columns = ["mu", "mu_star", "mu_star_conf", "sigma"]
    return pd.DataFrame({c: np.asarray(si[c], dtype=float) for c in columns}, index=pd.Index(problem["names"], name="factor"))
