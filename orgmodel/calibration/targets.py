"""Summary statistics of an export: what the calibration matches between data and model.

The same functions read a company's export (as :func:`orgmodel.crm.load_export`
returns it) and a simulated company's (:func:`orgmodel.crm.synthesize.synthesize`),
so a target means exactly the same on both sides: there is no second
definition of "a new client" or "an active client" to drift apart.

Every target is a rate over the export's window, so exports of different
lengths give comparable numbers; a target the export cannot give (a missing
table or column, too short a window) is NaN and the fit leaves it out.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from orgmodel.crm.synthesize import ACTIVITY_KINDS

DAYS_PER_YEAR = 365.25
QUARTER = pd.Timedelta(weeks=13)

#: target name -> what it is (for reports and calibration.json)
TARGETS: dict[str, str] = {
    "revenue_per_year": "order value per year",
    "revenue_growth": "order value in the window's last third over its first third",
    "revenue_per_client_year": "order value per active client per year",
    "active_clients_start": "clients ordering in the window's first 13 weeks",
    "active_clients_end": "clients ordering in the window's last 13 weeks",
    "client_loss_share": "share of the first 13 weeks' clients with no order in the last 13 weeks",
    "deals_per_salesperson_year": "new-business opportunities opened per salesperson per year",
    "new_clients_per_salesperson_year": "new-business deals won per salesperson per year",
    "win_rate": "won / (won + lost) of new-business deals closed in the window",
    "qualified_conversion": "share of deals leaving the qualified stage that reach a proposal (stage_history)",
    "cross_sells_per_client_year": "cross-sell deals won per active client per year",
    "cross_sell_win_rate": "won / (won + lost) of cross-sell deals closed in the window",
    "complaints_per_client_year": "complaint cases per active client per year",
    "lines_per_order": "mean product lines per order (orders.lines): the lines clients have bought",
    "call_hours_per_deal": "logged call hours per new-business opportunity opened (prospecting effort per lead)",
    "email_hours_per_order": "logged e-mail hours per order (servicing effort per order)",
    **{f"activity_share_{kind}": f"share of logged minutes that are {kind}s" for kind in ACTIVITY_KINDS},
}

Tables = Mapping[str, pd.DataFrame]
Window = tuple[pd.Timestamp, pd.Timestamp]


def window_years(window: Window) -> float:
    """Length of the window in years (both ends included)."""
    return ((window[1] - window[0]).days + 1) / DAYS_PER_YEAR


def salesperson_years(tables: Tables, window: Window) -> float:
    """Salespeople's time employed within the window, in years (NaN without salespeople)."""
    staff = tables["staff"]
    sales = staff[staff["role"] == "salesperson"]
    if sales.empty:
        return float("nan")
    start = sales["start_date"].clip(lower=window[0])
    end = sales["end_date"] if "end_date" in sales else pd.Series(pd.NaT, index=sales.index)
    end = end.fillna(window[1]).clip(upper=window[1])
    days = ((end - start).dt.days + 1).clip(lower=0)
    return float(days.sum()) / DAYS_PER_YEAR


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den and np.isfinite(den) and den > 0 else float("nan")


def _clients_in(orders: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> set[str]:
    d = orders["order_date"]
    return set(orders.loc[(d >= first) & (d <= last), "account_id"])


def mean_active_clients(orders: pd.DataFrame, window: Window) -> float:
    """Mean over the window's 13-week blocks of the accounts that ordered in the block."""
    first, last = window
    counts = []
    block = first
    while block <= last:
        end = min(block + QUARTER - pd.Timedelta(days=1), last)
        counts.append(len(_clients_in(orders, block, end)))
        block = end + pd.Timedelta(days=1)
    return float(np.mean(counts)) if counts else float("nan")


def stage_conversion(tables: Tables, here: str, forward: str) -> float:
    """Share of deals that left stage ``here`` for ``forward`` among those that left it.

    New-business deals only (where ``kind`` says which). Deals still in the
    stage at the export date are censored (left out), not counted as
    failures; a deal won from the stage counts as forward. NaN without
    ``stage_history`` or with fewer than 10 exits.
    """
    history = tables.get("stage_history")
    if history is None or history.empty:
        return float("nan")
    opps = tables["opportunities"]
    if "kind" in opps:
        opps = opps[opps["kind"].fillna("new_business") == "new_business"]
        history = history[history["opportunity_id"].isin(set(opps["opportunity_id"]))]
    stage = history["stage"].str.lower().str.replace(r"[^a-z]+", "_", regex=True)
    ids = set(history.loc[stage == here, "opportunity_id"])
    won = set(opps.loc[opps["outcome"] == "won", "opportunity_id"])
    moved = ids & (set(history.loc[stage == forward, "opportunity_id"]) | won)
    closed = set(opps.loc[opps["outcome"].isin(["won", "lost"]), "opportunity_id"])
    left = moved | (ids & closed)
    return len(moved) / len(left) if len(left) >= 10 else float("nan")


def compute_targets(tables: Tables, window: Window) -> dict[str, float]:
    """Every target of :data:`TARGETS` for one export (NaN where the export cannot give it).

    Args:
        tables: canonical tables (``staff``, ``accounts`` and ``opportunities`` at least).
        window: first and last day the export covers.

    Returns:
        Target name -> value.

    """
    out = dict.fromkeys(TARGETS, float("nan"))
    years = window_years(window)
    first, last = window
    sp_years = salesperson_years(tables, window)

    opps = tables["opportunities"]
    kind = opps["kind"].fillna("new_business") if "kind" in opps else pd.Series("new_business", index=opps.index)
    new = opps[kind == "new_business"]
    created = (new["created_date"] >= first) & (new["created_date"] <= last)
    out["deals_per_salesperson_year"] = _ratio(created.sum(), sp_years)
    won = int((new["outcome"] == "won").sum())
    lost = int((new["outcome"] == "lost").sum())
    out["new_clients_per_salesperson_year"] = _ratio(won, sp_years)
    out["win_rate"] = _ratio(won, won + lost)
    xs = opps[kind == "cross_sell"]
    xs_won = int((xs["outcome"] == "won").sum())
    xs_lost = int((xs["outcome"] == "lost").sum())
    if "kind" in opps:
        out["cross_sell_win_rate"] = _ratio(xs_won, xs_won + xs_lost)

    out["qualified_conversion"] = stage_conversion(tables, "qualified", "proposal")

    orders = tables.get("orders")
    active = float("nan")
    if orders is not None and not orders.empty:
        active = mean_active_clients(orders, window)
        revenue = float(orders["amount"].sum())
        out["revenue_per_year"] = revenue / years
        out["revenue_per_client_year"] = _ratio(revenue / years, active)
        if years >= 0.5:
            third = (last - first) / 3
            early = orders.loc[orders["order_date"] < first + third, "amount"].sum()
            late = orders.loc[orders["order_date"] > last - third, "amount"].sum()
            out["revenue_growth"] = _ratio(late, early)
        start_clients = _clients_in(orders, first, first + QUARTER - pd.Timedelta(days=1))
        end_clients = _clients_in(orders, last - QUARTER + pd.Timedelta(days=1), last)
        out["active_clients_start"] = float(len(start_clients))
        out["active_clients_end"] = float(len(end_clients))
        if years >= 0.75:
            out["client_loss_share"] = _ratio(len(start_clients - end_clients), len(start_clients))
        if "kind" in opps:
            out["cross_sells_per_client_year"] = _ratio(xs_won / years, active)
        if "lines" in orders and orders["lines"].notna().any():
            out["lines_per_order"] = float(pd.to_numeric(orders["lines"], errors="coerce").mean())

    cases = tables.get("cases")
    if cases is not None and np.isfinite(active):
        complaints = int((cases["kind"] == "complaint").sum())
        out["complaints_per_client_year"] = _ratio(complaints / years, active)

    activities = tables.get("activities")
    if activities is not None and "minutes" in activities and not activities.empty:
        minutes = activities.groupby("kind")["minutes"].sum()
        total = float(minutes.reindex(list(ACTIVITY_KINDS)).fillna(0.0).sum())
        for k in ACTIVITY_KINDS:
            out[f"activity_share_{k}"] = _ratio(float(minutes.get(k, 0.0)), total)
        # volumes, not only shares: effort per lead and per order pin the hours a lead or an order takes
        inside = activities["date"].between(first, last) if "date" in activities else True
        volume = activities[inside].groupby("kind")["minutes"].sum() / 60.0
        out["call_hours_per_deal"] = _ratio(float(volume.get("call", 0.0)), float(created.sum()))
        if orders is not None and not orders.empty:
            out["email_hours_per_order"] = _ratio(float(volume.get("email", 0.0)), float(len(orders)))
    return out


def target_resolution(tables: Tables, window: Window) -> dict[str, float]:
    """How much one event more or less moves each target of this export (a floor for the fit's scales).

    A target the export shows as zero (no deal won yet in a three-month window)
    or from a handful of events must not be matched to the last decimal: one
    deal, one client or one order is the finest the data can resolve.
    """
    years = window_years(window)
    sp_years = salesperson_years(tables, window)
    out = dict.fromkeys(TARGETS, 0.0)
    per_sp = _ratio(1.0, sp_years)
    out["deals_per_salesperson_year"] = out["new_clients_per_salesperson_year"] = per_sp
    opps = tables["opportunities"]
    kind = opps["kind"].fillna("new_business") if "kind" in opps else pd.Series("new_business", index=opps.index)
    closed = opps["outcome"].isin(["won", "lost"])
    out["win_rate"] = out["qualified_conversion"] = 1.0 / max(1, int((closed & (kind == "new_business")).sum()))
    out["cross_sell_win_rate"] = 1.0 / max(1, int((closed & (kind == "cross_sell")).sum()))
    orders = tables.get("orders")
    if orders is not None and not orders.empty:
        active = max(1.0, mean_active_clients(orders, window))
        order_value = float(orders["amount"].median())
        out["revenue_per_year"] = order_value / years
        out["revenue_per_client_year"] = order_value / years / active
        out["active_clients_start"] = out["active_clients_end"] = 1.0
        out["client_loss_share"] = 1.0 / active
        out["cross_sells_per_client_year"] = out["complaints_per_client_year"] = 1.0 / (years * active)
        out["revenue_growth"] = 1.0 / active
        out["lines_per_order"] = 1.0 / len(orders)
    for k in ACTIVITY_KINDS:
        out[f"activity_share_{k}"] = 0.01
    return {k: (v if np.isfinite(v) else 0.0) for k, v in out.items()}


def monthly_series(tables: Tables, window: Window) -> pd.DataFrame:
    """Month by month: revenue, ordering clients, new-business wins and complaints (for the report's plots)."""
    months = pd.date_range(window[0].to_period("M").to_timestamp(), window[1], freq="MS")
    frame = pd.DataFrame(index=months)
    frame.index.name = "month"

    def per_month(df: pd.DataFrame | None, date_col: str, value: pd.Series | None = None) -> pd.Series:
        if df is None or df.empty:
            return pd.Series(np.nan, index=months)
        key = df[date_col].dt.to_period("M").dt.to_timestamp()
        values = value if value is not None else pd.Series(1.0, index=df.index)
        return values.groupby(key).sum().reindex(months, fill_value=0.0)

    orders = tables.get("orders")
    frame["revenue"] = per_month(orders, "order_date", None if orders is None else orders["amount"])
    if orders is not None and not orders.empty:
        key = orders["order_date"].dt.to_period("M").dt.to_timestamp()
        frame["ordering_clients"] = orders.groupby(key)["account_id"].nunique().reindex(months, fill_value=0).astype(float)
    else:
        frame["ordering_clients"] = np.nan
    opps = tables["opportunities"]
    kind = opps["kind"].fillna("new_business") if "kind" in opps else pd.Series("new_business", index=opps.index)
    wins = opps[(kind == "new_business") & (opps["outcome"] == "won")]
    frame["new_clients"] = per_month(wins, "close_date")
    cases = tables.get("cases")
    frame["complaints"] = per_month(None if cases is None else cases[cases["kind"] == "complaint"], "opened_date")
    return frame
