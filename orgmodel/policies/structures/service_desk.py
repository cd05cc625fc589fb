"""Service desk: full-cycle salespeople with a back office that handles the orders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgmodel.policies.structures import register
from orgmodel.policies.structures.full_cycle import FullCycle

if TYPE_CHECKING:
    from orgmodel.policies.structures.base import Structure
    from orgmodel.scenario.schema import Scenario


@register
class ServiceDesk(FullCycle):
    """Salespeople keep their clients; an order desk with its own staff does the order work.

    Assumes (see :mod:`orgmodel.model.desk`): the desk specifies orders,
    follows shipments and sorts out problems and paperwork; the salesperson
    keeps the relationships, implementation, cross-sell and complaints, and
    without the kits on file at the desk (``desk_knows_client_kits``) still
    does ``desk_spec_input_share`` of the specification while the desk's part
    costs it ``1 + knowledge_penalty`` times the standard hours. The desk
    starts with ``service_desk_staff`` agents (``desk_available_hours`` a
    week each, ``desk_base_salary``, no variable pay) and, with
    ``hire_service_desk_staff``, hires one when its smoothed demand reaches
    ``account_manager_load_limit`` of its hours (counting requisitions),
    after ``hiring_delay_weeks``, ramping up over ``ramp_up_weeks``.
    """

    name = "service_desk"
    hands_over = False
    summary = "salespeople keep their clients; an order desk with its own staff specifies orders and chases shipments"

    @classmethod
    def check_scenario(cls, cfg: Scenario) -> None:
        """The desk needs somebody on it from the start."""
        super().check_scenario(cfg)
        if cfg.service_desk_staff < 1:
            raise ValueError(
                f"structure 'service_desk' needs a desk: service_desk_staff must be at least 1, got {cfg.service_desk_staff}"
            )

    def staff_up(self) -> None:
        """Salespeople who keep their clients, and the desk."""
        super().staff_up()
        self.model.open_desk()
        self.model.hire_desk_agents(self.model.cfg.service_desk_staff, 0)

    def monthly(self) -> None:
        """The desk's staffing."""
        if self.model.desk is not None:
            self.model.desk.monthly()

    def restructure(self, previous: Structure) -> None:
        """Open the desk with ``service_desk_staff`` new agents (ramping up); account managers' clients go back to salespeople.

        Work already in salespeople's backlogs stays with them; new orders go to the desk.
        """
        super().restructure(previous)
        model = self.model
        model.open_desk().hire(model.cfg.service_desk_staff, model.cfg.ramp_up_weeks)

    def leave(self, following: Structure) -> None:
        """Close the desk: its agents leave and its outstanding work goes back to the clients' owners."""
        if self.model.desk is not None:
            self.model.desk.close()
