"""Payroll and the week's books: hours by activity, base pay weekly, variable pay at month ends.

At the end of each week everyone's hours go into their month's ledger and the
week's shares of hunting and service are worked out; base pay is booked every
week, and at a month's end each person's ledger goes to the incentive scheme
for the month's variable pay and becomes a row of the staff table. The costs
of growth and change (managers, recruiting, transition pay; issue #12) join
the week's cost of sales here.
"""

from __future__ import annotations

import struct
from itertools import chain
from operator import add, attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from orgmodel.model.activities import ACTIVITIES, N_ACTIVITIES, PIPELINE, PROSPECTING, SERVICING
from orgmodel.model.clients import Stage
from orgmodel.scenario.schema import WEEKS_PER_YEAR

SERIAL = Stage.SERIAL  # read once, not per person and month
_HOURS = attrgetter("hours")
_ROW = attrgetter("row")
_HUNTS = attrgetter("hunts")
#: from how many people (client-facing and desk) a month's hours are added in one array operation
#: (:meth:`Payroll._add_week`): below it the numpy calls cost more than a list addition per person
MATRIX_FROM = 50

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


def serial_clients(person: Staff) -> int:
    """How many of ``person``'s clients are serial (buying) clients.

    A portfolio holds clients in implementation and serial clients only
    (:func:`~orgmodel.model.invariants.check_invariants`), and the person's
    list of those in implementation (:attr:`Staff.implementing
    <orgmodel.model.staff.Staff.implementing>`) is kept whenever it is not
    None: the rest are serial, with no read of every client's stage (at a
    hundred thousand companies a trip to memory for each, for everyone at
    every month end).
    """
    implementing = person.implementing
    if implementing is not None:
        return len(person.portfolio) - len(implementing)
    return [c.stage for c in person.portfolio].count(SERIAL)  # one C-level count, no generator


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
        #: while the month's hours are kept here (:attr:`by_matrix`), handed to the ledgers when the month
        #: closes or someone leaves (:meth:`_take_month_hours`); zero in every other row
        self.month_hours = np.zeros((0, N_ACTIVITIES))
        #: where this month's hours are added: True in :attr:`month_hours`, False in each person's ledger,
        #: None before the month's first week (chosen then, by headcount: see :data:`MATRIX_FROM`)
        self.by_matrix: bool | None = None

    def close_week(self, week: int, people: list[Staff], desk: list[Staff]) -> None:
        """Tally the week's hours and shares, pay base (and at month ends variable) pay, add growth costs.

        Each sum runs person after person from 0.0, in the people's order; a
        large force's week goes into the month's in array operations
        (:meth:`_add_week`), a small one's in this loop over its ledgers.
        """
        model = self.model
        cfg = model.cfg
        cap = cfg.available_hours
        n = len(people)
        by_matrix = self.by_matrix
        if by_matrix is None:  # a month's first week: where its hours are kept (see _add_week)
            by_matrix = self.by_matrix = n + len(desk) >= MATRIX_FROM
        if by_matrix:
            hunt_hours, hunt_cap, serv_hours, all_cap, salespeople = self._add_week(people, desk, cap)
        else:
            hunt_hours = hunt_cap = serv_hours = all_cap = 0.0
            salespeople = 0
            for p in people:
                hours = p.hours
                month_hours = p.month.hours
                month_hours[:] = map(add, month_hours, hours)  # the same additions, in place, without an index loop
                all_cap += cap
                serv_hours += hours[SERVICING]
                if p.hunts:
                    salespeople += 1
                    hunt_cap += cap
                    hunt_hours += hours[PROSPECTING] + hours[PIPELINE]
            for p in desk:
                month_hours = p.month.hours
                month_hours[:] = map(add, month_hours, p.hours)
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

    def _add_week(self, people: list[Staff], desk: list[Staff], cap: float) -> tuple[float, float, float, float, int]:
        """Add everyone's week to the month's in :attr:`month_hours`; the sums :meth:`close_week`'s loop makes.

        Returns the hunters' prospecting plus pipeline hours (added first),
        their capacity (``cap`` each), the client-facing people's service
        hours and capacity, and how many hunt.

        A person's month is the weeks added one after another, element by
        element; whether the sums are kept in their ledger's list or in
        their row of the matrix (each row added once: one IEEE addition per
        element), they are the same doubles. The matrix takes a thousand
        people's week in a few array operations, but those cost about as
        much as the loop over twenty people: so it is chosen when a month
        starts, by headcount (:data:`MATRIX_FROM`; the ledgers and the rows
        are all zero then, so either place starts the month right). The
        sums are ``cumsum``'s last elements: numpy's accumulation runs
        element after element, unlike its pairwise ``sum`` (and Python's
        ``sum``, which compensates); ``+ 0.0`` makes a sum of zeros +0.0, as
        the loop's from 0.0.
        """
        everyone = people + desk if desk else people
        n = len(everyone)
        # packed as C doubles (the values exactly), then read as an array: a third cheaper than np.fromiter
        packed = struct.pack(f"{n * N_ACTIVITIES}d", *chain.from_iterable(map(_HOURS, everyone)))
        weekly = np.frombuffer(packed, dtype=np.float64).reshape(n, N_ACTIVITIES)
        rows = self._rows(everyone)  # first: it may grow the matrix
        self.month_hours[rows] += weekly
        n = len(people)
        if not n:
            return 0.0, 0.0, 0.0, 0.0, 0
        hunts = np.fromiter(map(_HUNTS, people), dtype=bool, count=n)
        hunting = (weekly[:n, PROSPECTING] + weekly[:n, PIPELINE])[hunts]
        salespeople = len(hunting)
        caps = np.full(n, cap).cumsum()
        return (
            hunting.cumsum()[-1].item() + 0.0 if salespeople else 0.0,
            caps[salespeople - 1].item() + 0.0 if salespeople else 0.0,
            weekly[:n, SERVICING].cumsum()[-1].item() + 0.0,
            caps[-1].item() + 0.0,
            salespeople,
        )

    def _rows(self, everyone: list[Staff]) -> np.ndarray:
        """``everyone``'s rows of :attr:`month_hours`, which grows (with zeros) to hold every staff row so far."""
        size = len(self.model.clients.staff)
        ledger = self.month_hours
        if ledger.shape[0] < size:  # rows of new hires: nothing worked yet this month
            grown = np.zeros((max(size, 2 * ledger.shape[0]), N_ACTIVITIES))
            grown[: ledger.shape[0]] = ledger
            self.month_hours = grown
        return np.fromiter(map(_ROW, everyone), dtype=np.int64, count=len(everyone))

    def _take_month_hours(self, ledgers: list[MonthLedger], everyone: list[Staff]) -> None:
        """Give ``everyone``'s ledgers (just closed) the month's hours, if the matrix kept them; their rows start from 0."""
        if not self.by_matrix:  # the ledgers kept them (or no week of the month was added yet)
            return
        rows = self._rows(everyone)
        month_hours = self.month_hours
        for ledger, hours in zip(ledgers, month_hours[rows].tolist(), strict=True):
            ledger.hours = hours
        month_hours[rows] = 0.0

    def close_month(self, week: int, people: list[Staff], desk: list[Staff]) -> None:
        """Pay everyone for the month and record one row per person (desk agents: base pay only)."""
        model = self.model
        month = month_of(week)
        company_revenue = model.orders_total - self.orders_at_month_start
        self.orders_at_month_start = model.orders_total
        ledgers = [p.close_month() for p in people]
        desk_ledgers = [p.close_month() for p in desk]
        self._take_month_hours(ledgers + desk_ledgers, people + desk)
        self.by_matrix = None  # chosen again in the next month's first week
        teams = [model.structure.bonus_team(p) for p in people]
        team_revenue: dict[Any, float] = {}
        team_size: dict[Any, int] = {}
        for team, ledger in zip(teams, ledgers, strict=True):
            if team is not None:
                team_revenue[team] = team_revenue.get(team, 0.0) + ledger.owned_revenue
                team_size[team] = team_size.get(team, 0) + 1
        rows = []  # the month's rows of the staff table, written together at the end
        # read once for everyone (a large force's month end runs this loop a thousand times); the month's
        # variable pay is summed person after person from the week's 0.0, as the model's own total was
        headcount = len(people)
        base = model.cfg.base_salary / 12.0
        variable_pay, month_pay, staff_row = model.scheme.variable_pay, model.turnover.month_pay, self.staff_row
        paid = model.variable_pay
        for p, ledger, team in zip(people, ledgers, teams, strict=True):
            ledger.month = month
            ledger.company_revenue = company_revenue
            ledger.headcount = headcount
            if team is None:
                ledger.team_revenue = company_revenue
                ledger.team_headcount = headcount
            else:
                ledger.team_revenue = team_revenue[team]
                ledger.team_headcount = team_size[team]
            pay = month_pay(p, variable_pay(ledger, p))  # with transition top-ups
            paid += pay
            rows.append(staff_row(p, month, ledger, base, pay))
        model.variable_pay = paid
        for p, ledger in zip(desk, desk_ledgers, strict=True):
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
            serial_clients(p),
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
        self._take_month_hours([ledger], [person])
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
