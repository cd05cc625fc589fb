"""Morris elementary effects (SALib): the sampler and the analyser side by side.

:func:`sample` draws ``trajectories`` one-at-a-time paths through a grid of
``levels`` values per factor, ``trajectories * (D + 1)`` points in all.
:func:`analyse` turns one output per point into each factor's mean absolute
effect (``mu_star``, with a bootstrap confidence interval) and the spread of
its effects (``sigma``: large when the factor interacts or acts non-linearly).
It screens many factors for a fraction of Sobol's runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from orgmodel.experiments.designs import common

if TYPE_CHECKING:
    import pandas as pd

    from orgmodel.experiments.spec import Experiment

COLUMNS = ("mu_star", "mu_star_conf", "sigma", "mu")
DEFAULT_LEVELS = 4


def problem(exp: Experiment) -> dict[str, Any]:
    """SALib's problem for the experiment, with the design's settings (``trajectories``, ``levels``)."""
    levels = exp.design.levels or DEFAULT_LEVELS
    return {**common.problem(exp), "trajectories": exp.design.trajectories, "levels": levels}


def sample(problem: dict[str, Any]) -> np.ndarray:
    """The design matrix: one row per point, one column per factor, between the bounds."""
    return morris_sample.sample(problem, problem["trajectories"], num_levels=problem["levels"], seed=problem["seed"])


def size(exp: Experiment) -> int:
    """How many points :func:`points` makes: ``trajectories * (D + 1)``."""
    return (exp.design.trajectories or 0) * (len(exp.factor_list) + 1)


def points(exp: Experiment) -> list[dict[str, Any]]:
    """The design's points (integer keys rounded)."""
    return common.from_bounds(exp, sample(problem(exp)))


def analyse(problem: dict[str, Any], outputs: Any) -> pd.DataFrame:
    """Morris indices of one outcome.

    Args:
        problem: from :func:`problem` (or ``Results.problem()``).
        outputs: one value per design point, in point order (e.g. the mean over replications).

    Returns:
        One row per factor (the index), columns mu_star, mu_star_conf (95%), sigma and mu (the signed mean).

    """
    expected = problem["trajectories"] * (problem["num_vars"] + 1)
    y = common.check_outputs(problem, outputs, expected, "morris")
    x = sample(problem)
    si = morris_analyze.analyze(
        problem,
        x,
        y,
        num_resamples=common.RESAMPLES,
        conf_level=0.95,
        num_levels=problem["levels"],
        seed=problem["analysis_seed"],
    )
    return common.indices(problem, si, COLUMNS)
