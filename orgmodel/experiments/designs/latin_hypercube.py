"""Latin hypercube (scipy.stats.qmc): ``samples`` points that cover each factor's range evenly.

Each factor's range (or list of values) is cut into ``samples`` equal strata
and every stratum gets exactly one point, so a few points already span every
factor, unlike Monte Carlo's independent draws.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import qmc

from orgmodel.experiments import seeds
from orgmodel.experiments.designs.common import from_unit, n_crossed, sampled_factors

if TYPE_CHECKING:
    from orgmodel.experiments.spec import Experiment


def size(exp: Experiment) -> int:
    """How many points :func:`points` makes: ``design.samples``, times the crossed combinations (``design.cross``)."""
    return (exp.design.samples or 0) * n_crossed(exp)  # each sample runs under every crossed combination


def points(exp: Experiment) -> list[dict[str, Any]]:
    """``design.samples`` points of a Latin hypercube drawn from the design's own stream of the base seed."""
    sampler = qmc.LatinHypercube(d=len(sampled_factors(exp)), rng=np.random.default_rng(seeds.design_seed(exp.seed)))
    return from_unit(exp, sampler.random(exp.design.samples or 0))
