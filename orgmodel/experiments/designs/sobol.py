"""Sobol' variance-based sensitivity (SALib): the sampler and the analyser side by side.

:func:`sample` draws Saltelli's extension of a Sobol' sequence: ``N`` base
samples give ``N * (2D + 2)`` points with second-order indices or
``N * (D + 2)`` without (D factors). :func:`analyse` turns one output per
point (in point order) into first-order (``S1``) and total (``ST``) indices
with bootstrap confidence intervals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from orgmodel.experiments.designs import common

if TYPE_CHECKING:
    import pandas as pd

    from orgmodel.experiments.spec import Experiment

COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")


def problem(exp: Experiment) -> dict[str, Any]:
    """SALib's problem for the experiment, with the design's settings (``samples``, ``second_order``)."""
    return {**common.problem(exp), "samples": exp.design.samples, "second_order": bool(exp.design.second_order)}


def sample(problem: dict[str, Any]) -> np.ndarray:
    """The design matrix: one row per point, one column per factor, between the bounds."""
    return sobol_sample.sample(
        problem, problem["samples"], calc_second_order=problem["second_order"], scramble=True, seed=problem["seed"]
    )


def size(exp: Experiment) -> int:
    """How many points :func:`points` makes: ``samples * (2D + 2)`` with second-order indices, else ``samples * (D + 2)``."""
    d = len(exp.factor_list)
    return (exp.design.samples or 0) * ((2 * d + 2) if exp.design.second_order else (d + 2))


def points(exp: Experiment) -> list[dict[str, Any]]:
    """The design's points (integer keys rounded)."""
    return common.from_bounds(exp, sample(problem(exp)))


def analyse(problem: dict[str, Any], outputs: Any) -> pd.DataFrame:
    """Sobol' indices of one outcome.

    Args:
        problem: from :func:`problem` (or ``Results.problem()``).
        outputs: one value per design point, in point order (e.g. the mean over replications).

    Returns:
        One row per factor (the index), columns S1, S1_conf, ST, ST_conf (95% intervals).

    """
    d = problem["num_vars"]
    expected = problem["samples"] * (2 * d + 2 if problem["second_order"] else d + 2)
    y = common.check_outputs(problem, outputs, expected, "sobol")
    si = sobol_analyze.analyze(
        problem,
        y,
        calc_second_order=problem["second_order"],
        num_resamples=common.RESAMPLES,
        conf_level=0.95,
        seed=problem["analysis_seed"],
    )
    return common.indices(problem, si, COLUMNS)
