"""Recruiting: what each hire costs and whom the labour market offers.

Every person hired after the start (by a requisition, an intervention, a
management response or a structure's hiring rule) costs
``recruiting_cost_per_hire`` on their first day plus
``recruiting_manager_hours_per_hire`` of a sales manager's time at the
manager's hourly pay. Their skills are drawn from the labour market: the
staff's distribution with its mean scaled by ``new_hire_skill_ratio``. The
hiring delay and ramp-up are the model's (requisitions and ``productivity``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff


class Recruiting:
    """Hires made and their cost.

    Attributes:
        hires: people hired since the start, by role.
        hires_week: people who started this week (a weekly column).
        cost_week: recruiting cost booked this week (a weekly column).
        cost_total: recruiting cost since the start.

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.hires: dict[str, int] = {}
        self.hires_week = 0
        self.cost_week = 0.0
        self.cost_total = 0.0

    def cost_per_hire(self) -> float:
        """Money plus the manager's time one hire costs."""
        cfg = self.model.cfg
        manager_hourly = cfg.sales_manager_salary / (52.0 * cfg.hours_per_week)
        return cfg.recruiting_cost_per_hire + cfg.recruiting_manager_hours_per_hire * manager_hourly

    def skill_mean(self) -> float:
        """Mean skill of the people about to be hired: the staff's at the start, the labour market's later."""
        cfg = self.model.cfg
        return cfg.skill_mean * (cfg.new_hire_skill_ratio if self.model.time > 0 else 1.0)

    def on_hire(self, people: list[Staff]) -> None:
        """Book the cost of people starting today (the initial staff, at time 0, cost nothing)."""
        if self.model.time <= 0 or not people:
            return
        cost = self.cost_per_hire() * len(people)
        self.cost_week += cost
        self.cost_total += cost
        self.hires_week += len(people)
        role = people[0].role
        self.hires[role] = self.hires.get(role, 0) + len(people)
