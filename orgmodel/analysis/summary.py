"""Yearly summaries of one run: the numbers a sales director reads first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from orgmodel.model.activities import ACTIVITIES
from orgmodel.model.clients import Stage

if TYPE_CHECKING:
    from pandas.core.groupby import DataFrameGroupBy

    from orgmodel.model.model import SalesOrgModel


def _yearly(by_year: DataFrameGroupBy, column: str, how: str = "sum") -> list[float]:
    """One column aggregated per year, from the weekly table grouped by year once for every column.

    Grouping once matters: working out which rows belong to which year is
    most of what a fresh ``groupby`` costs, and the grouping keeps it.
    """
    return [float(x) for x in by_year[column].agg(how).to_numpy()]


def growth(values: list[float], first_year: int, last_year: int) -> float:
    """Mean annual growth rate from ``first_year`` to ``last_year`` (1-based, geometric)."""
    a, b = values[first_year - 1], values[last_year - 1]
    if a <= 0:
        return float("nan")
    return (b / a) ** (1.0 / (last_year - first_year)) - 1.0


def time_use(staff: pd.DataFrame, role: str = "salesperson") -> pd.DataFrame:
    """Share of each activity in the client-facing hours of one role, by year."""
    part = staff[staff["role"] == role]
    return _time_use(part, part.groupby("year"))


def _time_use(part: pd.DataFrame, by_year: DataFrameGroupBy) -> pd.DataFrame:
    """:func:`time_use` of one role's rows (``part``), grouped by year (``by_year``) once for the caller too."""
    if part.empty:
        return pd.DataFrame(columns=list(ACTIVITIES))
    hours = by_year[[f"hours_{a}" for a in ACTIVITIES]].sum()
    shares = hours.div(hours.sum(axis=1), axis=0)
    shares.columns = list(ACTIVITIES)
    return shares


def summarise(model: SalesOrgModel, ts: pd.DataFrame, staff: pd.DataFrame) -> dict[str, Any]:
    """Yearly lists (one value per year) and headline numbers of a finished run.

    Names, structure and incentive are the scenario's at the start; the
    changes scheduled interventions made are listed under ``interventions``,
    and what the management response did (people let go, requisitions,
    raised targets) under ``response_actions``.
    """
    cfg = model.initial_cfg
    by_year = ts.groupby("year")
    revenue = _yearly(by_year, "revenue")
    cost = _yearly(by_year, "cost_of_sales")
    contribution = [cfg.gross_margin * r - c for r, c in zip(revenue, cost, strict=True)]
    sales = staff[staff["role"] == "salesperson"]
    sales_by_year = sales.groupby("year")
    variable = sales_by_year["variable_pay"].sum() / sales_by_year["person"].nunique()
    clients = [c for c in model.companies if c.stage == Stage.SERIAL]
    developed = [c.annual_value / c.base_value for c in clients if not c.lines and c.n_lines > 1]
    years = cfg.years
    out: dict[str, Any] = {
        "scenario": cfg.name,
        "structure": cfg.structure,
        "incentive": cfg.incentive,
        "years": years,
        "annual_revenue": revenue,
        "annual_cross_sell_revenue": _yearly(by_year, "cross_sell_revenue"),
        "annual_new_clients": [int(x) for x in _yearly(by_year, "new_clients")],
        "annual_lost_clients": [int(x) for x in _yearly(by_year, "lost_clients")],
        "annual_cost_of_sales": cost,
        "annual_contribution": contribution,
        "annual_hunting_share": _yearly(by_year, "hunting_share", "mean"),
        "annual_service_share": _yearly(by_year, "service_share", "mean"),
        "active_clients_end_of_year": [int(x) for x in _yearly(by_year, "active_clients", "last")],
        "account_managers_end_of_year": [int(x) for x in _yearly(by_year, "account_managers", "last")],
        "desk_agents_end_of_year": [int(x) for x in _yearly(by_year, "desk_agents", "last")],
        "salesperson_variable_pay_per_head": [float(x) for x in variable.to_numpy()],
        "market_share_of_companies": len(clients) / cfg.market_size,
        "cross_sell_multiplier_developed": float(np.mean(developed)) if developed else float("nan"),
        "cross_sell_multiplier_all": float(np.mean([c.annual_value / c.base_value for c in clients]))
        if clients
        else float("nan"),
        "handovers": model.handovers,
        "total_revenue": float(sum(revenue)),
        "interventions": list(model.interventions_applied),
        "management_response": cfg.management_response,
        "response_actions": list(model.response.actions),
    }
    out.update(growth_and_change(model, ts, revenue, by_year))
    if years >= 2:
        out["revenue_growth_last_3_years"] = growth(revenue, max(1, years - 3), years)
    out.update(_annual_shares(_time_use(sales, sales_by_year), years))
    return out


def annual_time_shares(staff: pd.DataFrame, years: int, role: str = "salesperson") -> dict[str, list[float]]:
    """``annual_time_<activity>``: each year's share of one role's client-facing hours per activity.

    Kept in the summary (not only in the staff table) so that an experiment's
    results store, which holds summaries, can show how the hunting role's hours
    drift from finding clients to serving them, run by run and arm by arm.
    Years in which the role logged no hours are NaN.
    """
    return _annual_shares(time_use(staff, role), years)


def _annual_shares(shares: pd.DataFrame, years: int) -> dict[str, list[float]]:
    """:func:`annual_time_shares` of a :func:`time_use` table."""
    shares = shares.reindex(index=range(1, years + 1))
    return {f"annual_time_{a}": [float(x) for x in shares[a].to_numpy()] for a in ACTIVITIES}


def growth_and_change(
    model: SalesOrgModel, ts: pd.DataFrame, revenue: list[float], by_year: DataFrameGroupBy | None = None
) -> dict[str, Any]:
    """What growth and change cost (issue #12): people who left, clients who went with them, hires, managers.

    ``annual_left_<role>`` and ``annual_left_<reason>`` (other, pay, overload,
    let_go) split ``annual_people_left``.
    ``annual_revenue_per_salesperson`` divides each year's revenue by the
    year's mean number of salespeople. ``by_year``: ``ts`` grouped by year,
    if the caller has it already.
    """
    years = model.initial_cfg.years
    if by_year is None:
        by_year = ts.groupby("year")
    salespeople = _yearly(by_year, "salespeople", "mean")
    left = [int(x) for x in _yearly(by_year, "people_left")]
    lost = [int(x) for x in _yearly(by_year, "clients_lost_with_leaver")]
    hires = [int(x) for x in _yearly(by_year, "hires")]
    recruiting = _yearly(by_year, "recruiting_cost")
    return {
        "annual_people_left": left,
        **model.turnover.annual_counts(years),
        "annual_clients_lost_with_leaver": lost,
        "annual_hires": hires,
        "annual_recruiting_cost": recruiting,
        "people_left_total": sum(left),
        "clients_lost_with_leaver_total": sum(lost),
        "hires_total": sum(hires),
        "recruiting_cost_total": float(sum(recruiting)),
        "annual_manager_pay": _yearly(by_year, "manager_pay"),
        "annual_transition_pay": _yearly(by_year, "transition_pay"),
        "managers_end_of_year": [int(x) for x in _yearly(by_year, "managers", "last")],
        "salespeople_end_of_year": [int(x) for x in _yearly(by_year, "salespeople", "last")],
        "annual_revenue_per_salesperson": [r / n if n else float("nan") for r, n in zip(revenue, salespeople, strict=True)],
    }
