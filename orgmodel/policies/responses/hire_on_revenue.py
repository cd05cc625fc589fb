"""Hire on revenue: the budget for sales staff follows revenue."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from orgmodel.policies.responses import register
from orgmodel.policies.responses.base import ManagementResponse, base_pay_committed
from orgmodel.scenario.schema import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.scenario.schema import Scenario


@register
class HireOnRevenue(ManagementResponse):
    """Forrester's (1968) sales-force loop: revenue pays for salespeople, who bring revenue.

    Assumes: every ``revenue_review_weeks`` management compares the annual
    cost of the sales staff (base pay of everyone employed or requisitioned,
    client-facing and on the order desk, plus the variable pay of the last
    year) with
    ``revenue_budget_share`` of the last year's revenue (Chung et al. 2014:
    sales force cost is about 10% of revenue) and requisitions as many
    salespeople as the difference pays base salaries for. They start after
    ``hiring_delay_weeks`` and ramp up over ``ramp_up_weeks``, like any
    hire. "The last year" is the span since the review at least 52 weeks
    back, scaled to 52 weeks, so the first review acts after a year of
    revenue. Nobody is let go when revenue falls: the budget only stops
    hiring. Account managers are left to the structure's own hiring rule.
    """

    name = "hire_on_revenue"
    summary = "salespeople are hired while sales-staff cost stays under revenue_budget_share of last year's revenue"
    keys = ("revenue_budget_share", "revenue_review_weeks", "hiring_delay_weeks", "ramp_up_weeks", "base_salary")

    def __init__(self, model: SalesOrgModel) -> None:
        super().__init__(model)
        self._books: list[tuple[float, float, float]] = []  # (time, revenue so far, variable pay so far) at reviews

    @classmethod
    def check(cls, cfg: Scenario) -> None:
        """Hires are sized in base salaries, so there must be one."""
        if cfg.base_salary <= 0:
            raise ValueError(f"management_response '{cls.name}' sizes hires in base salaries: base_salary must be above 0")

    def start(self) -> None:
        """Open the books now and review them every ``revenue_review_weeks``."""
        self._note_books()
        weeks = self.model.cfg.revenue_review_weeks
        self.every(weeks, self.review, first_week=math.floor(self.model.time) + weeks + 1)

    def _note_books(self) -> None:
        model = self.model
        self._books.append((model.time, model.revenue_total, model.variable_pay_total))

    def review(self) -> None:
        """Requisition the salespeople the last year's revenue pays for (if any)."""
        model = self.model
        cfg = model.cfg
        self._note_books()
        now, revenue_now, variable_now = self._books[-1]
        past = [b for b in self._books if now - b[0] >= WEEKS_PER_YEAR - 1e-9]
        if not past:
            return
        then, revenue_then, variable_then = past[-1]
        self._books = self._books[len(past) - 1 :]  # older entries are never needed again
        scale = WEEKS_PER_YEAR / (now - then)
        revenue = (revenue_now - revenue_then) * scale
        cost = base_pay_committed(model) + (variable_now - variable_then) * scale
        budget = cfg.revenue_budget_share * revenue
        hires = math.floor((budget - cost) / cfg.base_salary)
        if hires > 0:
            model.request_salespeople(hires)
            self.record(requested=hires, revenue_last_year=revenue, budget=budget, cost=cost)
