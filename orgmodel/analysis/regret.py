"""Robust choice among arms over sampled worlds: regret and satisficing, as in robust decision making.

Over a store where every sampled world runs under every arm (common random
numbers), an arm's *regret* in a world is how far its outcome falls short of
the best arm's in that same world (Savage's minimax regret, as used by
Lempert et al. 2006 and EMA Workbench); its *satisficing* score is the share
of worlds in which it meets a target the user sets (Simon's satisficing,
Starr's domain criterion). An arm that is never far from the best and meets
the target almost everywhere is a robust choice even if it is not the best
in the default world.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from orgmodel.analysis.cases import arm_factors, arm_names, paired_values
from orgmodel.analysis.robustness import LEVEL, share_interval
from orgmodel.analysis.where import Term, WhereError
from orgmodel.experiments.spec import parse_outcome

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from orgmodel.experiments.results import Results


def outcome_by_world(results: Results, outcome: str, arms: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per world, one column per arm: the outcome of that arm's run in that world.

    Worlds where an arm is missing or its run failed are left out, so every
    arm is compared over the same worlds.

    Raises:
        WhereError: the outcome or an arm is not in the store.

    """
    try:
        name, index = parse_outcome(outcome)
    except ValueError as exc:
        raise WhereError(str(exc)) from None
    by = arm_factors(results)
    chosen = list(arms) if arms else list(dict.fromkeys(arm_names(results.runs, by)))
    terms = [Term(arm, name, index) for arm in chosen]
    _, values, _ = paired_values(results, terms, by, option="--outcome")
    table = pd.DataFrame({t.arm: v for t, v in values.items()})
    table.columns.name = "arm"
    table.index.name = "world"
    return table.dropna().reset_index(drop=True)


def regret_table(
    by_world: pd.DataFrame, target: float | None = None, higher_is_better: bool = True, level: float = LEVEL
) -> pd.DataFrame:
    """Per arm: mean outcome, regret (mean, 90th percentile, largest), share of worlds best, and satisficing share.

    Args:
        by_world: :func:`outcome_by_world`'s table.
        target: the outcome an arm must reach (or not exceed, if lower is better) to satisfice;
            default: the median over every arm and world.
        higher_is_better: whether more of the outcome is better (revenue) or less (cost).
        level: confidence level of the satisficing share's Wilson interval.

    Rows are sorted by mean regret, the most robust first.

    """
    if by_world.empty:
        raise WhereError(
            "no world has a finished run of every arm: regret compares arms on the same sampled values and seed "
            "(an experiment with design.cross and common_random_numbers = true, e.g. experiments/robustness.toml)"
        )
    values = by_world.to_numpy(float)
    best = values.max(axis=1, keepdims=True) if higher_is_better else values.min(axis=1, keepdims=True)
    regret = (best - values) if higher_is_better else (values - best)
    if target is None:
        target = float(np.median(values))
    meets = values >= target if higher_is_better else values <= target
    n = len(values)
    rows = []
    for j, arm in enumerate(by_world.columns):
        hits = int(meets[:, j].sum())
        low, high = share_interval(hits, n, level)
        rows.append(
            {
                "arm": arm,
                "mean": float(values[:, j].mean()),
                "mean_regret": float(regret[:, j].mean()),
                "regret_p90": float(np.percentile(regret[:, j], 90)),
                "max_regret": float(regret[:, j].max()),
                "best_share": float(np.mean(regret[:, j] == 0)),
                "satisficing": hits / n,
                "satisficing_low": low,
                "satisficing_high": high,
            }
        )
    table = pd.DataFrame(rows).sort_values("mean_regret", ignore_index=True)
    table.attrs.update(target=target, worlds=n, higher_is_better=higher_is_better)
    return table


def regret_figure(by_world: pd.DataFrame, table: pd.DataFrame, outcome: str) -> Figure:
    """Left: each arm's regret over the worlds (box plot); right: its satisficing share with the interval."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    order = list(table["arm"])
    values = by_world[order].to_numpy(float)
    higher = table.attrs.get("higher_is_better", True)
    best = values.max(axis=1, keepdims=True) if higher else values.min(axis=1, keepdims=True)
    regret = (best - values) if higher else (values - best)
    fig = Figure(figsize=(12, 0.5 * len(order) + 1.8), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(order))
    left.boxplot([regret[:, j] for j in range(len(order))], positions=y, orientation="horizontal", widths=0.6)
    left.set_yticks(y, order)
    scale, unit = _scale(float(np.nanmax(np.abs(regret))) if regret.size else 0.0)
    left.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / scale:,.4g}"))
    left.set_xlabel(f"regret: shortfall from the best arm in the same world{unit}")
    left.invert_yaxis()
    share = table["satisficing"].to_numpy(float)
    err = np.vstack([share - table["satisficing_low"].to_numpy(float), table["satisficing_high"].to_numpy(float) - share])
    right.barh(y, share, color="#55a868", alpha=0.8)
    right.errorbar(share, y, xerr=err, fmt="none", ecolor="black", capsize=3)
    right.set_xlim(0, 1)
    word = "at least" if higher else "at most"
    target = float(table.attrs.get("target", float("nan")))
    shown = f"{target:,.0f}" if abs(target) >= 1e4 else f"{target:.3g}"
    right.set_xlabel(f"satisficing: share of worlds {word} {shown}")
    fig.suptitle(f"Robust choice on {outcome} over {len(values)} sampled worlds")
    return fig


def _scale(largest: float) -> tuple[float, str]:
    """A tick unit a reader takes in at a glance (millions, thousands or ones) and its words for the axis label."""
    if largest >= 1e6:
        return 1e6, " (millions)"
    if largest >= 1e4:
        return 1e3, " (thousands)"
    return 1.0, ""


__all__ = ["outcome_by_world", "regret_figure", "regret_table"]
