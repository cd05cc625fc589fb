"""Monte Carlo: ``samples`` independent points, each factor uniform between its bounds or over its values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from orgmodel.experiments import seeds
from orgmodel.experiments.designs.common import from_unit, n_crossed, sampled_factors

if TYPE_CHECKING:
    from orgmodel.experiments.spec import Experiment


def size(exp: Experiment) -> int:
    """How many points :func:`points` makes: ``design.samples``, times the crossed combinations (``design.cross``)."""
    return (exp.design.samples or 0) * n_crossed(exp)  # each sample runs under every crossed combination


def points(exp: Experiment) -> list[dict[str, Any]]:
    """``design.samples`` points drawn from the design's own stream of the base seed."""
    rng = np.random.default_rng(seeds.design_seed(exp.seed))
    u = rng.random((exp.design.samples or 0, len(sampled_factors(exp))))
    return from_unit(exp, u)
