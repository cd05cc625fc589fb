"""Scenario keys the export shows directly: set from the data, never fitted.

Fitting a key the data shows would waste simulations and could trade it off
against keys it cannot show, so the calibration sets these first and fits
only the rest (:mod:`orgmodel.calibration.fit`). Each rule below reads the
canonical tables; a key whose table or column is missing keeps its default
and says why. Intervals are 95% intervals of the estimate (order statistics
for medians and percentiles, Wilson for proportions), or ``None`` where a
count is simply read off.

Rules (also in docs/calibration.md):

- ``salespeople``: mean salesperson headcount over the window (salesperson-years
  / window years), rounded; ``account_managers`` likewise; account managers in
  the staff table mean a split structure (``hunter_farmer``) with that headcount.
- ``market_size``: the number of accounts when the CRM holds prospects never
  approached (it holds the addressable market); otherwise the capture estimate
  from repeat approaches: ``N`` solving ``N (1 - exp(-K / N)) = D`` for ``K``
  new-business deals on ``D`` distinct accounts (uniform approaches; without
  repeats the account count is a lower bound and is used as such).
- ``base_annual_value``: median amount of won new-business deals (the model's
  median first sale); ``client_size_sigma``: standard deviation of their log amounts.
- ``cross_sell_line_value``: median over cross-sell opportunities of their amount
  over the same account's new-business amount (the key is "one further line
  relative to the first sale"; pairing within an account takes the client's
  size out, which a ratio of two medians over different accounts would not:
  cross-sells go to the biggest clients first). Needs ``kind`` and 10 pairs.
- ``lead_qualify_rate``: ``crm describe``'s conversion of the lead stage (the
  share of deals that left it forwards among those that left it; deals still in
  it are censored). Later stages' shares are targets, not estimates: there deals
  also go stale when their owner lacks time.
- ``order_interval_weeks``: ``crm describe``'s mean order interval (from the order
  rate of clients while they order, so gaps cut by the window's ends do not bias it).
- ``implementation_weeks``: median weeks from a won deal's close to the client's first order.
- ``problem_rate``: problem cases per order.
- ``buying_centre_min`` / ``buying_centre_max``: 10th and 90th percentiles of
  contacts per account that had a deal (a lower bound when roles are under-filled).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from orgmodel.calibration.targets import Tables, Window, salesperson_years, window_years
from orgmodel.crm.estimate import Estimates, describe
from orgmodel.crm.export import CrmExport
from orgmodel.scenario.schema import Scenario


@dataclass
class KeyEstimate:
    """A scenario key read off the data."""

    key: str
    value: float | int | str
    interval: tuple[float, float] | None
    rule: str


def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    res = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return (float(res.low), float(res.high))


def _quantile_ci(values: np.ndarray, q: float) -> tuple[float, float]:
    """95% interval of a quantile from order statistics (binomial ranks)."""
    x = np.sort(values)
    n = len(x)
    lo = int(stats.binom.ppf(0.025, n, q))
    hi = int(stats.binom.ppf(0.975, n, q))
    return (float(x[max(lo - 1, 0)]), float(x[min(hi, n - 1)]))


def _headcount(tables: Tables, window: Window, role: str) -> float:
    staff = tables["staff"]
    part = {name: df for name, df in tables.items() if name != "staff"}
    part["staff"] = staff[staff["role"] == role].assign(role="salesperson")
    years = salesperson_years(part, window)
    return 0.0 if not math.isfinite(years) else years / window_years(window)


def market_size(tables: Tables) -> KeyEstimate:
    """Market size from the accounts table, or from repeat approaches (see the module's rules)."""
    accounts = tables["accounts"]["account_id"].nunique()
    opps = tables["opportunities"]
    new = opps[opps["kind"].fillna("new_business") == "new_business"] if "kind" in opps else opps
    approached = new["account_id"].nunique()
    known = set(opps["account_id"])
    if tables.get("orders") is not None:
        known |= set(tables["orders"]["account_id"])
    if not set(tables["accounts"]["account_id"]) <= known:
        return KeyEstimate("market_size", int(accounts), None, "accounts in the CRM (it holds never-approached prospects)")
    k = len(new)
    if k <= approached or approached == 0:
        return KeyEstimate("market_size", int(max(accounts, 10)), None, "accounts (no repeat approaches: a lower bound)")
    n = optimize.brentq(lambda n: n * (1.0 - math.exp(-k / n)) - approached, approached + 1e-6, approached * 1e4)
    return KeyEstimate("market_size", round(n), None, f"capture estimate from {k} approaches to {approached} accounts")


def cross_sell_line_value(opps: pd.DataFrame, kind: pd.Series) -> KeyEstimate | str:
    """Value of a further line relative to the first sale, from accounts with both kinds of deal (or why not).

    Each cross-sell amount is divided by its account's median new-business
    amount (won or not: the quote says what the first sale is worth); the
    estimate is the median ratio with its order-statistic interval, within the
    scenario's bounds.
    """
    if "kind" not in opps or opps["kind"].isna().all():
        return "no opportunity kind (new_business / cross_sell) in the export"
    amount = pd.to_numeric(opps["amount"], errors="coerce")
    new = amount[(kind == "new_business") & (amount > 0)].groupby(opps["account_id"]).median()
    xs = opps[(kind == "cross_sell") & (amount > 0)].assign(_amount=amount)
    # a line offered again after a lost attempt is the same line: count each (account, amount) once, or the
    # retries would weigh it twice and narrow the interval as if they were independent draws
    xs = xs.drop_duplicates(["account_id", "_amount"])
    ratios = (xs["_amount"] / xs["account_id"].map(new)).dropna().to_numpy(dtype=float)
    if len(ratios) < 10:
        return f"{len(ratios)} cross-sell lines on accounts with a new-business amount (10 needed)"
    meta = Scenario.model_fields["cross_sell_line_value"].metadata
    hi_bound = float(next(m.le for m in meta if getattr(m, "le", None) is not None))
    value = min(max(float(np.median(ratios)), 0.01), hi_bound)
    lo, hi = _quantile_ci(ratios, 0.5)
    return KeyEstimate(
        "cross_sell_line_value",
        value,
        (max(lo, 0.0), min(hi, hi_bound)),
        f"median cross-sell amount over the account's new-business amount ({len(ratios)} lines)",
    )


def _reason(described: Estimates, key: str, fallback: str) -> str:
    for item in described.not_estimated:
        if item.key == key or item.key.startswith(key):
            return item.reason
    return fallback


def estimate_keys(
    tables: Tables, window: Window, described: Estimates | None = None
) -> tuple[dict[str, KeyEstimate], dict[str, str]]:
    """The scenario keys the export shows, and for the others it could show, why not.

    Args:
        tables: the export's canonical tables.
        window: first and last day it covers.
        described: ``crm describe``'s estimates of the same export (computed if not given):
            the lead conversion and the order interval are taken from there.

    Returns:
        (key -> estimate, key -> reason it was left at its default).

    """
    if described is None:
        described = describe(CrmExport(dict(tables), window, [], "calibration"))
    est: dict[str, KeyEstimate] = {}
    missing: dict[str, str] = {}

    def put(key: str, value: float | int | str, interval: tuple[float, float] | None, rule: str) -> None:
        est[key] = KeyEstimate(key, value, interval, rule)

    sales = _headcount(tables, window, "salesperson")
    put("salespeople", max(1, round(sales)), None, f"mean salesperson headcount over the window ({sales:.1f})")
    managers = _headcount(tables, window, "account_manager")
    if round(managers) > 0:
        put("structure", "hunter_farmer", None, "the staff table has account managers")
        put("account_managers", round(managers), None, f"mean account-manager headcount ({managers:.1f})")
        put("hire_account_managers", False, None, "headcount taken from the data")
    est["market_size"] = market_size(tables)

    opps = tables["opportunities"]
    kind = opps["kind"].fillna("new_business") if "kind" in opps else pd.Series("new_business", index=opps.index)
    won = opps[(kind == "new_business") & (opps["outcome"] == "won")]
    amounts = won["amount"].dropna().to_numpy(dtype=float)
    amounts = amounts[amounts > 0]
    if len(amounts) >= 5:
        put("base_annual_value", float(np.median(amounts)), _quantile_ci(amounts, 0.5), "median won new-business amount")
        sd = float(np.std(np.log(amounts), ddof=1))
        chi = stats.chi2.ppf([0.975, 0.025], len(amounts) - 1)
        ci = tuple(float(sd * math.sqrt((len(amounts) - 1) / c)) for c in chi)
        put("client_size_sigma", min(sd, 3.0), (ci[0], min(ci[1], 3.0)), "spread of log won new-business amounts")
    else:
        missing["base_annual_value"] = "fewer than 5 won new-business deals with an amount"
        missing["client_size_sigma"] = missing["base_annual_value"]

    line_value = cross_sell_line_value(opps, kind)
    if isinstance(line_value, KeyEstimate):
        est[line_value.key] = line_value
    else:
        missing["cross_sell_line_value"] = line_value

    lead = described.get("stage_conversion.lead")
    if lead is not None:
        put("lead_qualify_rate", lead.value, (lead.low, lead.high), f"crm describe: {lead.label.lower()} ({lead.n} deals)")
    else:
        missing["lead_qualify_rate"] = _reason(described, "stage_conversion", "no lead stage in stage_history")

    orders = tables.get("orders")
    if orders is not None and len(orders) >= 10:
        interval = described.get("order_interval_days")
        if interval is not None:
            put(
                "order_interval_weeks",
                interval.value / 7.0,
                (interval.low / 7.0, interval.high / 7.0),
                f"crm describe: {interval.method}",
            )
        first = orders.groupby("account_id")["order_date"].min()
        lag = (first.reindex(won["account_id"]).to_numpy() - won["close_date"].to_numpy()) / np.timedelta64(7, "D")
        lag = lag[np.isfinite(lag) & (lag >= 0)]
        if len(lag) >= 5:
            put(
                "implementation_weeks",
                max(1, round(float(np.median(lag)))),
                _quantile_ci(lag, 0.5),
                "median weeks from win to first order",
            )
        else:
            missing["implementation_weeks"] = "fewer than 5 won clients with a first order in the window"
        cases = tables.get("cases")
        if cases is not None:
            problems = int((cases["kind"] == "problem").sum())
            put("problem_rate", problems / len(orders), _wilson(problems, len(orders)), "problem cases per order")
        else:
            missing["problem_rate"] = "no cases table"
    else:
        for key in ("order_interval_weeks", "implementation_weeks", "problem_rate"):
            missing[key] = "no orders table (or fewer than 10 orders)"

    contacts = tables.get("contacts")
    if contacts is not None and not contacts.empty:
        per_account = contacts.groupby("account_id")["contact_id"].nunique()
        per_account = per_account[per_account.index.isin(set(opps["account_id"]))].to_numpy(dtype=float)
        if len(per_account) >= 10:
            lo = max(1, min(20, round(float(np.quantile(per_account, 0.1)))))
            hi = max(lo, min(20, round(float(np.quantile(per_account, 0.9)))))
            put("buying_centre_min", lo, _quantile_ci(per_account, 0.1), "10th percentile of contacts per account")
            put("buying_centre_max", hi, _quantile_ci(per_account, 0.9), "90th percentile of contacts per account")
    if "buying_centre_min" not in est:
        missing["buying_centre_min"] = missing["buying_centre_max"] = "no contacts (or under 10 accounts with them)"
    return est, missing
