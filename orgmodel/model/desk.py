"""The service desk: an order-handling back office with its own staff and hours.

In the ``service_desk`` structure, orders no longer land on the salesperson's
desk: the desk specifies them, follows shipments and sorts out the problems
and paperwork an order hits. The salesperson keeps the client: the
relationships, the cross-sell (and the setup of a new line), the
implementation and the complaints, which are escalated to whoever the client
sees as its supplier. What only the salesperson knows stays with them: if the
desk has no record of what is in each client's kits
(``desk_knows_client_kits`` false), the part ``desk_spec_input_share`` of the
specification work still goes to the salesperson, and the desk does the rest
as someone without client knowledge does (``1 + knowledge_penalty`` times the
standard hours); with the kits on file it works at standard hours.

The desk is one queue worked first in, first out: each agent in turn takes
the oldest outstanding work until their week's hours are used up, so when
the desk is short of hours the clients at the back of the queue wait (and
their buyers notice, as with any backlog). Hours with a client's order count
half as contact with its buyer (the purchaser the desk deals with); the
other half is internal work.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

from orgmodel.model.activities import IDLE, N_ACTIVITIES, SERVICING
from orgmodel.model.clients import Stage
from orgmodel.model.staff import Staff

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel

LOAD_SMOOTHING = 0.1  # as for client-facing staff's load
LOAD_CAP = 3.0  # as for client-facing staff: load counts demand up to three weeks' hours


class DeskAgent(Staff):
    """A service-desk agent: works the desk's order queue; owns no clients, hunts not, earns no variable pay.

    Uses a Staff's hour budget, ledger, ramp-up and service skill; the week
    is the desk's work and idle time, logged by activity like everyone's.
    """

    role = "desk_agent"
    hunts = False

    def step(self) -> None:
        """One week at the desk (it starts, like everyone's, with the week's ramp-up factor: see Staff.update_productivity)."""
        if self.productivity < 1.0:  # ramping up
            self.update_productivity(self.model.time)
        self.hours = [0.0] * N_ACTIVITIES
        free = self.model.cfg.desk_available_hours
        desk = self.model.desk
        spent = desk.work(self, free) if desk is not None else 0.0
        self.log(SERVICING, spent)
        self.log(IDLE, free - spent)


class OrderDesk:
    """The desk's queue of order work, its routing of new work and its headcount.

    Args:
        model: the model (the desk is ``model.desk`` while the structure has one).

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.queue: deque[ClientCompany] = deque()
        self.demand = 0.0  # smoothed desk hours owed when the week's desk work starts
        self._demand_week = -1.0
        self.open_requisitions = 0
        self.headcount_target = model.cfg.service_desk_staff

    @property
    def agents(self) -> list[Staff]:
        """The desk's current staff."""
        return list(self.model.agents_by_type.get(DeskAgent, []))

    # --- work in ------------------------------------------------------------------------------
    def add(self, company: ClientCompany, hours: float) -> None:
        """Put ``hours`` of desk work for ``company`` in the queue."""
        if hours <= 0.0:
            return
        if company.desk_backlog <= 0.0:
            self.queue.append(company)
        company.desk_backlog += hours

    def take_order(self, company: ClientCompany, weeks: int, problem: bool) -> None:
        """Route one order's work (``weeks`` of the client's service need, and a problem if it hit one)."""
        cfg = self.model.cfg
        shipment = cfg.shipment_hours_per_order / cfg.order_interval_weeks * weeks
        spec = max(0.0, company.weekly_service * weeks - shipment)
        desk = shipment + (cfg.problem_hours if problem else 0.0)
        if cfg.desk_knows_client_kits:
            desk += spec
        else:
            own = cfg.desk_spec_input_share * spec
            company.backlog += own  # only the salesperson knows what goes into the client's kits
            desk += (spec - own) * (1.0 + cfg.knowledge_penalty)
        self.add(company, desk)

    # --- work done ---------------------------------------------------------------------------------
    def work(self, agent: Staff, free: float) -> float:
        """``agent`` works the queue, oldest work first, for up to ``free`` hours; returns hours spent."""
        model = self.model
        week = model.time
        if week != self._demand_week:  # the first agent this week: the demand the desk faces
            self._demand_week = week
            owed = sum(c.desk_backlog for c in self.queue)
            self.demand += LOAD_SMOOTHING * (owed - self.demand)
        rate = agent.service_skill * agent.productivity  # standard desk hours per hour worked
        network = model.network
        queue = self.queue
        spent = 0.0
        while queue and free - spent > 1e-9:
            company = queue[0]
            if company.desk_backlog <= 0.0 or company.stage != Stage.SERIAL:
                queue.popleft()  # done already, or the client left (its work was dropped)
                continue
            need = company.desk_backlog / rate
            hours = min(need, free - spent)
            if hours >= need - 1e-12:
                company.desk_backlog = 0.0
                queue.popleft()
            else:
                company.desk_backlog -= hours * rate
            spent += hours
            network.invest(agent.unique_id, company.people[0], 0.5 * hours, week, agent.service_skill)
        return spent

    # --- headcount ------------------------------------------------------------------------------------
    def hire(self, n: int, ramp_up_weeks: int) -> list[Staff]:
        """Add ``n`` desk agents (starting this week)."""
        people = self.model.hire_desk_agents(n, ramp_up_weeks)
        for person in people:
            person.hired_week = math.ceil(self.model.time)
        return people

    def let_go(self, n: int) -> None:
        """The ``n`` least skilled agents leave (the most recently hired on a tie)."""
        leaving = sorted(self.agents, key=lambda p: (p.service_skill, -p.unique_id))[:n]
        for person in leaving:
            self.model.former_staff.append(person.unique_id)
            if self.model.recorder is not None:
                self.model.recorder.left(person)
            person.remove()

    def monthly(self) -> None:
        """Follow a new ``service_desk_staff`` an intervention set; hire when the desk is full."""
        model = self.model
        cfg = model.cfg
        if cfg.service_desk_staff != self.headcount_target:
            self.headcount_target = cfg.service_desk_staff
            diff = cfg.service_desk_staff - len(self.agents)
            if diff > 0:
                self.hire(diff, cfg.ramp_up_weeks)
            elif diff < 0:
                self.let_go(-diff)
        if not cfg.hire_service_desk_staff:
            return
        staffed = len(self.agents)
        seats = staffed + self.open_requisitions
        cap = cfg.desk_available_hours
        demand = min(self.demand, LOAD_CAP * cap * staffed)  # as a person's load, a backlog counts up to three weeks' hours
        load = demand / (seats * cap) if seats else float("inf")
        if (load >= cfg.account_manager_load_limit or (self.queue and seats == 0)) and model.response.allows_hire(
            cfg.desk_base_salary
        ):
            self.open_requisitions += 1
            model.schedule_event(self._agent_arrives, after=cfg.hiring_delay_weeks)

    def _agent_arrives(self) -> None:
        self.open_requisitions -= 1
        if self.model.desk is not self:  # the desk was closed meanwhile: the requisition was withdrawn
            return
        self.model.hire_desk_agents(1, self.model.cfg.ramp_up_weeks)

    def close(self) -> None:
        """The organisation gives up the desk: its staff leave, outstanding work goes back to the clients' owners."""
        for company in self.queue:
            if company.desk_backlog > 0.0:
                company.backlog += company.desk_backlog
                company.desk_backlog = 0.0
        self.queue.clear()
        self.let_go(len(self.agents))
        if self.model.desk is self:
            self.model.desk = None
