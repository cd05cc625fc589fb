"""Fixed budget path: sales staff grow within a budget that follows a preset path, whatever revenue does."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from orgmodel.policies.responses import register
from orgmodel.policies.responses.base import ManagementResponse, base_pay_committed
from orgmodel.scenario.schema import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from orgmodel.scenario.schema import Scenario


@register
class FixedBudgetPath(ManagementResponse):
    """An equal-budget comparison of structures (issue #18): the same money for staff, spent as each structure needs.

    Assumes: the annual budget for sales-staff base pay is
    ``budget_path_start`` at the start and grows by ``budget_path_growth`` a
    year (compounded weekly), whatever revenue does. Counted against it is
    the base pay of everyone employed or requisitioned (client-facing staff
    at ``base_salary``, desk agents at ``desk_base_salary``); variable pay is
    an outcome of the incentive scheme, reported in the cost of sales, not
    budgeted. The structure's own hiring rule (account managers, key-account
    managers, desk agents as they fill up) goes first: it may hire whenever
    the hire fits the budget. Every ``revenue_review_weeks`` management then
    requisitions as many salespeople as the rest of the budget pays base
    salaries for. Hires start after ``hiring_delay_weeks`` and ramp up over
    ``ramp_up_weeks``; nobody is let go.
    """

    name = "fixed_budget_path"
    summary = "sales staff are hired (the structure's roles first, then salespeople) within a base-pay budget on a preset path"
    keys = (
        "budget_path_start",
        "budget_path_growth",
        "revenue_review_weeks",
        "hiring_delay_weeks",
        "ramp_up_weeks",
        "base_salary",
        "desk_base_salary",
    )

    @classmethod
    def check(cls, cfg: Scenario) -> None:
        """Hires are sized in base salaries, so there must be one."""
        if cfg.base_salary <= 0:
            raise ValueError(f"management_response '{cls.name}' sizes hires in base salaries: base_salary must be above 0")

    def start(self) -> None:
        """Review every ``revenue_review_weeks``, the first time one review period from now."""
        weeks = self.model.cfg.revenue_review_weeks
        self.every(weeks, self.review, first_week=math.floor(self.model.time) + weeks + 1)

    def budget(self) -> float:
        """The annual base-pay budget on the path, now."""
        cfg = self.model.cfg
        return cfg.budget_path_start * (1.0 + cfg.budget_path_growth) ** (self.model.time / WEEKS_PER_YEAR)

    def allows_hire(self, annual_cost: float) -> bool:
        """The structure may hire while the hire fits the budget."""
        return base_pay_committed(self.model) + annual_cost <= self.budget()

    def review(self) -> None:
        """The structure's own hiring first, then the salespeople the rest of the budget pays for."""
        model = self.model
        model.structure.monthly()
        budget, cost = self.budget(), base_pay_committed(model)
        hires = math.floor((budget - cost) / model.cfg.base_salary)
        if hires > 0:
            model.request_salespeople(hires)
            self.record(requested=hires, budget=budget, cost=cost)
