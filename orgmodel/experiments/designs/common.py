"""What the sampling designs share: turning sampled numbers into factor values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from orgmodel.experiments import seeds

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from orgmodel.experiments.spec import Experiment

#: bootstrap resamples behind the 95% intervals of the Sobol and Morris indices
RESAMPLES = 1000


def from_unit(exp: Experiment, u: np.ndarray) -> list[dict[str, Any]]:
    """Points from a matrix of numbers in [0, 1) (one row per point, one column per sampled factor, in file order).

    With ``design.cross`` the crossed factors are not sampled: each row is
    run under every combination of their values (see :func:`crossed`).
    """
    factors = sampled_factors(exp)
    return crossed(exp, [{f.name: f.from_unit(float(x)) for f, x in zip(factors, row, strict=True)} for row in u])


def sampled_factors(exp: Experiment) -> list[Any]:
    """The factors a sampling design draws: all but those in ``design.cross``."""
    crossed = set(exp.design.cross or ())
    return [f for f in exp.factor_list if f.name not in crossed]


def crossed(exp: Experiment, sampled: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every sampled point under every combination of the crossed factors' values, sampled point by sampled point.

    A sampled point is a world; crossing runs each world under every arm, so
    arms can be compared world by world (paired). Keys keep the file's order.
    """
    names = exp.design.cross
    if not names:
        return sampled
    import itertools

    levels = {f.name: f.values for f in exp.factor_list if f.name in names}
    combos = list(itertools.product(*(levels[n] for n in names)))
    order = [f.name for f in exp.factor_list]
    out = []
    for point in sampled:
        for combo in combos:
            values = {**point, **dict(zip(names, combo, strict=True))}
            out.append({k: values[k] for k in order})
    return out


def n_crossed(exp: Experiment) -> int:
    """How many arms each sampled point runs under (1 without ``design.cross``)."""
    names = set(exp.design.cross or ())
    n = 1
    for f in exp.factor_list:
        if f.name in names:
            n *= len(f.values or ())
    return n


def from_bounds(exp: Experiment, x: np.ndarray) -> list[dict[str, Any]]:
    """Points from a matrix already between each factor's bounds (SALib's samples); integer keys are rounded."""
    factors = exp.factor_list
    return [{f.name: f.value(float(v)) for f, v in zip(factors, row, strict=True)} for row in x]


def problem(exp: Experiment) -> dict[str, Any]:
    """SALib's problem: the factors' names and bounds, with the seeds for sampling and for the bootstrap."""
    factors = exp.factor_list
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [[f.low, f.high] for f in factors],
        "seed": seeds.design_seed(exp.seed),
        "analysis_seed": seeds.analysis_seed(exp.seed),
    }


def check_outputs(problem: dict[str, Any], outputs: Any, expected: int, design: str) -> np.ndarray:
    """The outputs as a float vector of the design's length without missing values (a ValueError saying why not)."""
    y = np.asarray(outputs, dtype=float).reshape(-1)
    if y.size != expected:
        raise ValueError(
            f"a {design} analysis of {problem['num_vars']} factors needs {expected} outputs (one per design point, "
            f"in point order), got {y.size}"
        )
    missing = int(np.count_nonzero(~np.isfinite(y)))
    if missing:
        raise ValueError(
            f"{missing} of the {expected} outputs are missing or not finite (failed runs?); "
            f"a {design} analysis needs every design point"
        )
    return y


def indices(problem: dict[str, Any], si: Mapping[str, Any], columns: Sequence[str]) -> pd.DataFrame:
    """SALib's result as a DataFrame: one row per factor (the index, named ``factor``), the given columns."""
    return pd.DataFrame({c: np.asarray(si[c], dtype=float) for c in columns}, index=pd.Index(problem["names"], name="factor"))
