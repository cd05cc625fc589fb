"""Full factorial: every combination of every factor's values (the last factor varies fastest)."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orgmodel.experiments.spec import Experiment


def size(exp: Experiment) -> int:
    """How many points :func:`points` makes (the product of the factors' value counts), without making them."""
    return math.prod(len(f.values or ()) for f in exp.factor_list)


def points(exp: Experiment) -> list[dict[str, Any]]:
    """One point per combination; no factors gives the single point of the base scenario."""
    factors = exp.factor_list
    levels = [f.values or () for f in factors]
    return [{f.name: v for f, v in zip(factors, combo, strict=True)} for combo in itertools.product(*levels)]
