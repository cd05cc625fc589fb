"""Service and orders: a client's first serial order, the orders that follow, and losing a client.

A won client is implemented, then buys serially: each order brings revenue
(credited by the incentive scheme) and service work for its owner (or the
order desk) in proportion to the client's weekly service need, which grows
with its product lines, size and spoiledness. A client that leaves becomes a
prospect again after a while.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from orgmodel.model.clients import ClientCompany, Stage
from orgmodel.policies.incentives.base import IncentiveScheme
from orgmodel.scenario.schema import WEEKS_PER_YEAR

SERIAL = Stage.SERIAL
_UID = attrgetter("uid")  # a C-level getter (read for every reviewing client)

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel


#: keys whose change alters the standard service hours of every serial client
SERVICE_KEYS = frozenset(
    {
        "spoiledness",
        "spec_hours_per_line",
        "line_scale_exponent",
        "service_size_exponent",
        "shipment_hours_per_order",
        "order_interval_weeks",
    }
)


class ClientService:
    """Serial clients' service need, their orders' revenue and their departure.

    Args:
        model: the model; this lives as ``model.service``.

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model

    def update_service_need(self, company: ClientCompany) -> None:
        """Standard weekly service hours a client's orders create (before knowledge and skill)."""
        cfg = self.model.cfg
        per_order = (
            cfg.spec_hours_per_line
            * company.n_lines**cfg.line_scale_exponent
            * cfg.spoiledness
            * company.size**cfg.service_size_exponent
            + cfg.shipment_hours_per_order
        )
        company.weekly_service = per_order / cfg.order_interval_weeks

    def update_all_service_needs(self) -> None:
        """Recompute every serial client's service need (a service parameter changed)."""
        for company in self.model.companies:
            if company.stage == Stage.SERIAL:
                self.update_service_need(company)

    def begin_serial(self, company: ClientCompany) -> None:
        """Implementation is over: the client becomes a serial buyer (a new client)."""
        if company.stage != Stage.IMPLEMENTATION:
            return
        model = self.model
        cfg = model.cfg
        model.market.set_stage(company, Stage.SERIAL)
        company.serial_week = int(model.time)
        company.n_lines = 1
        company.annual_value = company.first_value = company.base_value * company.first_sale_factor
        # the implementation's joint work builds the relationships; a skimped one starts the client unhappy
        owner = company.owner
        model.relations.book_contact(owner, company, company.support_hours, everyone=True, skill=owner.service_skill)
        required = cfg.implementation_hours * cfg.implementation_weeks
        company.satisfaction = min(1.0, company.support_hours / required) if required > 0 else 1.0
        company.support_hours = 0.0
        self.update_service_need(company)
        model.new_clients += 1
        winner = company.originator if company.originator is not None else owner
        winner.month.new_clients += 1
        winner.clients_won += 1
        model.structure.on_serial(company)
        company.buyer.start_buying()

    def place_due_orders(self) -> None:
        """Every buyer whose next serial order falls due this week orders (after the staff's week)."""
        table = self.model.clients
        rows = (table.next_order == round(self.model.time)).nonzero()[0]  # flatnonzero without its wrappers
        if rows.size:
            self.place_orders(rows)

    def place_orders(self, rows: np.ndarray) -> None:
        """Serial orders of the companies in ``rows`` (distinct), in one array operation.

        Each buyer orders the lines in use for the weeks until its next
        order (half to one and a half times ``order_interval_weeks``): revenue
        for the supplier, and service work in proportion to the client's
        weekly service need (its spoiledness: how much specification the
        order leaves to the supplier). A buyer whose previous work is still
        not handled (a backlog over ``backlog_complaint_weeks`` of service)
        grows less satisfied and complains; an order that hits a problem
        brings ``problem_hours`` and may bring a complaint. Where the
        structure has an order desk (``model.desk``), the desk takes the
        order's work (:mod:`orgmodel.model.desk`); complaints still go to the
        client's owner. The revenue is booked for the week's orders together
        (:meth:`book_orders`, through the model: the incentive scheme decides
        who is credited).
        """
        model = self.model
        cfg = model.cfg
        table = model.clients
        draws = table.order_rng.random((3, rows.size))
        interval = np.maximum(1, (cfg.order_interval_weeks * (0.5 + draws[0])).round()).astype(np.int64)
        weekly = table.weekly_service[rows]
        backlog = table.backlog[rows]
        desk = model.desk
        # the work still open: without a desk nobody has desk work (the desk hands it back as it closes)
        owed = backlog if desk is None else backlog + table.desk_backlog[rows]
        lagging = owed > cfg.backlog_complaint_weeks * weekly
        satisfaction = table.satisfaction[rows]
        satisfaction += 0.2 * (np.where(lagging, 0.0, 1.0) - satisfaction)
        problem = draws[1] < cfg.problem_rate
        complaint = lagging | (problem & (draws[2] < cfg.complaint_rate))
        # a complaint: hours to settle it (for the owner, desk or not), and a dent in satisfaction
        complaint_hours = np.where(complaint, cfg.complaint_hours, 0.0)
        if desk is None:  # the order's work, then the complaint's, added to the owner's backlog
            table.backlog[rows] = backlog + (weekly * interval + np.where(problem, cfg.problem_hours, 0.0)) + complaint_hours
        else:
            companies = model.market.companies
            for uid, weeks, hit in zip(rows.tolist(), interval.tolist(), problem.tolist(), strict=True):
                desk.take_order(companies[uid], weeks, hit)
            table.backlog[rows] += complaint_hours
        table.satisfaction[rows] = np.where(complaint, satisfaction * 0.85, satisfaction)
        model.complaints_week += int(np.count_nonzero(complaint))
        table.next_order[rows] = round(model.time) + interval
        value = table.annual_value[rows] * interval / WEEKS_PER_YEAR
        companies = model.market.companies
        recorder = model.recorder
        if recorder is not None:  # the CRM's cases, logged against the client's owner
            for uid, hit, complained in zip(rows.tolist(), problem.tolist(), complaint.tolist(), strict=True):
                if hit:
                    recorder.case(companies[uid], "problem")
                if complained:
                    recorder.case(companies[uid], "complaint")
        model.book_orders(rows, value)  # via the model: tests spy on it there

    def review_suppliers(self) -> None:
        """Every client whose quarterly supplier review falls due this week stays or leaves.

        A client leaves with an annual hazard of ``churn_base``, plus
        ``churn_weak_relationship`` times how weakly the supplier covers its
        buying centre, plus ``churn_dissatisfied`` times its dissatisfaction,
        plus the unsettling of a leaver (issue #12), cut for large clients
        with an attentive owner (``large_client_care``); the review turns the
        annual hazard into the chance over ``review_interval_weeks``. The
        coverage is the week's (computed with the week's contacts when the
        clients answered, :meth:`BuyingCentreRelations.settle`).
        """
        model = self.model
        cfg = model.cfg
        table = model.clients
        week = round(model.time)
        rows = (table.next_review == week).nonzero()[0]
        if not rows.size:
            return
        companies = list(map(model.market.companies.__getitem__, rows.tolist()))
        serial = [c for c in companies if c.stage is SERIAL]
        if len(serial) < len(companies):
            companies = serial
            rows = np.fromiter(map(_UID, serial), dtype=np.int64, count=len(serial))
        loyalty = model.loyalty
        coverage = np.array(model.relations.coverage_for_reviews(companies, rows))  # stored on each company too
        annual = cfg.churn_base + cfg.churn_weak_relationship * (1.0 - coverage)
        annual += cfg.churn_dissatisfied * (1.0 - table.satisfaction[rows])
        unsettled = loyalty.unsettled
        if unsettled:  # only a client a leaver unsettled has extra churn (extra_churn of any other is 0)
            extra = loyalty.extra_churn
            annual += np.array([extra(c) if c.uid in unsettled else 0.0 for c in companies])
        if model.large_client_care is not None:
            annual *= np.array([model.large_client_care.churn_factor(c) for c in companies])
        p_leave = 1.0 - (1.0 - np.minimum(annual, 1.0)) ** (cfg.review_interval_weeks / WEEKS_PER_YEAR)
        leave = table.review_rng.random(rows.size) < p_leave
        stay = rows[~leave]
        table.next_review[stay] = week + cfg.review_interval_weeks
        for company in [c for c, gone in zip(companies, leave.tolist(), strict=True) if gone]:
            self.lose_client(company)

    def book_orders(self, rows: np.ndarray, values: np.ndarray) -> None:
        """Revenue from orders of the companies in ``rows`` (distinct), credited by the incentive scheme.

        The part of an order beyond the first sale's value is cross-sell
        revenue. The credited person is also credited with the order's
        margin: gross margin less the standard service hours the order
        brings (the client's weekly service times the weeks the order
        covers, ``value`` / weekly value) at staff cost per hour. The
        scheme says who is credited, client by client
        (``IncentiveScheme.credited``; the owner unless a scheme says
        otherwise, which is read from the owner column at once).
        """
        model = self.model
        cfg = model.cfg
        table = model.clients
        companies = model.market.companies
        if model.recorder is not None:
            for uid, value in zip(rows.tolist(), values.tolist(), strict=True):
                model.recorder.order(companies[uid], value)
        total = float(values.sum())
        model.revenue += total
        model.orders_total += total
        annual = table.annual_value[rows]
        cross_sell = values * (1.0 - table.first_value[rows] / annual)
        table.revenue_total[rows] += values
        table.revenue_cross_sell[rows] += cross_sell
        model.cross_sell_revenue += float(cross_sell.sum())
        hourly_cost = cfg.base_salary / (WEEKS_PER_YEAR * cfg.hours_per_week)
        margin = cfg.gross_margin * values - table.weekly_service[rows] * values * WEEKS_PER_YEAR / annual * hourly_cost
        owners = table.owner_row[rows]
        staff = table.staff
        if type(model.scheme).credited is IncentiveScheme.credited:  # the owner is credited: one grouping serves both
            for row, revenue, earned in _per_person(owners, values, margin):
                ledger = staff[row].month
                ledger.credited_revenue += revenue
                ledger.credited_margin += earned
                ledger.owned_revenue += revenue
            return
        week = model.time
        people = [model.scheme.credited(companies[uid], week - companies[uid].won_week) for uid in rows.tolist()]
        credited = np.array([-1 if p is None else p.row for p in people], dtype=np.int64)
        for row, revenue, earned in _per_person(credited, values, margin):
            ledger = staff[row].month
            ledger.credited_revenue += revenue
            ledger.credited_margin += earned
        for row, revenue, _ in _per_person(owners, values, margin):
            staff[row].month.owned_revenue += revenue

    def lose_client(self, company: ClientCompany) -> None:
        """The client leaves; after a while it is a prospect again."""
        model = self.model
        if model.recorder is not None:
            model.recorder.client_lost(company)
        owner = company.owner
        if owner is not None:
            owner.portfolio.remove(company)
            if company.project is not None and company.project in owner.projects:
                owner.projects.remove(company.project)
        awaiting = model.staffing.awaiting_handover
        if company in awaiting:
            awaiting.remove(company)
        company.buyer.stop_buying()
        company.project = None
        company.owner = None
        model.market.set_stage(company, Stage.LOST)
        company.available_from = int(model.time) + model.cfg.reapproach_after_churn_weeks
        company.backlog = 0.0
        company.desk_backlog = 0.0
        company.annual_value = 0.0
        company.n_lines = 0
        company.knowledge = 0.0
        model.lost_clients += 1
        model.loyalty.on_lost(company)


def _per_person(rows: np.ndarray, values: np.ndarray, margin: np.ndarray) -> list[tuple[int, float, float]]:
    """(staff row, summed values, summed margin) for each staff row in ``rows`` (-1, nobody, left out).

    A plain loop for a few hundred orders or fewer (a week at the reference size has a few
    dozen, where numpy's per-call cost is more than the additions), ``bincount`` beyond; both
    add each person's values in order, so the sums are the same.
    """
    if rows.size > 256:
        has = rows >= 0
        people, where = np.unique(rows[has], return_inverse=True)
        totals = np.bincount(where, weights=values[has], minlength=people.size)
        gains = np.bincount(where, weights=margin[has], minlength=people.size)
        return list(zip(people.tolist(), totals.tolist(), gains.tolist(), strict=True))
    sums: dict[int, list[float]] = {}  # staff row -> [values, margin], each summed from 0.0 in order
    for row, value, gain in zip(rows.tolist(), values.tolist(), margin.tolist(), strict=True):
        if row >= 0:
            both = sums.get(row)
            if both is None:
                sums[row] = [0.0 + value, 0.0 + gain]
            else:
                both[0] += value
                both[1] += gain
    return [(row, total, gain) for row, (total, gain) in sums.items()]
