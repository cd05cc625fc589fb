"""Payroll and the week's books: hours by activity, base pay weekly, variable pay at month ends.

At the end of each week everyone's hours go into their month's ledger and the
week's shares of hunting and service are worked out; base pay is booked every
week, and at a month's end each person's ledger goes to the incentive scheme
for the month's variable pay and becomes a row of the staff table. The costs
of growth and change (managers, recruiting, transition pay; issue #12) join
the week's cost of sales here.
"""

from __future__ import annotations

from functools import reduce
from itertools import chain, repeat
from operator import add, attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from orgmodel.model.activities import ACTIVITIES, HUNTING, N_ACTIVITIES, SERVICING
from orgmodel.model.clients import Stage
from orgmodel.scenario.schema import WEEKS_PER_YEAR

SERIAL = Stage.SERIAL  # read once, not per person and month
_HOURS = attrgetter("hours")
_ROW = attrgetter("row")
_HUNTS = attrgetter("hunts")

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff
    from orgmodel.policies.incentives.base import MonthLedger


#: the staff table's columns, in the order :meth:`Payroll.staff_row` writes them
STAFF_ROW = (
    "month",
    "year",
    "person",
    "role",
    *[f"hours_{a}" for a in ACTIVITIES],
    "clients",
    "new_clients",
    "credited_revenue",
    "credited_margin",
    "owned_revenue",
    "base_pay",
    "variable_pay",
    "hunting_skill",
    "service_skill",
    "left_week",  # 0 while employed; the week they left on the leaver's last row (issue #12)
    "left_reason",  # "" while employed; other, pay, overload (they quit) or let_go
)


def month_of(week: int) -> int:
    """Month index (0-based, 12 a year) of a 1-based week."""
    year, wk = divmod(week - 1, WEEKS_PER_YEAR)
    return year * 12 + wk * 12 // WEEKS_PER_YEAR


class Payroll:
    """The week's hours, pay and growth costs, written to the model's weekly record.

    Args:
        model: the model; this lives as ``model.payroll``.

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.orders_at_month_start = 0.0
        #: the month's hours so far by activity, one row per staff row (``Staff.row``; rows are never reused),
        #: handed to each person's ledger when the month closes or they leave (:meth:`_take_month_hours`)
        self.month_hours = np.zeros((0, N_ACTIVITIES))

    def close_week(self, week: int, people: list[Staff], desk: list[Staff]) -> None:
        """Tally the week's hours and shares, pay base (and at month ends variable) pay, add growth costs.

        Everyone's hours of the week are read into one matrix (a row a person)
        and added to the month's in one array addition: each element gets the
        same single IEEE addition as a person's ledger list got, without a
        loop over the force (a thousand people every week at the huge size).
        The shares' sums stay sequential, in the people's order and from 0.0
        (``reduce``, not ``sum``, which compensates, nor numpy's pairwise sum).
        """
        model = self.model
        cfg = model.cfg
        cap = cfg.available_hours
        n = len(people)
        prospecting, pipeline = HUNTING
        everyone = people + desk if desk else people
        hours = self._add_week(everyone)[:n]
        hunts = np.fromiter(map(_HUNTS, people), dtype=bool, count=n)
        salespeople = int(np.count_nonzero(hunts))
        hunting = hours[hunts]
        hunt_hours = reduce(add, (hunting[:, prospecting] + hunting[:, pipeline]).tolist(), 0.0)
        serv_hours = reduce(add, hours[:, SERVICING].tolist(), 0.0)
        hunt_cap = reduce(add, repeat(cap, salespeople), 0.0)
        all_cap = reduce(add, repeat(cap, n), 0.0)
        if model.skills is not None:
            model.skills.close_week(people)
        model.hunting_share = hunt_hours / hunt_cap if hunt_cap else 0.0
        model.service_share = serv_hours / all_cap if all_cap else 0.0
        model.salespeople_n = salespeople
        model.account_managers_n = n - salespeople
        model.desk_agents_n = len(desk)
        model.base_pay = cfg.base_salary / WEEKS_PER_YEAR * n
        if desk:
            model.base_pay += cfg.desk_base_salary / WEEKS_PER_YEAR * len(desk)
        model.variable_pay = 0.0
        if week == cfg.weeks or month_of(week + 1) != month_of(week):
            self.close_month(week, people, desk)
        model.cost_of_sales = model.base_pay + model.variable_pay
        self._growth_costs(n)
        model.base_pay_total += model.base_pay
        model.variable_pay_total += model.variable_pay

    def _rows(self, everyone: list[Staff]) -> np.ndarray:
        """``everyone``'s rows of :attr:`month_hours`, which grows (with zeros) to hold every staff row so far."""
        size = len(self.model.clients.staff)
        ledger = self.month_hours
        if ledger.shape[0] < size:  # rows of new hires: nothing worked yet this month
            grown = np.zeros((max(size, 2 * ledger.shape[0]), N_ACTIVITIES))
            grown[: ledger.shape[0]] = ledger
            self.month_hours = grown
        return np.fromiter(map(_ROW, everyone), dtype=np.int64, count=len(everyone))

    def _add_week(self, everyone: list[Staff]) -> np.ndarray:
        """Add ``everyone``'s hours of the week to their month's (:attr:`month_hours`); returns the week's, a row each."""
        n = len(everyone)
        rows = self._rows(everyone)
        hours = np.fromiter(chain.from_iterable(map(_HOURS, everyone)), dtype=np.float64, count=n * N_ACTIVITIES)
        hours = hours.reshape(n, N_ACTIVITIES)
        self.month_hours[rows] += hours  # each row once: one addition per element, as in a ledger's list
        return hours

    def _take_month_hours(self, everyone: list[Staff]) -> list[list[float]]:
        """``everyone``'s hours of the month so far (a list each, for their ledgers); their rows start again from 0."""
        rows = self._rows(everyone)
        taken = self.month_hours[rows]
        self.month_hours[rows] = 0.0
        return taken.tolist()

    def close_month(self, week: int, people: list[Staff], desk: list[Staff]) -> None:
        """Pay everyone for the month and record one row per person (desk agents: base pay only)."""
        model = self.model
        month = month_of(week)
        company_revenue = model.orders_total - self.orders_at_month_start
        self.orders_at_month_start = model.orders_total
        ledgers = [p.close_month() for p in people]
        hours = self._take_month_hours(people + desk if desk else people)
        teams = [model.structure.bonus_team(p) for p in people]
        team_revenue: dict[Any, float] = {}
        team_size: dict[Any, int] = {}
        for team, ledger in zip(teams, ledgers, strict=True):
            if team is not None:
                team_revenue[team] = team_revenue.get(team, 0.0) + ledger.owned_revenue
                team_size[team] = team_size.get(team, 0) + 1
        rows = []  # the month's rows of the staff table, written together at the end
        for p, ledger, team, worked in zip(people, ledgers, teams, hours[: len(people)], strict=True):
            ledger.hours = worked
            ledger.month = month
            ledger.company_revenue = company_revenue
            ledger.headcount = len(people)
            ledger.team_revenue = company_revenue if team is None else team_revenue[team]
            ledger.team_headcount = len(people) if team is None else team_size[team]
            pay = model.turnover.month_pay(p, model.scheme.variable_pay(ledger, p))  # with transition top-ups
            model.variable_pay += pay
            rows.append(self.staff_row(p, month, ledger, model.cfg.base_salary / 12.0, pay))
        for p, worked in zip(desk, hours[len(people) :], strict=True):
            ledger = p.close_month()
            ledger.hours = worked
            rows.append(self.staff_row(p, month, ledger, model.cfg.desk_base_salary / 12.0, 0.0))
        model.datacollector.add_rows("staff", rows)
        # monthly base pay is booked weekly; variable pay lands in the month's last week
        model.structure.monthly()

    @staticmethod
    def staff_row(
        p: Staff, month: int, ledger: MonthLedger, base: float, pay: float, left: tuple[int, str] = (0, "")
    ) -> tuple[Any, ...]:
        """One person's row of the monthly staff table (``left``: the week and reason, on a leaver's last row).

        The values are in :data:`STAFF_ROW`'s order (the model's ``STAFF_COLUMNS``), for the record's ``add_rows``.
        """
        return (
            month,
            month // 12 + 1,
            p.unique_id,
            p.role,
            *ledger.hours,
            [c.stage for c in p.portfolio].count(SERIAL),  # serial clients (one C-level count, no generator)
            ledger.new_clients,
            ledger.credited_revenue,
            ledger.credited_margin,
            ledger.owned_revenue,
            base,
            pay,
            p.hunting_skill,
            p.service_skill,
            left[0],
            left[1],
        )

    def write_leaver_row(self, person: Staff, week: int, reason: str) -> None:
        """A leaver's last row: the month so far (hours, credits), no variable pay (the commission is forfeit)."""
        ledger = person.close_month()
        ledger.hours = self._take_month_hours([person])[0]
        self.model.datacollector.add_row("staff", self.staff_row(person, month_of(week), ledger, 0.0, 0.0, (week, reason)))

    def _growth_costs(self, client_facing: int) -> None:
        """The week's managers, recruiting and transition pay, and their share of the cost of sales."""
        model = self.model
        model.people_left = model.turnover.people_left
        model.clients_lost_with_leaver = model.loyalty.lost_with_leaver
        model.hires = model.recruiting.hires_week
        model.recruiting_cost = model.recruiting.cost_week
        model.manager_pay = model.management.close_week(client_facing)
        model.managers = model.management.managers
        model.transition_pay = model.transition.paid_week  # already in variable_pay
        model.cost_of_sales += model.manager_pay + model.recruiting_cost
        model.recruiting_cost_total += model.recruiting_cost
        model.manager_pay_total += model.manager_pay

    def reset_growth_costs(self) -> None:
        """Start the next week's growth-cost counters from zero (after the week was collected)."""
        model = self.model
        model.turnover.people_left = 0
        model.loyalty.lost_with_leaver = 0
        model.recruiting.hires_week = 0
        model.recruiting.cost_week = 0.0
        model.transition.paid_week = 0.0
