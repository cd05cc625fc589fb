"""Scenario discovery: where in the input space a condition holds (PRIM, CART, feature scoring).

The algorithms are EMA Workbench's ``analysis`` package (Kwakkel 2017), an
optional extra (``pip install 'orgmodel[discovery]'``): PRIM (Friedman &
Fisher 1999) peels the input space down to a box where the condition is
dense, as used for scenario discovery by Bryant & Lempert (2010); CART
(scikit-learn's decision tree) splits it into leaves; extra-trees feature
scoring ranks the inputs by how much they tell the cases apart.

This module turns their results into what a reader needs: the chosen box's
limits in plain words with their quasi-p-values, the peeling trajectory's
coverage-density trade-off, the tree's rules and the ranking. The data are
:class:`~orgmodel.analysis.cases.Cases` (one row per run or per world).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from orgmodel.analysis.cases import Cases
from orgmodel.experiments.spec import ExperimentError

#: how to get the optional algorithms, in one line
INSTALL_HINT = "scenario discovery needs EMA Workbench: pip install 'orgmodel[discovery]' (or pip install ema_workbench)"
#: quasi-p-values at or above this mark a box limit as not clearly needed (Bryant & Lempert 2010)
QP_LEVEL = 0.05
#: how many of the best unclear boxes on PRIM's trajectory are pruned of their unclear limits
PRUNED_BOXES = 5


class DiscoveryError(ExperimentError):
    """Discovery cannot run on these cases (missing extra, nothing to find); one line saying why."""


def ema_analysis() -> dict[str, ModuleType]:
    """EMA Workbench's ``prim``, ``cart``, ``feature_scoring`` and ``scenario_discovery_util`` modules.

    Importing EMA Workbench warns about optional parallel back-ends orgmodel
    does not use; those warnings are silenced.

    Raises:
        DiscoveryError: EMA Workbench is not installed (the message says how to install it).

    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import cart, feature_scoring, prim
            from ema_workbench.analysis import scenario_discovery_util as sdutil
    except ImportError:
        raise DiscoveryError(INSTALL_HINT) from None
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return {"prim": prim, "cart": cart, "feature_scoring": feature_scoring, "sdutil": sdutil}


@contextmanager
def quiet() -> Iterator[None]:
    """Silence the FutureWarnings EMA Workbench's pandas code raises (they are about its internals, not the data)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def _number(x: float) -> str:
    x = float(x)
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


@dataclass(frozen=True)
class Limit:
    """One restricted input of a box.

    Attributes:
        name: the input.
        low: the box's lower limit (numeric inputs).
        high: the box's upper limit.
        full_low: the lowest value in the data.
        full_high: the highest value in the data.
        values: the categories inside the box (text inputs), else None.
        qp_low: quasi-p-value of the lower limit (None if it is not restricted).
        qp_high: quasi-p-value of the upper limit (None if it is not restricted).

    """

    name: str
    low: float | None
    high: float | None
    full_low: float | None
    full_high: float | None
    values: tuple[str, ...] | None = None
    qp_low: float | None = None
    qp_high: float | None = None

    @property
    def words(self) -> str:
        """The limit as a person would say it, e.g. ``spoiledness at least 0.71 (of 0.4 to 0.9)``."""
        if self.values is not None:
            return f"{self.name} is {' or '.join(self.values)}"
        restricted_low = self.low is not None and self.full_low is not None and self.low > self.full_low
        restricted_high = self.high is not None and self.full_high is not None and self.high < self.full_high
        if restricted_low and restricted_high:
            text = f"{self.name} between {_number(self.low)} and {_number(self.high)}"  # type: ignore[arg-type]
        elif restricted_low:
            text = f"{self.name} at least {_number(self.low)}"  # type: ignore[arg-type]
        else:
            text = f"{self.name} at most {_number(self.high)}"  # type: ignore[arg-type]
        return f"{text} (of {_number(self.full_low)} to {_number(self.full_high)})"  # type: ignore[arg-type]

    @property
    def qp(self) -> float:
        """The larger quasi-p-value of the restricted ends (how likely the limit is chance)."""
        values = [q for q in (self.qp_low, self.qp_high) if q is not None]
        return max(values) if values else float("nan")


def box_limits(box: pd.DataFrame, full: pd.DataFrame, qp: dict[str, list[float]] | None = None) -> list[Limit]:
    """The restricted inputs of an EMA box (two rows: lower and upper limits) against the full data's box."""
    out = []
    for name in box.columns:
        low, high = box.loc[0, name], box.loc[1, name]
        full_low, full_high = full.loc[0, name], full.loc[1, name]
        q = (qp or {}).get(name, [-1, -1])
        q_low, q_high = (None if v is None or v < 0 else float(v) for v in q)
        if isinstance(low, set):
            if set(low) != set(full_low):
                out.append(Limit(name, None, None, None, None, tuple(sorted(map(str, low))), q_low, None))
            continue
        if low > full_low or high < full_high:
            out.append(Limit(name, float(low), float(high), float(full_low), float(full_high), None, q_low, q_high))
    return out


@dataclass
class PrimBox:
    """PRIM's box on its peeling trajectory, and the one chosen.

    Attributes:
        trajectory: one row per box on the trajectory: coverage, density, mass, res_dim (restricted inputs), n, k.
        chosen: the chosen box's row in the trajectory.
        limits: the chosen box's restricted inputs.
        ema: EMA Workbench's PrimBox (for its own plots and inspection).

    """

    trajectory: pd.DataFrame
    chosen: int
    limits: list[Limit]
    ema: Any = field(repr=False)

    @property
    def coverage(self) -> float:
        """Share of all cases where the condition holds that lie in the box."""
        return float(self.trajectory.loc[self.chosen, "coverage"])

    @property
    def density(self) -> float:
        """Share of the cases in the box where the condition holds."""
        return float(self.trajectory.loc[self.chosen, "density"])

    @property
    def mass(self) -> float:
        """Share of all cases in the box."""
        return float(self.trajectory.loc[self.chosen, "mass"])

    def words(self, unit: str = "case") -> list[str]:
        """The box in sentences: where it is, and how good it is."""
        if not self.limits:
            return [
                f"PRIM finds no box whose limits are all clear (quasi-p below {QP_LEVEL}) and better than the whole "
                f"space: the condition holds in {self.density:.0%} of {unit}s; with more {unit}s a box may show "
                "(--box N shows any box on the peeling trajectory)."
            ]
        limits = "; ".join(lim.words for lim in self.limits)
        lines = [
            f"Where {limits}: the condition holds in {self.density:.0%} of the {unit}s in this box "
            f"(density); the box holds {self.coverage:.0%} of all {unit}s where it holds (coverage) and "
            f"{self.mass:.0%} of all {unit}s (mass).",
        ]
        weak = [lim.name for lim in self.limits if not lim.qp < QP_LEVEL]
        qps = ", ".join(f"{lim.name} {lim.qp:.2g}" for lim in self.limits)
        lines.append(f"Quasi-p-values of the limits: {qps}.")
        if weak:
            lines.append(f"The limits on {', '.join(weak)} could be chance (quasi-p at least {QP_LEVEL}).")
        origin = int(self.trajectory["pruned_from"].get(self.chosen, -1)) if "pruned_from" in self.trajectory else -1
        if origin >= 0:
            lines.append(
                f"This is box {self.chosen}: box {origin} of the peeling trajectory with the limits that could be "
                "chance given back (pruned)."
            )
        return lines


def choose_box(trajectory: pd.DataFrame, qp: list[dict[str, list[float]]] | None = None) -> int:
    """The box with the best balance of coverage and density whose limits are all unlikely to be chance.

    The peeling trajectory trades coverage for density; the largest harmonic
    mean of the two (F1) picks the knee of that curve without a hand-set
    threshold. With ``qp`` (each box's quasi-p-values by input, EMA's
    ``p_values``), only boxes whose every restricted limit has a quasi-p
    below :data:`QP_LEVEL` compete, so that with few cases and many inputs
    PRIM's peeling of noise is not reported as a finding (the whole space,
    box 0, always competes). Ties go to the earlier box (fewer restrictions).
    """
    c, d = trajectory["coverage"].to_numpy(float), trajectory["density"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(c + d > 0, 2 * c * d / (c + d), 0.0)
    if qp is not None:
        clear = [i == 0 or all(0 <= q < QP_LEVEL for q in _restricted(qp[i])) for i in range(len(f1))]
        f1 = np.where(clear, f1, -1.0)
    return int(np.argmax(np.round(f1, 12)))


def _restricted(qp: dict[str, list[float]]) -> list[float]:
    """The quasi-p-values of a box's restricted ends (EMA marks an unrestricted end with -1)."""
    return [float(q) for ends in qp.values() for q in ends if q is not None and q >= 0]


def prim(
    cases: Cases, box: int | None = None, peel_alpha: float = 0.05, mass_min: float = 0.05, prune: int = PRUNED_BOXES
) -> PrimBox:
    """PRIM's first box for the cases where the condition holds.

    With many inputs and few cases, peeling also cuts inputs that do not
    matter, and a box with one such limit would not compete in
    :func:`choose_box`. So the ``prune`` boxes with the best coverage-density
    balance that have such limits are pruned as Bryant & Lempert (2010)
    advise: their least clear limit is dropped, one at a time, until every
    limit left is clear. The pruned boxes join the trajectory (its
    ``pruned_from`` column names the box each came from; -1 for a peeled box).

    Args:
        cases: the cases.
        box: which box on the trajectory to choose (default: :func:`choose_box` with the quasi-p-values).
        peel_alpha: share of the cases peeled off per step.
        mass_min: the smallest box, as a share of all cases.
        prune: how many boxes to prune (0: report the peeling trajectory as it is).

    Raises:
        DiscoveryError: there is nothing to find (no case, or the condition never or always holds) or ``box`` is out of range.

    """
    _check_cases(cases)
    ema = ema_analysis()
    x = _ema_inputs(cases.x)
    with quiet():
        algorithm = ema["prim"].Prim(x, cases.y.astype(int), peel_alpha=peel_alpha, mass_min=mass_min)
        found = algorithm.find_box()
        peeled = len(found.peeling_trajectory)
        origin = [-1] * peeled
        for i in _worth_pruning(found.peeling_trajectory.reset_index(drop=True), found.p_values, prune):
            if _prune(found, i):
                origin += [i] * (len(found.box_lims) - len(origin))
    trajectory = found.peeling_trajectory.reset_index(drop=True)
    trajectory["pruned_from"] = origin
    n = len(trajectory)
    chosen = choose_box(trajectory, found.p_values) if box is None else box
    if not 0 <= chosen < n:
        raise DiscoveryError(f"--box must be between 0 and {n - 1} (the peeling trajectory has {n} boxes), got {box}")
    found.select(chosen)
    limits = box_limits(found.box_lims[chosen], found.box_lims[0], found.p_values[chosen])
    return PrimBox(trajectory, chosen, limits, found)


def _worth_pruning(trajectory: pd.DataFrame, qp: list[dict[str, list[float]]], most: int) -> list[int]:
    """The boxes, best coverage-density balance first, that have an unclear limit and beat every clear box."""
    c, d = trajectory["coverage"].to_numpy(float), trajectory["density"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(c + d > 0, 2 * c * d / (c + d), 0.0)
    best_clear = f1[choose_box(trajectory, qp)]
    unclear = [i for i in range(1, len(f1)) if _weakest(qp[i]) is not None and f1[i] > best_clear]
    return sorted(unclear, key=lambda i: -f1[i])[:most]


def _weakest(qp: dict[str, list[float]]) -> tuple[str, int] | None:
    """The least clear restricted end of a box (input, 0 low / 1 high) with quasi-p at or above the level, or None."""
    ends = [(q, name, end) for name, qs in qp.items() for end, q in enumerate(qs) if q is not None and q >= QP_LEVEL]
    return (max(ends)[1], max(ends)[2]) if ends else None


def _prune(found: Any, i: int) -> bool:
    """Give box ``i``'s unclear ends back one at a time, least clear first; False if nothing clear would be left.

    An end that could be chance goes back to the whole space's limit (both
    ends for a text input), the cases inside are counted again, and the new
    box is appended to the trajectory with its quasi-p-values (EMA's
    ``update``, as its ``drop_restriction`` does for a whole input).
    """
    in_box = ema_analysis()["sdutil"]._in_box
    current = i
    while (weak := _weakest(found.p_values[current])) is not None:
        if len(_restricted(found.p_values[current])) <= 1:
            break  # the box's only limit: nothing clear would be left
        name, end = weak
        limits = found.box_lims[current].copy()
        if isinstance(limits.loc[0, name], set):
            limits[name] = found.box_lims[0][name]
        else:
            limits.loc[end, name] = found.box_lims[0].loc[end, name]
        remaining = found.prim.yi_remaining
        found.update(limits, remaining[in_box(found.prim.x.loc[remaining, :], limits)])
        current = len(found.box_lims) - 1
    return current != i


def _check_cases(cases: Cases) -> None:
    if cases.n == 0 and cases.where.paired:
        raise DiscoveryError(
            "no world has a finished run of every arm the condition names: arms are paired on the same sampled "
            "values and seed (an experiment with design.cross and common_random_numbers = true)"
        )
    if cases.n == 0:
        raise DiscoveryError("there are no cases to analyse (no finished run has every value the condition needs)")
    if cases.hits in (0, cases.n):
        holds = "never" if cases.hits == 0 else "always"
        raise DiscoveryError(f"the condition {holds} holds in the {cases.n} {cases.unit}s: there is no region to find")
    if cases.x.shape[1] == 0:
        raise DiscoveryError("the store has no input that varies between cases: nothing to explain the condition with")


def _ema_inputs(x: pd.DataFrame) -> pd.DataFrame:
    """The inputs as EMA Workbench wants them: floats and categories, no constant column."""
    x = x.copy()
    for name in list(x.columns):
        if x[name].nunique(dropna=False) <= 1:
            x = x.drop(columns=name)
        elif pd.api.types.is_bool_dtype(x[name]):
            x[name] = x[name].astype(str).astype("category")
        elif pd.api.types.is_integer_dtype(x[name]):
            x[name] = x[name].astype(float)  # EMA writes half-way split values into the limits
    return x.reset_index(drop=True)


@dataclass
class Tree:
    """CART's tree for the condition.

    Attributes:
        rules: the tree as indented text (scikit-learn's ``export_text``).
        leaves: one row per leaf: coverage, density, mass and its limits in words; densest first.
        ema: EMA Workbench's CART (its ``clf`` is the scikit-learn tree).

    """

    rules: str
    leaves: pd.DataFrame
    ema: Any = field(repr=False)


def cart(cases: Cases, mass_min: float = 0.05, max_depth: int = 4) -> Tree:
    """A classification tree of the condition (leaves at least ``mass_min`` of the cases)."""
    _check_cases(cases)
    ema = ema_analysis()
    from sklearn.tree import export_text

    x = _ema_inputs(cases.x)
    algorithm = ema["cart"].CART(x, cases.y.astype(int), mass_min=mass_min)
    with quiet():
        algorithm.build_tree()
        leaves = list(zip(algorithm.boxes, algorithm.stats, strict=True))
    full = ema["sdutil"]._make_box(x)
    rows = []
    for limits_box, stats in leaves:
        limits = box_limits(limits_box, full)
        rows.append(
            {
                "coverage": float(stats["coverage"]),
                "density": float(stats["density"]),
                "mass": float(stats["mass"]),
                "limits": "; ".join(lim.words for lim in limits) or "everywhere",
            }
        )
    leaves = pd.DataFrame(rows).sort_values(["density", "coverage"], ascending=False, ignore_index=True)
    rules = export_text(algorithm.clf, feature_names=list(algorithm.feature_names), max_depth=max_depth)
    return Tree(rules, leaves, algorithm)


def feature_scores(cases: Cases, seed: int = 0, trees: int = 100) -> pd.Series:
    """How much each input tells the cases apart (extra-trees importance, sums to 1), highest first."""
    _check_cases(cases)
    ema = ema_analysis()
    x = _ema_inputs(cases.x)
    with quiet():
        scores, _ = ema["feature_scoring"].get_ex_feature_scores(
            x, cases.y.astype(int), mode=ema["sdutil"].RuleInductionType.CLASSIFICATION, nr_trees=trees, random_state=seed
        )
    out = scores.iloc[:, 0].astype(float)
    out.index.name = "input"
    out.name = "score"
    return out.sort_values(ascending=False)


@dataclass
class Discovery:
    """Everything ``orgmodel discover`` reports for one condition."""

    cases: Cases
    box: PrimBox
    tree: Tree
    scores: pd.Series

    def words(self) -> list[str]:
        """The findings in sentences."""
        c = self.cases
        unit = c.unit
        lines = [
            f"The condition {c.where.text!r} holds in {c.hits} of {c.n} {unit}s ({c.hits / c.n:.0%})"
            + (f"; {c.left_out} {unit}{'s' if c.left_out != 1 else ''} left out for a missing value." if c.left_out else ".")
        ]
        lines += self.box.words(unit)
        top = ", ".join(f"{name} ({score:.2f})" for name, score in self.scores.head(5).items())
        lines.append(f"Inputs that tell the {unit}s apart most (feature scores, sum 1): {top}.")
        return lines


def discover(cases: Cases, box: int | None = None, seed: int = 0, mass_min: float = 0.05) -> Discovery:
    """PRIM, CART and feature scoring of one condition's cases."""
    return Discovery(
        cases=cases,
        box=prim(cases, box=box, mass_min=mass_min),
        tree=cart(cases, mass_min=mass_min),
        scores=feature_scores(cases, seed=seed),
    )


__all__ = [
    "INSTALL_HINT",
    "Discovery",
    "DiscoveryError",
    "Limit",
    "PrimBox",
    "Tree",
    "box_limits",
    "cart",
    "choose_box",
    "discover",
    "ema_analysis",
    "feature_scores",
    "prim",
]
