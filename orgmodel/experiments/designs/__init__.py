"""Designs: each turns an experiment's factors into design points, one module per design.

Every module has ``points(exp) -> list[dict]`` (the factor values of each
point, in design order) and ``size(exp) -> int`` (how many, computed without
making them, so an experiment too large to run is refused at once). The sensitivity designs, :mod:`.sobol` and
:mod:`.morris`, also hold ``problem(exp)``, ``sample(problem)`` and
``analyse(problem, outputs)`` side by side, as SALib does.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from orgmodel.experiments.spec import Experiment

DESIGNS = ("full_factorial", "monte_carlo", "latin_hypercube", "sobol", "morris")
#: designs that come with a sensitivity analysis
SENSITIVITY = ("sobol", "morris")


def module(kind: str) -> ModuleType:
    """The module of a design, imported on first use (scipy and SALib load only for the designs that need them)."""
    if kind not in DESIGNS:
        raise ValueError(f"unknown design {kind!r}; designs: {', '.join(DESIGNS)}")
    return importlib.import_module(f"{__name__}.{kind}")


def size(exp: Experiment) -> int:
    """How many design points the experiment's design makes, computed without making them."""
    return module(exp.design.kind).size(exp)


def points(exp: Experiment) -> list[dict[str, Any]]:
    """The design points of an experiment, in design order."""
    return module(exp.design.kind).points(exp)


def problem(exp: Experiment) -> dict[str, Any]:
    """SALib's problem of a sobol or morris experiment (a ValueError for other designs)."""
    if exp.design.kind not in SENSITIVITY:
        raise ValueError(f"experiment '{exp.name}' has a {exp.design.kind} design; sensitivity indices need sobol or morris")
    return module(exp.design.kind).problem(exp)


def analyse(exp: Experiment, outputs: Any) -> pd.DataFrame:
    """The sensitivity indices of a sobol or morris experiment from one output per design point."""
    settings = problem(exp)  # first: a ValueError naming the design if it has no analysis
    return module(exp.design.kind).analyse(settings, outputs)


__all__ = ["DESIGNS", "SENSITIVITY", "analyse", "module", "points", "problem", "size"]
