"""TEST FIXTURES ONLY: canonical CRM tables drawn with numpy from known rates.

Nothing here is shipped data or a model of a company: the tests draw tables
from rates they choose (a 30% win rate, a 20% yearly client churn, ...) and
check that ``orgmodel crm describe`` recovers those rates within its
intervals. Every rate is a parameter of :class:`Truth`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

START = pd.Timestamp("2022-01-01")
DAY = pd.Timedelta(1, unit="D")


@dataclass
class Truth:
    """The known rates the fixture tables are drawn from."""

    years: float = 3.0
    deals: int = 1500
    win_rate: float = 0.3
    #: win rate by buying-group size (contacts on the deal); None: win_rate for every size
    win_by_group: dict[int, float] | None = None
    #: sd of owners' effects on the win chance (skill differences); 0: every owner wins alike
    owner_win_sd: float = 0.0
    cross_sell_share: float = 0.4
    stage_days: tuple[float, ...] = (20.0, 30.0, 15.0)  # mean days in Qualification, Proposal, Negotiation
    deal_median: float = 20_000.0
    deal_log_sd: float = 0.8
    clients: int = 300
    orders_per_year: float = 6.0
    order_median: float = 5_000.0
    churn_per_year: float = 0.2
    salespeople: int = 12
    account_managers: int = 4
    attrition_per_year: float = 0.15
    activities_per_week: dict[str, float] = field(default_factory=lambda: {"call": 25.0, "email": 40.0, "meeting": 5.0})
    cases_per_client_year: float = 2.0
    complaint_share: float = 0.25

    @property
    def end(self) -> pd.Timestamp:
        return START + pd.Timedelta(round(365.25 * self.years), unit="D")


STAGES = ("Qualification", "Proposal", "Negotiation")


def _days(rng: np.random.Generator, mean: float, n: int) -> np.ndarray:
    return np.maximum(1, np.round(rng.exponential(mean, n))).astype(int)


def make_tables(truth: Truth, seed: int = 1) -> dict[str, pd.DataFrame]:
    """Canonical tables (as write_export takes them) drawn from ``truth``."""
    rng = np.random.default_rng(seed)
    end = truth.end
    span = (end - START).days

    # staff: salespeople and account managers, some hired before the window, leaving at the attrition hazard
    n_staff = truth.salespeople + truth.account_managers
    roles = ["salesperson"] * truth.salespeople + ["account_manager"] * truth.account_managers
    start = START - rng.integers(0, 4 * 365, n_staff) * DAY
    hazard = -np.log(1 - truth.attrition_per_year) / 365.25
    life = rng.exponential(1 / hazard, n_staff)
    # tenure observed from the window start: memoryless, so the leave date after START is START + exp draw
    leave = START + np.round(life) * DAY
    end_date = pd.Series(leave).where(leave <= end, pd.NaT)
    staff = pd.DataFrame(
        {"staff_id": [f"S{i:03d}" for i in range(n_staff)], "role": roles, "start_date": start, "end_date": end_date}
    )
    owners = staff.loc[staff["role"] == "salesperson", "staff_id"].to_numpy()

    # accounts and deals: outcome drawn at creation; won deals pass every stage, lost ones stop at a uniform stage
    n_accounts = 2 * truth.clients
    accounts = pd.DataFrame({"account_id": [f"A{i:04d}" for i in range(n_accounts)]})
    created = START + rng.integers(0, span, truth.deals) * DAY
    group = rng.integers(1, 7, truth.deals)
    p_win = np.array([(truth.win_by_group or {}).get(int(g), truth.win_rate) for g in group])
    won = rng.random(truth.deals) < p_win
    deal_owner = None
    if truth.owner_win_sd > 0:  # owners differ in skill: each adds its own effect to every deal's win chance
        orng = np.random.default_rng([seed, 1])
        deal_owner = orng.choice(owners, truth.deals)
        effect = dict(zip(owners, orng.normal(0, truth.owner_win_sd, len(owners)), strict=True))
        won = orng.random(truth.deals) < np.clip(p_win + np.array([effect[o] for o in deal_owner]), 0, 1)
    last_stage = np.where(won, len(STAGES) - 1, rng.integers(0, len(STAGES), truth.deals))
    stay = np.column_stack([_days(rng, m, truth.deals) for m in truth.stage_days])
    history, close, outcome = [], [], []
    for i in range(truth.deals):
        t = created[i]
        state = "won" if won[i] else "lost"
        for s in range(last_stage[i] + 1):
            if t > end:
                state = "open"
                break
            history.append((f"O{i:05d}", STAGES[s], t))
            t = t + int(stay[i, s]) * DAY
        if state != "open" and t > end:
            state = "open"
        outcome.append(state)
        close.append(t if state != "open" else pd.NaT)
    kind = np.where(rng.random(truth.deals) < truth.cross_sell_share, "cross_sell", "new_business")
    amount = np.round(truth.deal_median * np.exp(truth.deal_log_sd * rng.standard_normal(truth.deals)), 2)
    deals = pd.DataFrame(
        {
            "opportunity_id": [f"O{i:05d}" for i in range(truth.deals)],
            "account_id": rng.choice(accounts["account_id"], truth.deals),
            "owner_id": rng.choice(owners, truth.deals) if deal_owner is None else deal_owner,
            "created_date": created,
            "close_date": pd.to_datetime(pd.Series(close)),
            "outcome": outcome,
            "amount": amount,
            "kind": kind,
        }
    )
    stage_history = pd.DataFrame(history, columns=["opportunity_id", "stage", "entered_date"])
    contacts = pd.DataFrame(
        [
            (f"C{i:05d}-{k}", acc, "influencer", opp)
            for i, (opp, acc, g) in enumerate(zip(deals["opportunity_id"], deals["account_id"], group, strict=True))
            for k in range(g)
        ],
        columns=["contact_id", "account_id", "role", "opportunity_id"],
    )

    # orders: clients order as a Poisson process until they churn (exponential lifetime from the window start)
    churn_hazard = -np.log(1 - truth.churn_per_year) / 365.25
    orders = []
    for c in range(truth.clients):
        lifetime = rng.exponential(1 / churn_hazard)
        stop = min(span, lifetime)
        n = rng.poisson(truth.orders_per_year * stop / 365.25)
        for day in np.sort(rng.uniform(0, stop, n)):
            orders.append((f"A{c:04d}", START + int(day) * DAY))
    orders = pd.DataFrame(orders, columns=["account_id", "order_date"])
    orders.insert(0, "order_id", [f"R{i:06d}" for i in range(len(orders))])
    orders["amount"] = np.round(truth.order_median * np.exp(0.5 * rng.standard_normal(len(orders))), 2)

    # activities: each employed salesperson logs a Poisson number of each kind per week
    rows = []
    weeks = span // 7
    for sid, s_start, s_end in staff.loc[staff["role"] == "salesperson", ["staff_id", "start_date", "end_date"]].itertuples(
        index=False
    ):
        for w in range(weeks):
            day = START + w * 7 * DAY
            if day < s_start or (pd.notna(s_end) and day + 7 * DAY > s_end):
                continue
            for kind_name, rate in truth.activities_per_week.items():
                for _ in range(rng.poisson(rate)):
                    rows.append((sid, day + int(rng.integers(0, 5)) * DAY, kind_name))
    activities = pd.DataFrame(rows, columns=["staff_id", "date", "kind"])

    # cases: every client that ordered opens cases at a constant rate over the whole window
    ordering = orders["account_id"].unique()
    n_cases = rng.poisson(truth.cases_per_client_year * len(ordering) * span / 365.25)
    opened = START + rng.integers(0, span, n_cases) * DAY
    closed = opened + _days(rng, 5, n_cases) * DAY
    cases = pd.DataFrame(
        {
            "account_id": rng.choice(ordering, n_cases),
            "opened_date": opened,
            "closed_date": pd.Series(closed).where(closed <= end, pd.NaT),
            "kind": np.where(rng.random(n_cases) < truth.complaint_share, "complaint", "problem"),
            "staff_id": rng.choice(staff["staff_id"], n_cases),
        }
    )
    return {
        "staff": staff,
        "accounts": accounts,
        "contacts": contacts,
        "opportunities": deals,
        "stage_history": stage_history,
        "orders": orders,
        "activities": activities,
        "cases": cases,
    }
