"""From a results store to cases: the inputs of each run or world, and whether a condition holds in it.

Scenario discovery asks "in which part of the input space does this happen?".
Its data are *cases*: one row of inputs and one yes/no per case. A condition
about one run (``revenue_growth_last_3_years < 0.03``) makes each run a case,
with every factor as an input. A condition that compares arms
(``hunter_farmer.total_revenue < status_quo.total_revenue``) makes each
*world* a case: the runs that share every sampled factor value and the seed
(common random numbers), one per arm; its inputs are the sampled factors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from orgmodel.analysis.where import Term, Where, WhereError, parse
from orgmodel.experiments.results import Results
from orgmodel.experiments.spec import SCENARIO_FACTOR

#: the column name of the arm among a run's inputs (EMA Workbench drops a column named "scenario")
ARM_INPUT = "arm"


@dataclass
class Cases:
    """The cases of a condition over a store.

    Attributes:
        where: the parsed condition.
        x: the inputs, one row per case (numbers as floats or ints, text as categories).
        y: whether the condition holds, one per case.
        worlds: for a paired condition, each case's run ids by arm (one column per arm); else None.
        left_out: cases left out because a value they need is missing (a failed run, or an arm missing in a world).

    """

    where: Where
    x: pd.DataFrame
    y: np.ndarray
    worlds: pd.DataFrame | None
    left_out: int

    @property
    def n(self) -> int:
        """Number of cases."""
        return len(self.y)

    @property
    def hits(self) -> int:
        """Cases where the condition holds."""
        return int(self.y.sum())

    @property
    def unit(self) -> str:
        """What a case is, in words: 'world' or 'run'."""
        return "world" if self.where.paired else "run"


def arm_factors(results: Results) -> list[str]:
    """The factors that name an arm: ``design.cross``; else the ``scenario`` factor; else the text and true/false factors."""
    exp = results.experiment
    if exp.design.cross:
        return list(exp.design.cross)
    factors = exp.factor_list
    if any(f.name == SCENARIO_FACTOR for f in factors):
        return [SCENARIO_FACTOR]
    return [f.name for f in factors if f.kind in (str, bool)]


def arm_names(runs: pd.DataFrame, factors: Sequence[str]) -> pd.Series:
    """Each run's arm name: the arm factors' values joined with ``+`` (the scenario's name for a store without them)."""
    if not factors:
        return pd.Series(runs["arm"].astype(str).to_numpy(), index=runs.index)
    parts = [runs[f].map(lambda v: "true" if v is True else "false" if v is False else str(v)) for f in factors]
    out = parts[0]
    for p in parts[1:]:
        out = out + "+" + p
    return out


def _inputs(runs: pd.DataFrame, factors: Sequence[str]) -> pd.DataFrame:
    """The factor columns as inputs: numbers stay numbers, text becomes a category; ``scenario`` is called ``arm``."""
    x = pd.DataFrame(index=runs.index)
    for f in factors:
        column = runs[f]
        name = ARM_INPUT if f == SCENARIO_FACTOR else f
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            x[name] = column.astype(str).astype("category")
        else:
            x[name] = column
    return x


def _values(results: Results, runs: pd.DataFrame, term: Term, option: str = "--where") -> pd.Series:
    """One value per run (by run id) of a term's summary key or factor; a WhereError if the store has neither.

    ``option`` names the command-line option the term came from, so the error line points at it.
    """
    factors = results.factors
    if term.name in factors and term.index is None:
        column = runs.set_index("run_id")[term.name]
        return column if column.dtype == object else column.astype(float)
    years = _years(runs, term.name)
    if years is not None and term.index is None:
        raise WhereError(f"{option}: {term.name!r} is a yearly list ({years} years): pick a year, e.g. {term.name}[-1]")
    if years is not None and not -years <= term.index < years:
        raise WhereError(
            f"{option}: {term.outcome!r}: {term.name} has {years} years, so the index must be from {-years} to {years - 1}"
        )
    if term.name in runs.columns and runs[term.name].dtype == object and term.index is None:
        raise WhereError(f'{option}: {term.name!r} is text, not a number; compare a factor\'s text with == "..."')
    try:
        return results.outcome(term.outcome)
    except (KeyError, ValueError):
        raise WhereError(
            f"{option}: {term.outcome!r} is not a summary key or a factor of this store (some summary keys: "
            f"{', '.join(_some_keys(runs, factors))}; factors: {_first(factors)})"
        ) from None


def _years(runs: pd.DataFrame, name: str) -> int | None:
    """The length of a yearly-list summary key (the longest over the runs), or None if ``name`` is not one."""
    if name not in runs.columns or runs[name].dtype != object:
        return None
    lengths = [len(v) for v in runs[name] if isinstance(v, list | tuple | np.ndarray)]
    return max(lengths) if lengths else None


def _some_keys(runs: pd.DataFrame, factors: Sequence[str]) -> list[str]:
    skip = {"run_id", "point", "arm", "replicate", "seed", "status", "error", "wall_time_s", "orgmodel_version", *factors}
    return [c for c in runs.columns if c not in skip][:12]


def _first(names: Sequence[str], most: int = 12) -> str:
    """Up to ``most`` names joined, and how many more: an error line stays one readable line."""
    if not names:
        return "none"
    more = len(names) - most
    return ", ".join(names[:most]) + (f" and {more} more" if more > 0 else "")


def cases(results: Results, where: str | Where, arms_by: Sequence[str] | None = None) -> Cases:
    """The cases of a condition over a store (see the module docstring).

    Args:
        results: the store.
        where: the condition (see :mod:`orgmodel.analysis.where`).
        arms_by: the factors that name an arm (default: :func:`arm_factors`).

    Raises:
        WhereError: the condition is not in the grammar, or names an arm, key or factor the store lacks.

    """
    expr = parse(where) if isinstance(where, str) else where
    runs = results.runs
    if not len(runs):
        raise WhereError(f"the store '{results.folder}' holds no runs yet")
    by = list(arms_by) if arms_by is not None else arm_factors(results)
    if not expr.paired:
        values = {t: _values(results, runs, t).to_numpy() for t in expr.terms}
        missing = np.zeros(len(runs), dtype=bool)
        for v in values.values():
            if v.dtype != object:
                missing |= np.isnan(v.astype(float))
        missing |= (runs["status"] != "ok").to_numpy()
        y = expr.evaluate(values).astype(bool) & ~missing
        keep = ~missing
        x = _inputs(runs, results.factors)[keep].reset_index(drop=True)
        return Cases(expr, x, np.broadcast_to(y, len(runs))[keep].copy(), None, int(missing.sum()))
    return _paired(results, runs, expr, by)


def _paired(results: Results, runs: pd.DataFrame, expr: Where, by: list[str]) -> Cases:
    """One case per world: the runs sharing every non-arm factor value and the seed."""
    for arm in expr.arms:
        _check_arm(arm, runs, by)
    world_factors = [f for f in results.factors if f not in by]
    for t in expr.terms:
        if t.arm is None and t.name not in world_factors:
            raise WhereError(
                f"--where: {t.outcome!r} has no arm; in a condition that compares arms a bare name must be a sampled "
                f"factor ({_first(world_factors)}); write ARM.{t.outcome} for an arm's outcome"
            )
    x, values, run_ids = paired_values(results, list(expr.terms), by)
    missing = np.zeros(len(run_ids), dtype=bool)
    for v in values.values():
        if v.dtype != object:
            missing |= np.isnan(v)
    y = np.broadcast_to(expr.evaluate(values).astype(bool), len(run_ids)) & ~missing
    keep = ~missing
    return Cases(expr, x[keep].reset_index(drop=True), y[keep].copy(), run_ids[keep].reset_index(drop=True), int(missing.sum()))


def _check_arm(arm: str, runs: pd.DataFrame, by: list[str]) -> None:
    if not by:
        raise WhereError(
            "this compares arms (ARM.NAME), but the store's factors name no arm: it needs a crossed factor "
            "(design.cross), a scenario factor or a text factor"
        )
    known = list(dict.fromkeys(arm_names(runs, by)))
    if arm not in known:
        raise WhereError(f"there is no arm {arm!r} in this store (arms: {', '.join(known)})")


def paired_values(
    results: Results, terms: Sequence[Term], by: Sequence[str] | None = None, option: str = "--where"
) -> tuple[pd.DataFrame, dict[Term, np.ndarray], pd.DataFrame]:
    """Each world's inputs, the terms' values in each world, and each world's run ids by arm.

    A world is the set of runs that share every factor value except the arm
    factors ``by``, and the seed. A term without an arm reads a world input.
    Values are NaN where a world lacks the arm or its run failed. ``option``
    names the command-line option the terms came from (for error lines).

    Raises:
        WhereError: a term names an arm the store lacks, or some world has two runs of one arm.

    """
    runs = results.runs
    by = list(by) if by is not None else arm_factors(results)
    for t in terms:
        if t.arm is not None:
            _check_arm(t.arm, runs, by)
    names = arm_names(runs, by)
    known = list(dict.fromkeys(names))
    world_factors = [f for f in results.factors if f not in by]
    world = runs.groupby([*world_factors, "seed"], sort=False, dropna=False).ngroup().to_numpy()
    frame = pd.DataFrame({"world": world, "arm": names.to_numpy(), "run_id": runs["run_id"].to_numpy()})
    if frame.duplicated(["world", "arm"]).any():
        raise WhereError(
            "some world has two runs of one arm: the arms are not named by "
            f"{', '.join(by)} alone (give the factors that name an arm)"
        )
    run_ids = frame.pivot(index="world", columns="arm", values="run_id").reindex(columns=known)
    first = pd.Series(np.arange(len(runs))).groupby(world).first()  # each world's first run, by world
    x = _inputs(runs.iloc[first.to_numpy()].reset_index(drop=True), world_factors)
    values: dict[Term, np.ndarray] = {}
    for t in terms:
        if t.arm is None:
            column = x[t.name]
            categorical = isinstance(column.dtype, pd.CategoricalDtype)
            values[t] = column.astype(str).to_numpy() if categorical else column.to_numpy(dtype=float)
        else:
            per_run = _values(results, runs, t, option)
            values[t] = per_run.reindex(run_ids[t.arm].to_numpy()).to_numpy(dtype=float)
    return x, values, run_ids


__all__ = ["ARM_INPUT", "Cases", "arm_factors", "arm_names", "cases", "paired_values"]
