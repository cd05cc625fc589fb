"""What the live views read: the model's DataCollector, reduced to what each chart shows.

The model collects one row per week (model data) and one row per person per
month (the ``staff`` table); every view is computed from those two tables, so
a redraw costs a few small pandas operations however large the market is, and
the views show exactly what ``orgmodel run`` writes to its output files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from orgmodel.analysis.new_client_fall import new_client_fall
from orgmodel.model.activities import ACTIVITIES
from orgmodel.scenario.schema import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel

HOURS = [f"hours_{a}" for a in ACTIVITIES]
FIRST_WEEKS = 26  # the sales cycle plus implementation: no new client can exist before about then


def weekly(model: SalesOrgModel) -> pd.DataFrame:
    """One row per simulated week (empty before the first step)."""
    return model.datacollector.get_model_vars_dataframe()


def monthly_staff(model: SalesOrgModel) -> pd.DataFrame:
    """One row per person per closed month (empty before the first month ends)."""
    return model.datacollector.get_table_dataframe("staff")


def yearly(ts: pd.DataFrame, column: str) -> pd.Series:
    """Sum of a weekly column per year (the running year included, as far as it got)."""
    if ts.empty:
        return pd.Series(dtype=float)
    return ts.groupby("year")[column].sum()


def new_clients_per_salesperson(ts: pd.DataFrame, window: int = WEEKS_PER_YEAR) -> pd.DataFrame:
    """New clients per salesperson (hunter) over the last 12 months, week by week: what management reads.

    Columns ``year`` (time in years) and ``per_head``. Before a full year has
    passed, the weeks so far are scaled up to a year; the first half year is left
    out: the first clients are still being implemented.
    """
    if len(ts) < FIRST_WEEKS:
        return pd.DataFrame({"year": [], "per_head": []})
    won = ts["new_clients"].rolling(window, min_periods=1).sum()
    heads = ts["salespeople"].rolling(window, min_periods=1).mean().clip(lower=1.0)
    weeks = np.minimum(np.arange(1, len(ts) + 1), window)
    per_head = (won / heads * (WEEKS_PER_YEAR / weeks)).to_numpy()
    years = ts["week"].to_numpy() / WEEKS_PER_YEAR
    return pd.DataFrame({"year": years, "per_head": per_head}).iloc[FIRST_WEEKS - 1 :].reset_index(drop=True)


def hour_shares(staff: pd.DataFrame, role: str = "salesperson") -> pd.DataFrame:
    """Share of each activity in one role's client-facing hours, per month (index: month end in years)."""
    part = staff[staff["role"] == role] if not staff.empty else staff
    if part.empty:
        return pd.DataFrame(columns=list(ACTIVITIES))
    hours = part.groupby("month")[HOURS].sum()
    total = hours.sum(axis=1).replace(0.0, np.nan)
    shares = hours.div(total, axis=0).fillna(0.0)
    shares.columns = list(ACTIVITIES)
    shares.index = (shares.index.to_numpy() + 1) / 12.0
    return shares


def fall_since_best_year(staff: pd.DataFrame) -> pd.DataFrame:
    """New clients per salesperson since the best year, split into hours, skill and the rest, per year.

    See :func:`orgmodel.analysis.new_client_fall.new_client_fall`; empty until the first year has
    closed (before that there is no year to compare with). The running year is included, its
    rates per person-month so far.
    """
    if staff.empty or staff["month"].max() < 11:
        return pd.DataFrame()
    return new_client_fall(staff)


def latest_portfolios(staff: pd.DataFrame) -> pd.DataFrame:
    """Each person's serial clients at the last closed month: ``person``, ``role``, ``clients``, largest first."""
    if staff.empty:
        return pd.DataFrame({"person": [], "role": [], "clients": []})
    last = staff[staff["month"] == staff["month"].max()]
    return last[["person", "role", "clients"]].sort_values(["clients", "person"], ascending=[False, True]).reset_index(drop=True)


@dataclass(frozen=True)
class Headline:
    """The monitors' numbers for the week just closed."""

    week: int
    year: int
    week_of_year: int
    revenue_this_year: float
    revenue_same_weeks_last_year: float | None
    revenue_last_year: float | None
    active_clients: int
    implementing: int
    hunting_share: float | None


def headline(ts: pd.DataFrame, smooth_weeks: int = 4) -> Headline:
    """Week, revenue this year so far against the same weeks last year, active clients, hunting share.

    The hunting share is the mean of the last ``smooth_weeks`` weeks: one
    week's share jumps with the week's deals, a month's does not.
    """
    if ts.empty:
        return Headline(0, 1, 0, 0.0, None, None, 0, 0, None)
    last = ts.iloc[-1]
    week = int(last["week"])
    year = int(last["year"])
    week_of_year = week - (year - 1) * WEEKS_PER_YEAR
    this_year = float(ts.loc[ts["year"] == year, "revenue"].sum())
    same = full = None
    if year > 1:
        previous = ts[ts["year"] == year - 1]
        full = float(previous["revenue"].sum())
        same = float(previous["revenue"].iloc[:week_of_year].sum())
    return Headline(
        week=week,
        year=year,
        week_of_year=week_of_year,
        revenue_this_year=this_year,
        revenue_same_weeks_last_year=same,
        revenue_last_year=full,
        active_clients=int(last["active_clients"]),
        implementing=int(last["implementing"]),
        hunting_share=float(ts["hunting_share"].iloc[-smooth_weeks:].mean()),
    )
