"""The report's opening: the answer in two to four sentences, generated from the comparison tables.

Which arm does best on the experiment's criterion, by how much against the
reference, how sure the runs make us, and what the best arm costs in return
(more people, higher cost of sales, a slower first year). A difference is
called clear only when its 95% interval excludes zero and its Holm-adjusted
p-value is below :data:`~orgmodel.analysis.findings.ALPHA`; otherwise the
opening says the runs do not settle it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from orgmodel.analysis.compare import FEW_REPLICATIONS
from orgmodel.analysis.findings import ALPHA, capitalised, ratio_text
from orgmodel.analysis.outcomes import Outcome

#: a trade-off is worth a sentence when the best arm is this much worse than the reference (relative)
NOTABLE = 0.05


def clear(row: pd.Series) -> bool:
    """Whether the arm's difference to the reference is settled: interval off zero and Holm-adjusted p below ALPHA."""
    interval_off_zero = (row["diff_low"] > 0) or (row["diff_high"] < 0)
    return bool(interval_off_zero and math.isfinite(row["p_holm"]) and row["p_holm"] < ALPHA)


def best_arm(table: pd.DataFrame) -> pd.Series:
    """The arm with the highest mean on the criterion (the first on a tie, so the reference wins ties)."""
    ranked = table.dropna(subset=["mean"])
    return ranked.loc[ranked["mean"].idxmax()]


def short(outcome: Outcome) -> str:
    """The outcome's label without its parenthesis, for sentences ("contribution over 10 years")."""
    return outcome.label.split(" (")[0]


def _name(row: pd.Series, labels: dict[str, str]) -> str:
    return labels.get(row["arm"], str(row["arm"]))


def _size(row: pd.Series, outcome: Outcome) -> str:
    """How much the arm differs from the reference: the difference, its interval, and the ratio where it means something."""
    text = (
        f"{outcome.format_difference(row['diff'])} "
        f"(95% interval {outcome.format_difference(row['diff_low'])} to {outcome.format_difference(row['diff_high'])})"
    )
    if outcome.has_ratio and math.isfinite(row["ratio"]) and row["ratio"] > 0:
        text += f", {ratio_text(row['ratio'])} the reference"
    return text


def _sureness(row: pd.Series, n_min: int) -> str:
    if clear(row):
        wins = row["superiority"]
        share = f"; its runs beat the reference's in {wins:.0%} of pairs" if math.isfinite(wins) else ""
        return f"The difference is clear: its 95% interval lies {'above' if row['diff'] > 0 else 'below'} zero{share}."
    more = f" (each arm ran {n_min} times; more replications would narrow it)" if n_min < FEW_REPLICATIONS else ""
    return f"The runs do not settle it: the 95% interval of the difference includes zero or the test is not significant{more}."


def opening(
    tables: dict[str, pd.DataFrame],
    criterion: Outcome,
    costs: dict[str, pd.Series],
    labels: dict[str, str],
    years: int,
    currency: str = "",
) -> list[str]:
    """Two to four sentences: the best arm on the criterion, by how much, how sure, and the main trade-off.

    Args:
        tables: :func:`~orgmodel.analysis.compare.compare_arms` tables by outcome key; ``criterion.key`` must be there.
        criterion: the outcome the experiment ranks arms by.
        costs: mean per arm of the trade-off measures (see :func:`trade_off`).
        labels: arm names.
        years: the horizon (for the words).
        currency: the currency of money in the trade-off sentence.

    """
    table = tables[criterion.key]
    reference = table[table["reference"]].iloc[0]
    others = table[~table["reference"]].dropna(subset=["mean"])
    ref_name = _name(reference, labels)
    if others.empty:
        return [f"Only {ref_name} has successful runs: {criterion.label} {criterion.format(reference['mean'])}."]
    n_min = int(table["n"].min())
    best = best_arm(table)
    if best["reference"]:
        runner = others.loc[others["mean"].idxmax()]
        lines = [
            f"No alternative beats {ref_name} on {short(criterion)} ({criterion.format(reference['mean'])}): "
            f"the closest, {_name(runner, labels)}, reaches {criterion.format(runner['mean'])}, "
            f"{_size(runner, criterion)}.",
            "The gap is clear: its 95% interval lies below zero."
            if clear(runner)
            else _sureness(runner, n_min).replace("The runs do not settle it", "The runs do not settle whether it is worse"),
        ]
        return lines
    lines = [
        f"{capitalised(_name(best, labels))} does best on {short(criterion)}: {criterion.format(best['mean'])} against "
        f"{criterion.format(reference['mean'])} for {ref_name}, {_size(best, criterion)}.",
        _sureness(best, n_min),
    ]
    ranked = others.sort_values("mean", ascending=False)
    if len(ranked) > 1:
        second = ranked.iloc[1]
        lines.append(
            f"Next comes {_name(second, labels)} ({criterion.format(second['mean'])}, "
            f"{criterion.format_difference(second['diff'])} against {ref_name})."
        )
    price = trade_off(costs, best["arm"], reference["arm"], years, currency)
    if price:
        lines.append(price)
    return lines[:4]


def trade_off(costs: dict[str, pd.Series], arm: str, reference: str, years: int, currency: str = "") -> str:
    """What the arm gives up against the reference: more staff, higher cost of sales, a weaker first year.

    Args:
        costs: per measure, the mean per arm: ``staff_added`` (account managers and desk
            agents at the end, a count), ``cost_of_sales`` (money over the horizon) and
            ``first_year`` (contribution in year 1, money); measures may be missing.
        arm: the arm whose price is told.
        reference: the reference arm.
        years: the horizon.
        currency: the currency of money amounts.

    Returns:
        A sentence, or "" when the arm is not notably worse on any measure.

    """
    parts = []
    staff = costs.get("staff_added")
    if staff is not None and arm in staff and reference in staff and staff[arm] - staff[reference] >= 1:
        parts.append(
            f"{staff[arm] - staff[reference]:.0f} more account managers or order-desk staff by year {years} "
            f"({staff[arm]:.0f} against {staff[reference]:.0f})"
        )
    cost = costs.get("cost_of_sales")
    if cost is not None and arm in cost and reference in cost and cost[reference] > 0:
        rise = cost[arm] / cost[reference] - 1
        if rise > NOTABLE:
            parts.append(f"a cost of sales {rise:.0%} higher over {years} years")
    first = costs.get("first_year")
    if first is not None and arm in first and reference in first and np.isfinite(first[reference]):
        gap = first[arm] - first[reference]
        if gap < -NOTABLE * abs(first[reference]):
            money = f" M {currency}" if currency else " M"
            parts.append(f"a weaker first year (contribution {gap / 1e6:+,.2g}{money} in year 1)")
    if not parts:
        return ""
    if len(parts) == 1:
        return f"The price: {parts[0]}."
    return f"The price: {', '.join(parts[:-1])} and {parts[-1]}."
